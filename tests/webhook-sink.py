#!/usr/bin/python3
"""webhook-sink.py: an HTTP server on loopback that plays a chat tool's incoming webhook.

usage: webhook-sink.py DIR [--port N]

Ends when its standard input does (the test that started it ended, even by a crash).
Prints the port it listens on as its first line. Each POST is saved as DIR/NNNN.json (0001
first): its path, headers (lower-case names), body and the status it was answered. The query
says what to answer: ?fail=N answers 500 to the first N POSTs to that URL, ?status=CODE always
answers CODE; else 200.
"""

import argparse
import collections
import http.server
import json
import os
import sys
import threading
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    lock = threading.Lock()
    seen = collections.Counter()
    count = 0
    directory = None

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        with Handler.lock:
            Handler.seen[self.path] += 1
            Handler.count += 1
            number = Handler.count
            tries = Handler.seen[self.path]
        status = 200
        if "status" in query:
            status = int(query["status"][0])
        elif "fail" in query and tries <= int(query["fail"][0]):
            status = 500
        record = {
            "path": self.path,
            "headers": {name.lower(): value for name, value in self.headers.items()},
            "body": body.decode("utf-8", errors="replace"),
            "status": status,
        }
        base = os.path.join(Handler.directory, "%04d" % number)
        with open(base + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(base + ".tmp", base + ".json")
        reply = b"ok\n" if status < 300 else b"failing as told\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format, *args):
        pass


def exit_with_stdin():
    """The test holds the other end of standard input: its end, even a crash, ends this."""
    def watch():
        sys.stdin.buffer.read()
        os._exit(0)
    threading.Thread(target=watch, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    exit_with_stdin()
    Handler.directory = args.directory
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
