"""A slow HTTP SMS gateway for crash tests: records every request's `id`
query parameter (one line per request, flushed before answering), sleeps
`--delay` seconds (request number `--stall-at` sleeps `--stall` seconds, so
that a test can kill the sender while that request is in flight), then
answers 202."""

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
    p.add_argument("--stall-at", type=int, default=0)
    p.add_argument("--stall", type=float, default=0.0)
    args = p.parse_args()
    log = open(args.log, "a", buffering=1)
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            log.write(query.get("id", ["?"])[0] + "\n")
            log.flush()
            count[0] += 1
            time.sleep(args.stall if count[0] == args.stall_at else args.delay)
            body = b"0: Accepted for delivery"
            try:
                self.send_response(202)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender was killed while this request was in flight

        def log_message(self, *a):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("READY", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
