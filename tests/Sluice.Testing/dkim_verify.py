#!/usr/bin/env python3
"""Verifies every DKIM-Signature of a message with dkimpy (Debian's python3-dkim), independent of
Sluice's code, looking the public keys up in the test's dnsmasq (dnspython, given port).

Usage: dkim_verify.py DNS_PORT MESSAGE_FILE
Prints one JSON line: [{"d": ..., "s": ..., "a": ..., "ok": true|false}, ...] in header order.
"""
import json
import sys

import dkim
import dns.resolver

port = int(sys.argv[1])
message = open(sys.argv[2], "rb").read()
resolver = dns.resolver.Resolver(configure=False)
resolver.nameservers = ["127.0.0.1"]
resolver.port = port


def dnsfunc(name, timeout=5):
    name = name.decode() if isinstance(name, bytes) else name
    answer = resolver.resolve(name.rstrip("."), "TXT", lifetime=timeout)
    return b"".join(b"".join(r.strings) for r in answer)


header_block = message.split(b"\r\n\r\n", 1)[0]
count = sum(1 for line in header_block.split(b"\r\n") if line.lower().startswith(b"dkim-signature:"))
results = []
for i in range(count):
    d = dkim.DKIM(message)
    ok = d.verify(idx=i, dnsfunc=dnsfunc)
    fields = d.signature_fields or {}
    results.append({
        "d": fields.get(b"d", b"").decode(),
        "s": fields.get(b"s", b"").decode(),
        "a": fields.get(b"a", b"").decode(),
        "ok": bool(ok),
    })
print(json.dumps(results))
