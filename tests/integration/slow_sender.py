#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Slow senders for test_slow_clients.sh: hold COUNT connections to 127.0.0.1:PORT from the
loopback source address SRC, each sending a request head and then one body byte every
INTERVAL seconds, reconnecting at once whenever the server closes one, for DURATION
seconds. Writes "opened=N closed_by_server=M" to STATS at the end.

Loopback only: the destination is always 127.0.0.1; SRC must be in 127.0.0.0/8.
"""
import select
import socket
import sys
import time

src, port, count, duration, interval, stats = (
    sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]),
    float(sys.argv[5]), sys.argv[6])
assert src.startswith("127."), "loopback source addresses only"

HEAD = (b"POST /cmc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/pkcs10\r\nContent-Length: 4000\r\n\r\n")

opened = 0
closed = 0
socks = []


def connect():
    global opened
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(HEAD)
    except OSError:
        s.close()
        return None
    s.setblocking(False)
    opened += 1
    return s


end = time.monotonic() + duration
while len(socks) < count:
    s = connect()
    if s is not None:
        socks.append(s)
next_byte = time.monotonic() + interval
next_refill = 0.0
while time.monotonic() < end:
    # A readable socket here is one the server answered or closed: replace it.
    r, _, _ = select.select(socks, [], [], 0.05)
    for s in r:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            closed += 1
            socks.remove(s)
            s.close()
    if time.monotonic() >= next_byte:
        next_byte += interval
        for s in list(socks):
            try:
                s.send(b"x")
            except OSError:
                closed += 1
                socks.remove(s)
                s.close()
    # Refill at most 20 times a second: a refused connection (per-address limit) is closed
    # by the server at once, and reconnecting in a tight loop would only burn CPU.
    if len(socks) < count and time.monotonic() >= next_refill:
        next_refill = time.monotonic() + 0.05
        while len(socks) < count:
            s = connect()
            if s is None:
                break
            socks.append(s)
for s in socks:
    s.close()
with open(stats, "w") as f:
    f.write(f"opened={opened} closed_by_server={closed}\n")
