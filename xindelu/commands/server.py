"""The preview server of `serve`: output/site/ on loopback, with live reload and an error overlay.

Serves files only from inside the site folder: percent-encoded `..`, absolute
paths and symlinks that lead out are refused. The reload snippet and the error
overlay are added to HTML responses here, on the fly, so they never reach a
normal build's files.
"""

from __future__ import annotations

import html
import mimetypes
import posixpath
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

EVENTS_PATH = "/__xindelu/events"
RELOAD_SNIPPET = (
    "<script>(function(){var s=new EventSource('" + EVENTS_PATH + "');"
    "s.onmessage=function(e){if(e.data==='reload'){location.reload();}};})();</script>"
)
_OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(30,0,0,.92);color:#fff;"
    "font:16px/1.7 system-ui,'Noto Sans CJK SC',sans-serif;padding:2em;white-space:pre-wrap"
)


@dataclass
class LiveState:
    """What the watcher tells the server: a build counter and the last build's problems.

    Shared between the watcher thread and request threads, guarded by ``changed``.
    """

    version: int = 0
    problems: tuple[str, ...] = ()
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: tuple[str, ...] = ()) -> None:
        with self.changed:
            self.version += 1
            self.problems = problems
            self.changed.notify_all()


def overlay_html(problems: tuple[str, ...]) -> str:
    items = "\n".join(html.escape(p) for p in problems)
    return (
        f'<div id="xindelu-error-overlay" role="alert" style="{_OVERLAY_STYLE}">'
        "<strong>内容有错误，页面仍显示上一次成功生成的结果。改正后保存，页面会自动刷新。</strong>\n\n"
        f"{items}</div>"
    )


def resolve_request(site_dir: Path, base_path: str, raw_path: str) -> Path | None:
    """Map a URL path to a file inside ``site_dir``; None when it is outside or absent."""
    path = unquote(urlsplit(raw_path).path)
    if "\x00" in path or "\\" in path:
        return None
    if base_path != "/" and path.startswith(base_path):
        path = "/" + path[len(base_path) :]
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        return None
    normal = posixpath.normpath("/" + "/".join(parts))
    root = site_dir.resolve()
    target = (root / normal.lstrip("/")).resolve()
    if target != root and root not in target.parents:
        return None  # a symlink that leads out of the site
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


def make_handler(site_dir: Path, base_path: str, state: LiveState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "xindelu"

        def log_message(self, format: str, *args: object) -> None:  # quiet: the terminal is for build messages
            return

        def do_GET(self) -> None:
            if self.path == EVENTS_PATH:
                self._events()
                return
            if base_path != "/" and urlsplit(self.path).path in ("/", ""):
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", base_path)
                self.end_headers()
                return
            target = resolve_request(site_dir, base_path, self.path)
            status = HTTPStatus.OK
            if target is None:
                status = HTTPStatus.NOT_FOUND
                fallback = site_dir / "404.html"
                target = fallback if fallback.is_file() else None
            if target is None:
                self._send(status, b"404", "text/plain; charset=utf-8")
                return
            body = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html":
                body = self._inject(body)
                kind += "; charset=utf-8"
            elif kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._send(status, body, kind)

        def _inject(self, body: bytes) -> bytes:
            extra = RELOAD_SNIPPET
            if state.problems:
                extra = overlay_html(state.problems) + extra
            text = body.decode("utf-8", errors="replace")
            index = text.rfind("</body>")
            text = text[:index] + extra + text[index:] if index >= 0 else text + extra
            return text.encode("utf-8")

        def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            with state.changed:
                seen = state.version
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while not getattr(self.server, "closing", False):
                    with state.changed:
                        state.changed.wait_for(lambda last=seen: state.version != last, timeout=15)
                        current = state.version
                    if current != seen:
                        seen = current
                        self.wfile.write(b"data: reload\n\n")
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


def start_server(site_dir: Path, base_path: str, state: LiveState, host: str, port: int) -> ThreadingHTTPServer:
    """Start serving in a daemon thread; the caller stops it with shutdown()."""
    server = ThreadingHTTPServer((host, port), make_handler(site_dir, base_path, state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="xindelu-http", daemon=True).start()
    return server
