"""Search as a reader meets it: queries through the real search page in headless Chromium.

    python bench/search_bench.py                 # a 10,000-article synthetic site
    python bench/search_bench.py --size 1000

Builds the synthetic corpus (bench/synth.py), serves output/site over HTTP, opens /search/
once per query, types the query into the header's box and submits it, and reports for each
query: the hits, the time the page's own code took to answer (data-ms: index fetched and
decoded, occurrences counted), the time until the first page of results was drawn, and the
bytes of index fetched for it (everything under /search/ but the page itself; the texts of
the ten hits shown are counted apart). Queries: the commonest 5-character run of the corpus
(in nearly every article), common 2- and 4-character words, a rare one and an absent one.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import functools
import http.server
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

CHROMIUM = "/usr/bin/chromium"
TODAY = dt.date(2026, 11, 1)


def build(root: Path) -> None:
    from xindelu.build import pipeline
    from xindelu.build.writer import write_outputs

    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False))
    assert not result.errors, result.errors[:3]
    write_outputs(result.outputs, root / "output")


def queries(root: Path) -> list[tuple[str, str]]:
    """(label, query): picked from the corpus by how many articles hold them."""
    from synth import SUBJECTS

    docs: collections.Counter[str] = collections.Counter()
    for file in sorted((root / "content" / "articles").rglob("*.md"))[:2000]:
        text = file.read_text("utf-8").split("\n---", 1)[-1]  # the body: front matter is not searched
        runs = set()
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            for n in (2, 4, 5):
                runs.update((n, run[i : i + n]) for i in range(len(run) - n + 1))
        docs.update(f"{n}:{s}" for n, s in runs)
    by_size = {n: [k.split(":", 1)[1] for k, _ in docs.most_common() if k.startswith(f"{n}:")] for n in (2, 4, 5)}
    rare = [k.split(":", 1)[1] for k, c in docs.items() if k.startswith("4:") and c == 1]
    return [
        ("5 字，最常见", by_size[5][0]),
        ("2 字，最常见", by_size[2][0]),
        ("4 字，常见", by_size[4][len(by_size[4]) // 20]),
        ("4 字，本语料中最少见", sorted(rare)[0] if rare else by_size[4][-1]),
        ("不存在", "量子纠缠"),
        ("两个词", f"{by_size[2][3]} {by_size[4][10]}"),
        ("4 字，篇篇多次出现", max(SUBJECTS, key=lambda s: docs[f"4:{s}"])),
    ]


def serve(folder: Path) -> tuple[str, http.server.ThreadingHTTPServer]:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/", server


def measure(base: str, query: str, browser) -> dict:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(base + "search/")
    page.wait_for_selector("[data-done='1']")
    fetched = {"index": 0, "texts": 0}

    def count(response) -> None:  # type: ignore[no-untyped-def]
        path = response.url.split("/search/", 1)[-1]
        if "/search/" in response.url and path:
            fetched["texts" if path.startswith("d/") else "index"] += len(response.body())

    page.on("response", count)
    started = time.perf_counter()
    page.fill("#q-nav", query)
    page.press("#q-nav", "Enter")
    page.wait_for_selector("[data-done='2']")
    drawn = (time.perf_counter() - started) * 1000
    status = page.locator(".search-status").inner_text()
    ms = float(page.get_attribute(".search-box, [data-index]", "data-ms") or "nan")
    page.close()
    return {"status": status, "ms": ms, "drawn_ms": drawn, **fetched}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=3, help="per query; the median is shown")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    from synth import write_corpus

    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    root = write_corpus(work / "site", args.size)
    build(root)
    base, server = serve(root / "output" / "site")
    print("| 查询 | 词 | 结果 | 查询用时 | 到结果画出 | 索引下载 | 所显示 10 篇的正文 |\n|---|---|---|---|---|---|---|")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for label, query in queries(root):
            runs = sorted((measure(base, query, browser) for _ in range(args.runs)), key=lambda r: r["ms"])
            r = runs[len(runs) // 2]
            print(
                f"| {label} | {query} | {r['status']} | {r['ms']:.0f} ms | {r['drawn_ms']:.0f} ms "
                f"| {r['index'] / 1024:.0f} KB | {r['texts'] / 1024:.0f} KB |",
                flush=True,
            )
        browser.close()
    server.shutdown()
    total = sum(f.stat().st_size for f in (root / "output" / "site" / "search").rglob("*") if f.is_file())
    print(
        f"\n{args.size} 篇文章；索引文件共 {total / 1e6:.1f} MB（{len(list((root / 'output/site/search').rglob('*')))} 个）"
    )


if __name__ == "__main__":
    main()
