"""`serve`: build, serve output/site/ on loopback, rebuild on change, reload open pages.

The watcher reuses the one pipeline (../shared/STYLE.md, "Watch reuses the build"): pages
first, so a reload never waits for PDFs; the search index and PDFs follow in a background
pass that never makes a save wait (ServeBuilds). A failed rebuild keeps the last good
output/ and shows the problems in the browser.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from xindelu.build import pipeline
from xindelu.build.memo import Memo
from xindelu.build.publish import build_and_write
from xindelu.commands.server import LiveState, start_server
from xindelu.content.config import load_config
from xindelu.core.errors import ContentError, ContentErrors

DEBOUNCE_SECONDS = 0.08
WATCHED = ("content", "layouts", "site_config.yaml")


class _Debouncer(FileSystemEventHandler):
    """Turns a burst of file events (an editor's save writes several) into one rebuild.

    The rebuild is told which article files changed when that is all that happened (files
    written in place, or a temp file renamed over one); anything else (a file added, removed
    or renamed, a template, the config) passes None: look at everything.
    """

    def __init__(self, root: Path, trigger: Callable[[frozenset[str] | None], None]) -> None:
        self.root = root
        self.trigger = trigger
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()
        self.changed: set[str] | None = set()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        src, dest = self._relevant(str(event.src_path)), self._relevant(str(getattr(event, "dest_path", "") or ""))
        if src is None and dest is None:
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's listing changed: the file events themselves say how
        with self.lock:
            if self.changed is not None:
                if event.event_type in ("modified", "closed") and _is_article(src):
                    self.changed.add(src)  # type: ignore[arg-type]
                elif event.event_type == "moved" and src is None and _is_article(dest):
                    self.changed.add(dest)  # type: ignore[arg-type]
                else:
                    self.changed = None
            self.timer = _restarted(self.timer, DEBOUNCE_SECONDS, self._fire)

    def _fire(self) -> None:
        with self.lock:
            changed, self.changed = self.changed, set()
        self.trigger(frozenset(changed) if changed else None)

    def _relevant(self, path: str) -> str | None:
        """``path`` relative to the root when a rebuild should look at it, else None."""
        if not path:
            return None
        try:
            rel = Path(path).resolve().relative_to(self.root)
        except ValueError:
            return None
        name = rel.name
        if name.startswith(".") or name.endswith(("~", ".swp", ".tmp")):
            return None  # editors' temporary files
        if rel.parts[:1] in (("content",), ("layouts",)) or rel.as_posix() == "site_config.yaml":
            return rel.as_posix()
        return None


def _is_article(rel: str | None) -> bool:
    return rel is not None and rel.startswith("content/articles/") and rel.endswith(".md")


def base_path_of(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


# The background pass (search index, PDFs, .cache/) waits for this much quiet after a rebuild,
# so an editor saving again and again is not made to wait for it.
FULL_PASS_DELAY = 1.0


class ServeBuilds:
    """serve's two kinds of build over one memo: quick passes (pages only, at every save) and
    the full pass behind them (search index, PDFs, .cache/).

    The full pass builds from the memo it started with, without holding the lock, so a save
    never waits for the search index or WeasyPrint; it is written only if no quick pass wrote
    in between (else it is dropped and runs again after the next quiet spell).
    """

    def __init__(self, options: pipeline.BuildOptions, memo: Memo, on_full: Callable[[], None] = lambda: None) -> None:
        self.options = options
        self.on_full = on_full  # called after a full pass was written
        self.quick_options = dataclasses.replace(options, pdf=False, quick=True)
        self.memo = memo
        self.lock = threading.Lock()  # one quick pass or one write at a time
        self.generation = 0  # quick passes written so far
        self.full_running = threading.Lock()
        self.timer: threading.Timer | None = None
        self.timer_lock = threading.Lock()

    def quick(self, changed: frozenset[str] | None = None) -> tuple[tuple[ContentError, ...], int]:
        with self.lock:
            published = build_and_write(self.quick_options, self.memo, changed, save=False)
            self.memo = published.memo
            if published.stats is not None:
                self.generation += 1
        return published.errors, published.stats.written if published.stats is not None else 0

    def _take(self, memo: Memo) -> None:  # called with the lock held
        self.memo = memo

    def schedule_full(self, delay: float = FULL_PASS_DELAY) -> None:
        with self.timer_lock:
            self.timer = _restarted(self.timer, delay, self.full)

    def full(self) -> bool:
        """The full pass; True when it was written."""
        if not self.full_running.acquire(blocking=False):  # one at a time: try again later
            self.schedule_full()
            return False
        try:
            with self.lock:
                generation = self.generation
            published = build_and_write(
                self.options,
                self.memo,
                writing=lambda: self.lock,
                still_wanted=lambda: generation == self.generation,
                on_written=self._take,
            )
            if published.errors:  # the quick pass passed, so these are the PDFs' (e.g. no CJK font) or the disk's
                sys.stderr.write("\n".join(e.format() for e in published.errors) + "\n")
                return False
            if published.dropped:  # a save came in meanwhile: its pages are newer
                self.schedule_full()
                return False
            self.on_full()
            return True
        finally:
            self.full_running.release()


def serve(options: pipeline.BuildOptions, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Run until Ctrl-C. Returns the exit code."""
    state = LiveState()

    def full_pass_written() -> None:
        if options.pdf:
            print("PDF 和搜索索引已更新。", flush=True)

    builds = ServeBuilds(options, Memo.open(options.root), full_pass_written)

    def rebuild(changed: frozenset[str] | None = None) -> None:
        started = time.perf_counter()
        errors, written = builds.quick(changed)
        problems = tuple(e.format() for e in errors)
        if problems:
            sys.stderr.write("\n".join(problems) + "\n")
            sys.stderr.write("内容有错误：浏览器中显示错误说明，网站仍是上一次成功生成的版本。\n")
        else:
            print(f"已重新生成（{time.perf_counter() - started:.2f} 秒），写出 {written} 个文件。", flush=True)
        state.publish(problems)
        if not problems:
            builds.schedule_full()

    rebuild()
    try:
        base = base_path_of(load_config(options.root).site.base_url)
    except ContentErrors:  # shown by the first build already
        base = "/"
    site_dir = options.root / "output" / "site"
    try:
        server = start_server(site_dir, base, state, host, port)
    except OSError as exc:
        sys.stderr.write(f"无法在 {host}:{port} 启动预览服务：{exc.strerror or exc} — 换一个端口，如 --port 8001\n")
        return 2
    observer = Observer()
    handler = _Debouncer(options.root.resolve(), rebuild)
    for name in WATCHED:
        target = options.root / name
        if target.is_dir():
            observer.schedule(handler, str(target), recursive=True)
    observer.schedule(handler, str(options.root), recursive=False)  # site_config.yaml
    observer.start()
    print(f"预览地址：http://{host}:{server.server_address[1]}{base}  （按 Ctrl-C 停止）", flush=True)
    try:
        while observer.is_alive():
            observer.join(0.5)
    except KeyboardInterrupt:
        print("\n已停止预览。")
    finally:
        observer.stop()
        server.closing = True  # type: ignore[attr-defined]
        server.shutdown()
    return 0


def _restarted(timer: threading.Timer | None, delay: float, action: Callable[[], object]) -> threading.Timer:
    """A new timer for ``action`` in place of ``timer`` (cancelled if still waiting)."""
    if timer is not None:
        timer.cancel()
    timer = threading.Timer(delay, action)
    timer.daemon = True
    timer.start()
    return timer
