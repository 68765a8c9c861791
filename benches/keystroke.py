#!/usr/bin/env python3
"""Time of a finder keystroke, in a pseudo-terminal.

usage: keystroke.py QUERY YANBAO [ARGS...]

Starts YANBAO ARGS on a fresh 120x40 pty, waits for the first frame, opens
the finder (s) and waits until it is drawn and quiet (the index is loaded),
then types QUERY one character at a time. For each key, the time from
writing it to the last byte of the redraw (the output then stays quiet for
0.3 s) is taken. Prints the median and max in milliseconds, then quits."""
import os
import statistics
import sys
import time

from ptyrun import drain, spawn, wait_first_frame


def main():
    query, argv = sys.argv[1], sys.argv[2:]
    pid, fd = spawn(argv)
    wait_first_frame(fd)
    drain(fd)
    os.write(fd, b"s")
    drain(fd, quiet=3.0)
    times = []
    for ch in query:
        t0 = time.perf_counter()
        os.write(fd, ch.encode())
        last = drain(fd)
        if last is not None:
            times.append((last - t0) * 1000)
    os.write(fd, b"\x1b")
    drain(fd, quiet=0.2)
    os.write(fd, b"q")
    drain(fd, quiet=0.2)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    if times:
        print(f"finder keystroke: {statistics.median(times):.1f} ms median, max {max(times):.1f} "
              f"({len(times)} keys of {query!r}): {' '.join(argv)}")
        print("  per key: " + " ".join(f"{t:.1f}" for t in times))


if __name__ == "__main__":
    main()
