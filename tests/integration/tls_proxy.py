#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A loopback TLS terminator for the https tests of `cmc enroll`: accepts HTTPS on a free
# 127.0.0.1 port with the given certificate and key, forwards each POST to the plain-HTTP
# cmcd URL, and returns its answer. Writes the chosen port to PORTFILE when it listens.
#
# usage: tls_proxy.py CERT KEY UPSTREAM-URL PORTFILE
import http.server
import os
import ssl
import sys
import urllib.error
import urllib.request

cert, key, upstream, portfile = sys.argv[1:5]
# Loopback only: never through a proxy from the environment.
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        req = urllib.request.Request(
            upstream, data=body, headers={"Content-Type": self.headers["Content-Type"]}
        )
        try:
            resp = opener.open(req, timeout=20)
            code = resp.status
        except urllib.error.HTTPError as e:
            resp = e
            code = e.code
        data = resp.read()
        self.send_response(code)
        self.send_header("Content-Type", resp.headers.get("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
