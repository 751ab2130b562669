"""A recording HTTP proxy in front of the fakesnow server, on 127.0.0.1 (test-only plumbing).

A profile pointed at it through ``host``/``port`` sends every request through it, as a profile
points at a corporate proxy or private link: the proxy forwards each request unchanged and
keeps the SQL text and parameters of every query request, so tests can see what the real
driver sent (QUERY_TAG, the DDL a model produced).
"""

from __future__ import annotations

import gzip
import http.client
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_HOP = {"host", "content-length", "connection", "transfer-encoding", "keep-alive"}


class Recorder:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.queries: list[dict] = []  # {"sql": ..., "parameters": {...}} in the order sent
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def statements(self, containing: str = "") -> list[dict]:
        with self._lock:
            return [q for q in self.queries if containing.lower() in q["sql"].lower()]

    def _record(self, path: str, body: bytes, encoding: str | None) -> None:
        if not path.startswith("/queries/v1/query-request"):
            return
        data = json.loads(gzip.decompress(body) if encoding == "gzip" else body)
        with self._lock:
            self.queries.append({"sql": data.get("sqlText", ""), "parameters": data.get("parameters") or {}})

    def _handler(self):
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder._record(self.path, body, self.headers.get("Content-Encoding"))
                upstream = http.client.HTTPConnection("127.0.0.1", recorder.upstream_port, timeout=30)
                try:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                    upstream.request(self.command, self.path, body=body, headers=headers)
                    reply = upstream.getresponse()
                    payload = reply.read()
                finally:
                    upstream.close()
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in _HOP:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _forward

        return Handler
