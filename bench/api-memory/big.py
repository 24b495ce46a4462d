#!/usr/bin/env python3
"""Sends N copies of one large message at the same moment, over SMTP or through the sending API.

  big.py smtp HOST PORT N SIZE
  big.py api  URL  KEY  N SIZE

The message is the same either way: a short text and one attachment of random bytes, sized so that
the MIME message is about SIZE bytes (base64 is a third larger than the bytes it carries). Over SMTP
it is built with Python's email package and sent with smtplib; through the API it is the JSON a
client would post (the attachment base64 in "content"). Exits non-zero unless every copy was accepted.
"""
import base64
import http.client
import json
import os
import smtplib
import sys
import threading
import urllib.parse
from email.message import EmailMessage
from email import policy


def attachment(size):
    # Base64 with line ends: 4/3 the bytes, plus 2 bytes per 76 characters.
    return os.urandom(int(size * 0.73))


def smtp(host, port, n, size):
    data = attachment(size)
    msg = EmailMessage()
    msg["From"] = "big@src.example"
    msg["To"] = "big@bench.example"
    msg["Subject"] = "big message"
    msg.set_content("See the attachment.")
    msg.add_attachment(data, maintype="application", subtype="octet-stream", filename="big.bin")
    raw = msg.as_bytes(policy=policy.SMTP)
    return [lambda: send_smtp(host, port, raw) for _ in range(n)], len(raw)


def send_smtp(host, port, raw):
    with smtplib.SMTP(host, port, timeout=600) as s:
        s.ehlo("bench.example")
        s.sendmail("big@src.example", ["big@bench.example"], raw)


def api(url, key, n, size):
    data = attachment(size)
    body = json.dumps({
        "from": "big@src.example",
        "to": ["big@bench.example"],
        "subject": "big message",
        "text": "See the attachment.",
        "attachments": [{"filename": "big.bin", "content": base64.b64encode(data).decode("ascii")}],
    }).encode("ascii")
    return [lambda: post(url, key, body) for _ in range(n)], len(body)


def post(url, key, body):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    conn.request("POST", "/api/v1/messages", body, {"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    response = conn.getresponse()
    text = response.read()
    if response.status != 202:
        raise RuntimeError(f"{response.status}: {text[:300]!r}")


def main():
    mode, a, b, n, size = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    jobs, length = smtp(a, int(b), n, size) if mode == "smtp" else api(a, b, n, size)
    start = threading.Barrier(n)
    errors = []

    def run(job):
        start.wait()
        try:
            job()
        except Exception as e:  # reported below; the exit code says it failed
            errors.append(e)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(900)
    if errors or any(t.is_alive() for t in threads):
        print(f"failed: {errors[:3]}", file=sys.stderr)
        sys.exit(1)
    print(length)


main()
