"""An HTTPS server for MTA-STS tests: serves /.well-known/mta-sts.txt per Host header from a JSON
map (host -> policy text), with a certificate issued by the tests' CA. Prints 'listening PORT'."""
import http.server
import json
import ssl
import sys

address, port, certificate, key, policies = sys.argv[1:6]
with open(policies, encoding="utf-8") as f:
    by_host = json.load(f)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        host = self.headers.get("Host", "").split(":")[0].lower()
        body = by_host.get(host)
        if self.path != "/.well-known/mta-sts.txt" or body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer((address, int(port)), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(certificate, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("listening", server.server_address[1], flush=True)
server.serve_forever()
