"""Anthology PDF benchmark: wall time and peak memory of the print edition for N articles.

``measure_anthology(n)`` writes a synthetic site (bench/synth.py) with an anthology manifest
over its articles in four parts, then renders the print edition in a child process. Peak
memory, from one more run that is not timed, is that of the whole process tree (the renderer
forks workers): the larger of the summed PSS sampled from /proc every 20 ms (pages a forked
worker shares with its parent counted once) and the kernel's ``ru_maxrss`` of the children;
the summed RSS (which counts shared pages in every process) and the CPU time of the tree are
reported beside it.

    python bench/pdf_bench.py [--runs 3] [--sizes 100,1000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import write_corpus  # noqa: E402

PARTS = [
    ("学而思", "在思想理论上的收获"),
    ("学而信", "在坚定理想信念上的收获"),
    ("学而用", "在推动工作上的收获"),
    ("学而行", "在干事创业上的收获"),
]

# The child: load the site, render the print edition, write it, print a JSON line.
CHILD = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from xindelu.print.anthology import print_layout_dirs, render_anthology
from xindelu.content.config import load_config
from xindelu.content.load import load_content
root = Path(sys.argv[1])
config = load_config(root)
content = load_content(root, config, proofread=False)
assert not content.errors, [e.format() for e in content.errors[:5]]
loaded = time.perf_counter()
kwargs = {"cache_dir": root / ".cache"} if "cache_dir" in render_anthology.__kwdefaults__ else {}
book = render_anthology(config, content, "print", print_layout_dirs(root), **kwargs)
done = time.perf_counter()
Path(sys.argv[2]).write_bytes(book.data)
print(json.dumps({"pages": book.pages, "load_s": loaded - started, "render_s": done - loaded}))
"""


def write_anthology_site(root: Path, n_articles: int) -> Path:
    """A synthetic site with ``n_articles`` articles, all in an anthology of four parts."""
    write_corpus(root, n_articles)
    book = root / "content" / "anthology"
    book.mkdir(parents=True)
    for name in ("preface.md", "afterword.md"):
        shutil.copy(REPO / "content" / "anthology" / name, book / name)
    slugs = [f"a{i:05d}" for i in range(n_articles)]
    lines = [
        "title: 合成文集",
        "subtitle: 基准测试用",
        "editor: 基准测试 编",
        "publisher: 测试出版社",
        "year: 2026",
        "preface: preface.md",
        "afterword: afterword.md",
        "parts:",
    ]
    per_part = -(-n_articles // len(PARTS))
    for i, (title, subtitle) in enumerate(PARTS):
        lines += [f"  - title: {title}", f"    subtitle: {subtitle}", "    articles:"]
        lines += [f"      - {slug}" for slug in slugs[i * per_part : (i + 1) * per_part]] or ["      []"]
    (book / "anthology.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _tree_mb(pid: int) -> tuple[float, float]:
    """Summed RSS and summed PSS (shared pages divided among their sharers) of ``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21])
    total, pss, stack = 0, 0, [pid]
    while stack:
        current = stack.pop()
        total += rss.get(current, 0)
        pss += _pss_kb(current)
        stack.extend(children.get(current, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20, pss / 1024


def run_child(root: Path, out: Path, env: dict[str, str] | None = None, sample_memory: bool = False) -> dict:
    """Render the print edition of ``root`` in a child process; wall, CPU, pages, and with
    ``sample_memory`` the peak RSS and PSS of the process tree. Sampling is not done in timed
    runs: reading every process's smaps 50 times a second took a fifth of a core here."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    before, cpu_before = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
    )
    peak = [0.0, 0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.02):
            rss, pss = _tree_mb(proc.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    stdout, _ = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    if sample_memory:
        sampler.join()
    if proc.returncode:
        raise RuntimeError(f"renderer failed ({proc.returncode})")
    result = json.loads(stdout.strip().splitlines()[-1])
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    maxrss = usage.ru_maxrss
    single = maxrss / 1024 if maxrss > before else 0.0  # only meaningful if this child set a new max
    return {
        "wall_s": wall,
        # The tree's memory: PSS counts pages the forked workers share with their parent once.
        "peak_mb": max(peak[1], single),
        "peak_rss_sum_mb": peak[0],
        "max_process_rss_mb": single,
        "cpu_s": usage.ru_utime + usage.ru_stime - cpu_before,
        "pages": result["pages"],
        "load_s": result["load_s"],
        "render_s": result["render_s"],
        "bytes": out.stat().st_size,
    }


def _both_editions_once(root: Path):
    """Cold `python build.py build` minus cold `python build.py build --no-pdf` on ``root``:
    (the difference, the full build's TimedRun)."""
    from anchors import run_timed

    def cold(*extra: str):
        for name in ("output", ".cache"):
            shutil.rmtree(root / name, ignore_errors=True)
        os.sync()
        return run_timed([sys.executable, str(REPO / "build.py"), "build", "--root", str(root), *extra], cwd=REPO)

    pages_only = cold("--no-pdf")
    full = cold()
    return full.wall_s - pages_only.wall_s, full


def _both_editions_summary(root: Path, pairs: list) -> dict:
    """What a user waits for the book (see _both_editions_once): the median difference of
    ``pairs`` (the book's time varied by a third between single runs in one hour), and the
    largest process's peak memory of the full builds (the kernel's ru_maxrss), the largest."""
    from anchors import pdf_pages

    pairs = sorted(pairs, key=lambda pair: pair[0])
    both_s, full = pairs[len(pairs) // 2]
    books = sorted((root / "output").rglob("*.pdf"))
    return {
        "both_s": both_s,
        "both_full_s": full.wall_s,
        "both_peak_mb": max(pair[1].peak_mb for pair in pairs),
        "both_pages": [pdf_pages(book) for book in books],
        "both_runs": len(pairs),
    }


def measure_anthology(
    n_articles: int, runs: int = 1, keep_cache: bool = False, anchors: bool = False, both: bool = False
) -> dict:
    """Cold render of the print edition of an ``n_articles`` anthology: median wall_s, peak_mb, pages.

    Each run starts without the chunk cache (``<root>/.cache/``) unless ``keep_cache``.
    ``anchors``: also XeLaTeX (ctexbook via pandoc) on the same articles, same parts
    (``xelatex_s``, ``xelatex_pages``, ``xelatex_mb``); ``both``: also both editions as
    ``python build.py`` makes them (see _both_editions_once). The measures are taken round by
    round (XeLaTeX, both editions, the print edition; again), not each in a block of its own:
    this machine's speed drifts by a quarter within minutes, and a ratio means something only
    when its two figures were measured at the same pace.
    """
    extra: dict = {}
    with tempfile.TemporaryDirectory(prefix="xdl-pdf-bench-") as tmp:
        root = write_anthology_site(Path(tmp) / "site", n_articles)
        tex, pairs, results = [], [], []
        for _ in range(runs):
            if anchors:
                from anchors import measure_xelatex

                tex.append(measure_xelatex(root, Path(tmp), PARTS))
            if both:
                pairs.append(_both_editions_once(root))
            if not keep_cache:
                shutil.rmtree(root / ".cache", ignore_errors=True)
            results.append(run_child(root, Path(tmp) / "book.pdf"))
        if tex:
            tex.sort(key=lambda t: t.wall_s)
            median = tex[len(tex) // 2]
            extra.update(xelatex_s=median.wall_s, xelatex_pages=median.pages, xelatex_mb=median.peak_mb)
        if pairs:
            extra.update(_both_editions_summary(root, pairs))
        shutil.rmtree(root / "output", ignore_errors=True)
        if not keep_cache:
            shutil.rmtree(root / ".cache", ignore_errors=True)
        memory = run_child(root, Path(tmp) / "book.pdf", sample_memory=True)  # one more, not timed
    return {
        "wall_s": statistics.median(r["wall_s"] for r in results),
        "peak_mb": memory["peak_mb"],
        "peak_rss_sum_mb": memory["peak_rss_sum_mb"],
        "cpu_s": statistics.median(r["cpu_s"] for r in results),
        "pages": results[0]["pages"],
        "render_s": statistics.median(r["render_s"] for r in results),
        "load_s": statistics.median(r["load_s"] for r in results),
        "bytes": results[0]["bytes"],
        "runs": runs,
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument(
        "--anchors", action="store_true", help="also XeLaTeX on the same articles (installs it if missing), with ratios"
    )
    args = parser.parse_args()
    from reference import compile_package, line, machine_speed

    compile_package()

    if args.anchors:
        from anchors import ensure_tools

        ensure_tools()
    before = machine_speed()
    sizes = [int(x) for x in args.sizes.split(",")]
    measured = {}
    print(
        f"{'articles':>8} {'pages':>6} {'wall s':>7} {'render s':>8} {'CPU s':>6} {'peak MB':>8}"
        f" {'RSS sum':>8} {'PDF MB':>7}"
    )
    for n in sizes:
        # both editions as `python build.py` makes them: the target, at the largest size
        r = measure_anthology(n, runs=args.runs, anchors=args.anchors, both=args.anchors and n == max(sizes))
        measured[n] = r
        print(
            f"{n:>8} {r['pages']:>6} {r['wall_s']:>7.1f} {r['render_s']:>8.1f} {r['cpu_s']:>6.1f} {r['peak_mb']:>8.0f}"
            f" {r['peak_rss_sum_mb']:>8.0f} {r['bytes'] / 2**20:>7.1f}",
            flush=True,
        )
    if args.anchors:
        from anchors import ratios_table

        print()
        print(xelatex_lines(measured))
        print()
        print(ratios_table(anthology_target_rows(measured)))
    print(line(before, machine_speed()))
    if args.anchors:
        print(f"load average at the end: {Path('/proc/loadavg').read_text().split()[0]}")


def xelatex_lines(measured: dict[int, dict]) -> str:
    """Ours beside XeLaTeX, absolute figures and the ratio, per size."""
    lines = [
        "| anthology | ours, print edition | XeLaTeX (ctexbook via pandoc) | ratio |"
        " both editions, `python build.py` | ratio |",
        "|---|---|---|---|---|---|",
    ]
    for n, r in measured.items():
        both = f"{r['both_s']:.1f} s, {r['both_peak_mb']:.0f} MB, pages {r['both_pages']}" if "both_s" in r else "—"
        both_ratio = f"{r['both_s'] / r['xelatex_s']:.2f}×" if "both_s" in r else "—"
        lines.append(
            f"| {n:,} articles | {r['wall_s']:.1f} s, {r['pages']} pages, {r['peak_mb']:.0f} MB"
            f" | {r['xelatex_s']:.1f} s, {r['xelatex_pages']} pages, {r['xelatex_mb']:.0f} MB"
            f" | {r['wall_s'] / r['xelatex_s']:.2f}× | {both} | {both_ratio} |"
        )
    return "\n".join(lines)


def anthology_target_rows(measured: dict[int, dict]) -> list:
    """The issue's anthology targets (1,000 and 100 articles) as rows of anchors.ratios_table."""
    from anchors import Row

    rows = []
    big = measured.get(1000) or measured[max(measured)]
    n_big = max(n for n, r in measured.items() if r is big)
    rows.append(
        Row(
            f"anthology {n_big:,}, both editions as `python build.py` makes them",
            big.get("both_s"),
            big.get("xelatex_s"),
            "s",
            "≤ 0.75× XeLaTeX (moonshot 0.5×)",
            0.75,
        )
    )
    rows.append(
        Row(
            f"anthology {n_big:,}, peak memory (largest process)",
            big.get("both_peak_mb"),
            None,
            "MB",
            "≤ 400 MB",
            400,
            True,
        )
    )
    small = measured.get(100)
    if small is not None:
        rows.append(
            Row("anthology 100, print edition", small["wall_s"], small.get("xelatex_s"), "s", "≤ 0.5× XeLaTeX", 0.5)
        )
    return rows


if __name__ == "__main__":
    main()
