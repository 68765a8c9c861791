#!/usr/bin/env python3
"""Time from spawn to the explorer's first frame, in a pseudo-terminal.

usage: first_frame.py RUNS YANBAO [ARGS...]

Starts YANBAO ARGS on a fresh 120x40 pty RUNS times; the clock starts just
before the fork and stops when the key hints of the bottom bar ("quit" or "帮助"
for help), the last row ratatui writes, have been read from the pty. Prints the median, min
and max in milliseconds, then sends q and reaps the process (each run is
bounded by a 30 s timeout)."""
import os
import select
import signal
import sys
import time

from ptyrun import first_frame, spawn, wait_first_frame


def one(argv):
    t0 = time.perf_counter()
    pid, fd = spawn(argv)
    buf = wait_first_frame(fd, limit=30)
    t = time.perf_counter() - t0 if first_frame(buf) else None
    try:
        os.write(fd, b"q")
    except OSError:
        pass
    end = time.perf_counter() + 5
    while time.perf_counter() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        try:
            select.select([fd], [], [], 0.05)
            os.read(fd, 65536)
        except OSError:
            pass
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)
    if t is None:
        sys.exit(f"no first frame within 30 s: {buf[-300:]!r}")
    return t * 1000


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    runs = int(sys.argv[1])
    argv = sys.argv[2:]
    one(argv)  # warm the page cache
    ts = sorted(one(argv) for _ in range(runs))
    print(f"{ts[len(ts) // 2]:.1f} ms median (min {ts[0]:.1f}, max {ts[-1]:.1f}, {runs} runs): {' '.join(argv)}")


main()
