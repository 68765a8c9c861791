#!/usr/bin/env python3
"""Cost of opening industry pages, in a pseudo-terminal.

usage: industry_page.py KEYS YANBAO [ARGS...]

Starts YANBAO ARGS on a fresh 120x40 pty, waits for the first frame and
for the output to be quiet and the process to stop using CPU, then presses each key of KEYS in turn (e.g.
"12" opens the pages of industries 1 and 2). For each key it prints the
time from writing it to the last byte of the redraw (the output then stays
quiet for 0.5 s), the CPU time the process spent (user + system, from
/proc/PID/stat), and its RSS after (VmRSS) and at peak (VmHWM). Then quits.
The reading memory starts empty (a fresh XDG_STATE_HOME)."""
import os
import sys
import tempfile
import time

from ptyrun import drain as drain_quiet, spawn, wait_first_frame

TICK = os.sysconf("SC_CLK_TCK")


def drain(fd, quiet=0.5, limit=120.0):
    """Read until `quiet` seconds pass without output; the time of the last byte."""
    return drain_quiet(fd, quiet=quiet, limit=limit, first=60.0)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / TICK


def mem(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0]) / 1024
    return out


def main():
    keys, argv = sys.argv[1], sys.argv[2:]
    # A fresh reading memory: a remembered page (an industry page) would be
    # laid out at start.
    os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="yanbao-state-")
    pid, fd = spawn(argv)
    wait_first_frame(fd)
    at_first = cpu(pid)
    drain(fd, quiet=2.0)
    # The finder's index loads on threads behind the first frame: wait
    # until the process stops using CPU (up to 120 s).
    end = time.perf_counter() + 120
    last = cpu(pid)
    while time.perf_counter() < end:
        drain(fd, quiet=1.0, limit=1.0)
        now = cpu(pid)
        if now - last < 20:
            break
        last = now
    m = mem(pid)
    total = cpu(pid)
    print(f"start: RSS {m['VmRSS']:.1f} MB, peak {m['VmHWM']:.1f} MB, CPU {total:.0f} ms "
          f"({total - at_first:.0f} ms after the first frame): {' '.join(argv)}")
    for k in keys:
        c0 = cpu(pid)
        t0 = time.perf_counter()
        os.write(fd, k.encode())
        last = drain(fd)
        took = (last - t0) * 1000 if last else float("nan")
        m = mem(pid)
        print(f"key {k}: {took:.0f} ms to the redraw, CPU {cpu(pid) - c0:.0f} ms, "
              f"RSS {m['VmRSS']:.1f} MB, peak {m['VmHWM']:.1f} MB")
    os.write(fd, b"q")
    drain(fd, quiet=0.2, limit=5)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


if __name__ == "__main__":
    main()
