"""A minimal OTLP/HTTP sink for benchmarks: accepts every POST with 200 and an empty body, counts requests and
bytes per path, and prints the counts when stopped (SIGTERM or SIGINT). Not a collector: nothing is decoded.

    python3 scripts/bench/otlp_sink.py --port 4318
"""
import argparse
import http.server
import signal
import sys
import threading

counts = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        with lock:
            requests, size = counts.get(self.path, (0, 0))
            counts[self.path] = (requests + 1, size + length)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)

    def stop(*_):
        with lock:
            for path, (requests, size) in sorted(counts.items()):
                print(f"sink {path} requests {requests} bytes {size}", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
