"""A slow HTTP SMS gateway for crash tests: records every request's `id`
query parameter (one line per request, flushed before answering), sleeps
`--delay` seconds, then answers 202."""

import argparse
import http.server
import sys
import time
import urllib.parse


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--delay", type=float, default=0.01)
    args = p.parse_args()
    log = open(args.log, "a", buffering=1)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            log.write(query.get("id", ["?"])[0] + "\n")
            log.flush()
            time.sleep(args.delay)
            body = b"0: Accepted for delivery"
            self.send_response(202)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
