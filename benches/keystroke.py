#!/usr/bin/env python3
"""Time of a finder keystroke, in a pseudo-terminal.

usage: keystroke.py QUERY YANBAO [ARGS...]

Starts YANBAO ARGS on a fresh 120x40 pty, waits for the first frame, opens
the finder (s) and waits until it is drawn and quiet (the index is loaded),
then types QUERY one character at a time. For each key, the time from
writing it to the last byte of the redraw (the output then stays quiet for
0.3 s) is taken. Prints the median and max in milliseconds, then quits."""
import fcntl
import os
import pty
import re
import select
import statistics
import struct
import sys
import termios
import time


def drain(fd, quiet=0.3, limit=30.0):
    """Read until `quiet` seconds pass without output; the time of the last byte."""
    last = None
    buf = b""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        # Up to 5 s for the first byte, then until `quiet`.
        r, _, _ = select.select([fd], [], [], quiet if last else 5.0)
        if not r:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
        last = time.perf_counter()
    return last, buf


def main():
    query, argv = sys.argv[1], sys.argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    buf = b""
    end = time.perf_counter() + 60
    while time.perf_counter() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            buf += os.read(fd, 65536)
            text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]", b"", buf)
            if b"quit" in text or "帮助".encode() in text:
                break
    drain(fd)
    os.write(fd, b"s")
    drain(fd, quiet=3.0)
    times = []
    for ch in query:
        t0 = time.perf_counter()
        os.write(fd, ch.encode())
        last, _ = drain(fd)
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
