"""``fusion docs serve``: target/ over HTTP on this machine (read-only, files of target/ only)."""

from __future__ import annotations

import functools
import webbrowser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fusion import events
from fusion.errors import FusionError

#: the page runs only its own script and style and loads data only from this server
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class DocsHandler(SimpleHTTPRequestHandler):
    """Static files of one folder, with headers that keep project text from ever running as code."""

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):
        """Only files inside the served folder: a link out of it is not found."""
        local = Path(self.translate_path(self.path)).resolve()
        root = Path(self.directory).resolve()
        if local != root and root not in local.parents:
            self.send_error(404, "Not found")
            return None
        return super().send_head()

    def list_directory(self, path):
        self.send_error(404, "Not found")
        return None

    def log_message(self, format: str, *args) -> None:
        events.emit("DocsRequest", format % args, level="debug")


def serve(target_path: Path, host: str, port: int, browser: bool) -> None:
    """Serve ``target_path`` until interrupted."""
    if not (target_path / "index.html").is_file():
        raise FusionError(f"no documentation site in {target_path}", hint="run `fusion docs generate` first")
    handler = functools.partial(DocsHandler, directory=str(target_path))
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as exc:
        raise FusionError(f"cannot serve the docs on {host}:{port}: {exc.strerror or exc}",
                          hint="pick another --port (or --host)") from exc
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{server.server_port}"
    with server:
        events.emit("DocsServing", f"Serving docs at {url}\nPress Ctrl+C to exit.", level="result", url=url)
        if browser:
            webbrowser.open_new_tab(url)
        server.serve_forever()
