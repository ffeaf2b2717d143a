#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Send raw bytes to 127.0.0.1:PORT and judge the answer as docs/internals/transport.md
promises every non-CMC answer: exactly one status line and one header block, Content-Type
text/plain, a Content-Length equal to the body's length, and a body of one line.

usage: raw_http.py PORT REQUEST [--first FILE]
  REQUEST uses \\r \\n \\xNN escapes. Prints "STATUS<TAB>BODY-LINE" and exits 0 when the
  answer has that form, else prints what is wrong and exits 1. The connection must end
  (closed or a complete answer) within 5 s.
  --first FILE: send the raw request in FILE first, on the same connection; its answer must
  be a complete 200 that keeps the connection open. REQUEST is then the second request of a
  keep-alive connection, and only its answer is judged.
"""
import socket
import sys
import time

port = int(sys.argv[1])
req = sys.argv[2].encode().decode("unicode_escape").encode("latin1")
first = None
if "--first" in sys.argv[3:]:
    with open(sys.argv[sys.argv.index("--first") + 1], "rb") as f:
        first = f.read()

s = socket.create_connection(("127.0.0.1", port), timeout=5)
if first is not None:
    # Read exactly one complete answer (by its Content-Length) and leave the connection open.
    s.sendall(first)
    got = b""
    while b"\r\n\r\n" not in got:
        chunk = s.recv(65536)
        if not chunk:
            print(f"connection closed after the first request; answer was: {got[:300]!r}")
            sys.exit(1)
        got += chunk
    head, _, rest = got.partition(b"\r\n\r\n")
    hl = [l.lower() for l in head.split(b"\r\n")]
    clen = [int(l.split(b":", 1)[1]) for l in hl[1:] if l.startswith(b"content-length:")]
    if not hl[0].startswith(b"http/1.1 200") or len(clen) != 1 \
            or any(l.startswith(b"connection:") and b"close" in l for l in hl[1:]):
        print(f"first request: not a keep-alive 200 with a length: {head[:300]!r}")
        sys.exit(1)
    while len(rest) < clen[0]:
        chunk = s.recv(65536)
        if not chunk:
            print("connection closed in the middle of the first answer")
            sys.exit(1)
        rest += chunk
    if len(rest) != clen[0]:
        print(f"{len(rest) - clen[0]} bytes after the first answer")
        sys.exit(1)
s.sendall(req)
data = b""
closed = False
deadline = time.monotonic() + 5
while time.monotonic() < deadline:
    s.settimeout(max(0.05, deadline - time.monotonic()))
    try:
        chunk = s.recv(65536)
    except socket.timeout:
        break
    except ConnectionResetError:
        closed = True
        break
    if not chunk:
        closed = True
        break
    data += chunk
    head, sep, body = data.partition(b"\r\n\r\n")
    if sep:
        cl = [l.split(b":", 1)[1].strip() for l in head.split(b"\r\n")[1:]
              if l.lower().startswith(b"content-length:")]
        if cl and cl[0].isdigit() and len(body) >= int(cl[0]):
            # a complete answer; wait a moment for anything sent after it
            s.settimeout(0.3)
            try:
                data += s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                pass
            break
s.close()


def bad(why):
    print(f"{why}; answer was: {data[:600]!r}")
    sys.exit(1)


if not data.startswith(b"HTTP/1.1 "):
    bad("no HTTP/1.1 status line")
status = data[9:12].decode("latin1")
n_status = data.count(b"\r\nHTTP/1.") + 1
if n_status != 1:
    bad(f"{n_status} status lines")
head, sep, body = data.partition(b"\r\n\r\n")
if not sep:
    bad("no end of the header block")
lines = head.split(b"\r\n")[1:]
ctype = [l.split(b":", 1)[1].strip().lower() for l in lines if l.lower().startswith(b"content-type:")]
clen = [l.split(b":", 1)[1].strip() for l in lines if l.lower().startswith(b"content-length:")]
if len(ctype) != 1 or not ctype[0].startswith(b"text/plain"):
    bad(f"Content-Type {ctype}, expected one text/plain")
if len(clen) != 1 or int(clen[0]) != len(body):
    bad(f"Content-Length {clen} for a {len(body)}-byte body (a second header block?)")
if not body.endswith(b"\n") or body.count(b"\n") != 1 or len(body) < 2:
    bad("the body is not one line")
if b"<" in body:
    bad("markup in the body")
try:
    body.decode("utf-8")  # the answer says charset=utf-8
except UnicodeDecodeError:
    bad("the body is not UTF-8")
print(f"{status}\t{body[:-1].decode('utf-8', 'replace')}")
