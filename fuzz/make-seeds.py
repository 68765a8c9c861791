#!/usr/bin/env python3
"""Write the seed corpus, fuzz/seeds/<target>/, from the bundled files and
hand-made inputs. The layouts are described in fuzz_targets/harness.rs.
Run from the repository root: python3 fuzz/make-seeds.py"""
import os

root = os.path.dirname(os.path.abspath(__file__))
repo = os.path.dirname(root)


def put(target, name, data):
    d = os.path.join(root, "seeds", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(p):
    with open(os.path.join(repo, p), "rb") as f:
        return f.read()


# content: [width-1 (mod 250), flags: 1 ascii, 2 compact tables, 4 table bars, 8 industry pages,
#           16 all the bundled companies (else those the smaller chapters name)] ++ chapter
for name, path, w, flags in [
    ("ccid-p1-w80", "content/ccid/p1.yaml", 80, 0),
    ("ccid-p2-w40-ascii", "content/ccid/p2.yaml", 40, 1),
    ("ccid-p3-w120-compact-ind-allco", "content/ccid/p3.yaml", 120, 2 | 8 | 16),
    ("ccid-p4-w20-bars", "content/ccid/p4.yaml", 20, 4),
    ("ccid-p5-w1", "content/ccid/p5.yaml", 1, 0),
    ("ccid-p6-w250-ind", "content/ccid/p6.yaml", 250, 8),
    ("fs-ch4-w60-bars-ind-allco", "content/fs/ch4.yaml", 60, 4 | 8 | 16),
]:
    put("content", name, bytes([w - 1, flags]) + read(path))
put("content", "all-kinds-w30", bytes([29, 4 | 8]) + """id: fz-1
number: "1"
title: 金融——测试
industries: [finance]
blocks:
  - kind: text
    text: 银行业AI应用。第二句话！
  - kind: table
    title: 表1
    columns: [年份, 规模（亿元）]
    rows: [["2023", "1,234.5"], ["2024E", "-3%"]]
  - kind: series
    title: 图1
    unit: 亿元
    points: [{label: 2023, value: 1.5}, {label: 2024E, value: 0, estimate: true}]
  - kind: list
    items: [一, 二]
sections:
  - id: fz-1-1
    title: 子节
    sections: [{id: fz-1-1-1, title: 更深}]
""".encode())
put("content", "broken-w10", bytes([9, 1]) + b"id: x\ntitle: \"\"\nblocks:\n  - kind: nope\n  - [1, 2]\n\t- tab\n")
put("content", "empty", bytes([79, 0]))

# keymap: a user file
put("keymap", "default", read("keymaps/default.yaml"))
put("keymap", "vim-overlay", """global:
  ctrl-f: page_down
  ctrl-b: page_up
  "g g": top
  space: null
  z z: {action: top, desc: 回到顶部}
reader:
  J: [move_down, move_down, move_down]
search:
  alt-j: move_down
  shift-tab: move_up
""")
put("keymap", "errors", """global:
  q: quit
  q: help
  hyper-x: quit
  f99: quit
  x: not_an_action
nowhere:
  j: move_down
reader: [1, 2]
""")
put("keymap", "key-names", "help:\n  f1: close_overlay\n  ctrl-shift-del: close_overlay\n  m--: close_overlay\n  c-ret: close_overlay\n  s-tab: close_overlay\n  pgup: close_overlay\n  a-ins: close_overlay\n")

# query: [limit-1 (mod 64)] ++ query
for name, limit, q in [
    ("bank-cn", 20, "银行"),
    ("pinyin", 20, "yinhang"),
    ("initials", 10, "yh"),
    ("latin", 20, "GPU"),
    ("company-filter", 30, "co:华为"),
    ("case-filter", 5, "case: 金融"),
    ("table-filter", 64, "tb:规模"),
    ("figure-filter", 8, "fig:2025"),
    ("industry-filter", 3, "ind:医疗"),
    ("section-filter", 12, "sec:大模型"),
    ("mixed", 40, "AI医疗 yl"),
    ("fullwidth", 20, "ＡＩ　１２３％"),
]:
    put("query", name, bytes([limit - 1]) + q.encode())

# ssh_input: [n packets-1 (mod 16) | 128 mouse reporting on, lengths...] ++ bytes
put("ssh_input", "keys-whole", bytes([0]) + b"j\x1b[A\x1b[B\x1bOC\x1b[D\x1b[5~\x1b[6~\x1b[H\x1b[4~\x1bOP\x1b[15~\x1b[24~\x04\x7f\r\x1bx\x1b[1;5C")
put("ssh_input", "chinese-split", bytes([4, 1, 2, 1, 5]) + "华福证券中关村".encode())
put("ssh_input", "paste-split", bytes([3, 4, 9, 2]) + "\x1b[200~中关村\r\n\x1b[201~j".encode())
put("ssh_input", "esc-split", bytes([5, 1, 1, 2, 1, 3]) + b"\x1b\x1b[A\x1bO\x1b[1;3D\x1b\x1bx\xe4\xb8x\xff\x80")
put("ssh_input", "crlf", bytes([1, 1]) + b"\r\n\r\n\t\x00\x1c")
put("ssh_input", "mouse-split", bytes([128 | 4, 3, 5, 2, 7]) + b"\x1b[<0;12;5M\x1b[<0;12;5m\x1b[<65;3;4M\x1b[M ,%\x1b[<64;1;1Mj")
put("ssh_input", "mouse-garbage", bytes([128 | 2, 9, 4]) + b"\x1b[<0;99999999;5M\x1b[<;;M\x1b[<0;1;2;3M\x1b[<-1;1;1M\x1b[<255;0;0M\x1b[<\xff;1;1M\x1b[M\x1b[M\xff\x1b[<0;1")
put("ssh_input", "mouse-off", bytes([0]) + b"\x1b[<0;12;5M\x1b[M ,%j")

# app: [w-1 (mod 250), h-1 (mod 80), flags, packet-1 (mod 32), w2-1, h2-1] ++ client bytes
# flags: 1 ascii; 2-4 colour depth (none, 16, 256, true colour); 8 resize halfway; 16 mouse reporting on
# proxy: a connection's first bytes (the audit's N4 cases, and good headers)
V2 = b"\r\n\r\n\0\r\nQUIT\n"
put("proxy", "v1-tcp4", b"PROXY TCP4 203.0.113.7 10.0.0.1 5555 2222\r\nSSH-2.0-x\r\n")
put("proxy", "v1-tcp6", b"PROXY TCP6 2001:db8::1 2001:db8::2 4000 22\r\n")
put("proxy", "v1-unknown", b"PROXY UNKNOWN\r\nSSH-2.0-x\r\n")
put("proxy", "v1-port-99999", b"PROXY TCP4 1.2.3.4 5.6.7.8 99999 22\r\n")
put("proxy", "v1-family-mismatch", b"PROXY TCP4 2001:db8::1 5.6.7.8 1 22\r\n")
put("proxy", "v1-too-long", b"PROXY " + b"1" * 200)
put("proxy", "v1-non-ascii", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 中\r\n".encode())
put("proxy", "p-only", b"P" * 300)
put("proxy", "v2-tcp4", V2 + bytes([0x21, 0x11, 0, 12, 198, 51, 100, 9, 10, 0, 0, 1, 0x1F, 0x90, 0, 22]) + b"SSH-")
put("proxy", "v2-tcp6", V2 + bytes([0x21, 0x21, 0, 36]) + bytes(range(1, 17)) + bytes(16) + bytes([0x0F, 0xA0, 0, 22]))
put("proxy", "v2-local", V2 + bytes([0x20, 0x00, 0, 0]))
put("proxy", "v2-unix", V2 + bytes([0x21, 0x31, 0, 216]) + bytes(216))
put("proxy", "v2-tlvs", V2 + bytes([0x21, 0x11, 0x01, 0xFE]) + bytes(12) + bytes([0x04, 0x01, 0xEF]) + bytes(495))
put("proxy", "v2-version-3", V2 + bytes([0x31, 0x11, 0, 12]) + bytes(12))
put("proxy", "v2-cmd-f", V2 + bytes([0x2F, 0x11, 0, 12]) + bytes(12))
put("proxy", "v2-ipv4-length-4", V2 + bytes([0x21, 0x11, 0, 4, 1, 2, 3, 4]))
put("proxy", "v2-length-65535-short", V2 + bytes([0x21, 0x11, 0xFF, 0xFF]) + bytes(10))
put("proxy", "eleven-bytes", V2[:11])


def app(name, w, h, flags, packet, w2, h2, script):
    put("app", name, bytes([w - 1, h - 1, flags, packet - 1, w2 - 1, h2 - 1]) + script.encode())

app("chart-panic-F2", 80, 25, 2, 1, 80, 25, "3\rjjj\rjc\x1b&")
app("finder-open", 120, 40, 2, 4, 120, 40, "s银行\x1b[B\x1b[B\r")
app("finder-paste", 100, 30, 6, 32, 100, 30, "s\x1b[200~华为\x1b[201~\r")
app("help-scroll", 60, 20, 1 | 8, 2, 30, 10, "?jjjjG?")
app("find-in-page", 90, 30, 4, 3, 90, 30, "l/AI\rnnN\x1b")
app("industries", 200, 60, 2 | 8, 8, 20, 5, "i\x1b[B\x1b[B\r]][jjwb")
app("company-page", 80, 24, 2, 5, 80, 24, "sco:华为\r\rjjG\x1b")
app("narrow-nav", 20, 5, 1, 1, 1, 1, "\tjjl\t\x1b[6~\x1b[5~gg")
app("tiny", 1, 1, 8, 1, 250, 80, "3\r\r?s\x1b[A")
# Clicks on tree rows (twice: open), the wheel over both panes, the finder
# clicked and double-clicked, `z`, `+`, `-`, and garbage reports.
app("mouse", 80, 24, 2 | 16, 3, 50, 12,
    "\x1b[<0;6;4M\x1b[<0;6;4m\x1b[<0;6;4M\x1b[<65;40;10M\x1b[<65;3;10M\x1b[<64;40;10M"
    "z\x1b[<0;40;10M+++--\x1b[<0;2;2M"
    "s银行\x1b[<0;5;4M\x1b[<0;5;4M\x1b[<0;5;4M\x1b[<65;60;15M"
    "\x1b[<0;99999;5M\x1b[<;;M\x1b[M\xff\xff\xff")
