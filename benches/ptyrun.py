"""What the pty benchmarks share: start yanbao on a pseudo-terminal of a
given size, see its first frame, and read until its output goes quiet."""
import fcntl
import os
import pty
import re
import select
import struct
import termios
import time

CSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def spawn(argv, rows=40, cols=120):
    """Fork and exec `argv` on a new pty of rows x cols; (pid, fd)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd


def first_frame(buf):
    """Whether `buf` holds the bottom bar's key hints ("quit" or "帮助"), the
    last row ratatui writes of the explorer's first frame."""
    text = CSI.sub(b"", buf)
    return b"quit" in text or "帮助".encode() in text


def read_chunk(fd, wait):
    """What the pty has within `wait` seconds: bytes, b"" at its end, None if nothing came."""
    r, _, _ = select.select([fd], [], [], max(0.0, wait))
    if not r:
        return None
    try:
        return os.read(fd, 65536)
    except OSError:
        return b""


def wait_first_frame(fd, limit=60.0):
    """Read until the first frame is seen (or `limit` seconds pass); what was read."""
    buf = b""
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        chunk = read_chunk(fd, 0.5)
        if chunk is None:
            continue
        if not chunk:
            break
        buf += chunk
        if first_frame(buf):
            break
    return buf


def drain(fd, quiet=0.3, limit=30.0, first=5.0):
    """Read until `quiet` seconds pass without output (waiting up to `first`
    seconds for the first byte); the time of the last byte, or None."""
    last = None
    end = time.perf_counter() + limit
    while time.perf_counter() < end:
        chunk = read_chunk(fd, min(quiet if last else first, end - time.perf_counter()))
        if not chunk:
            break
        last = time.perf_counter()
    return last
