#!/usr/bin/env python3
"""A webhook receiver for tests, independent of Sluice's code: it checks each post's
Sluice-Signature with Python's own hmac (HMAC-SHA256 over "t.body", t within 5 minutes,
constant-time compare) and records what came.

Usage: webhook_receiver.py SECRET PORT   (PORT 0: any; the port is printed as "listening PORT")
Control: POST /control?fail=N (fail the next N posts with 500), fail=always, fail=0.
         GET /received: every post so far as JSON (status answered, verified, body).
"""
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

SECRET = sys.argv[1].encode()
PORT = int(sys.argv[2])
LOCK = threading.Lock()
STATE = {"fail": 0}
RECEIVED = []


def verify(header, body):
    parts = dict(p.strip().split("=", 1) for p in (header or "").split(",") if "=" in p)
    if "t" not in parts or "v1" not in parts:
        return False
    if abs(time.time() - int(parts["t"])) > 300:
        return False
    expected = hmac.new(SECRET, parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, payload=b""):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        if self.path == "/received":
            with LOCK:
                payload = json.dumps(RECEIVED).encode()
            self.answer(200, payload)
        else:
            self.answer(404)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urlparse(self.path)
        if url.path == "/control":
            fail = parse_qs(url.query).get("fail", ["0"])[0]
            with LOCK:
                STATE["fail"] = -1 if fail == "always" else int(fail)
            self.answer(204)
            return
        with LOCK:
            failing = STATE["fail"] != 0
            if STATE["fail"] > 0:
                STATE["fail"] -= 1
            status = 500 if failing else 200
            RECEIVED.append({
                "status": status,
                "verified": verify(self.headers.get("Sluice-Signature"), body),
                "webhookId": self.headers.get("Sluice-Webhook-Id"),
                "body": json.loads(body),
            })
        self.answer(status)


server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
