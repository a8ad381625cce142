"""Benchmark: synthetic corpora of N articles, built cold, rebuilt unchanged, rebuilt after one edit.

    python bench/bench.py                  # N = 1,000 and 10,000, 3 runs each, medians
    python bench/bench.py --sizes 1000 --runs 1

Every measurement runs in a child process (`--child`), so each starts like `python build.py`
(imports and the on-disk cache included) and reports its own peak memory (ru_maxrss of the
process and, separately, of its largest worker). Rows:

- cold build: no output/, no .cache/; pages, feeds, sitemap, assets and the search index written
- search index: its own line, timed inside the cold build's process on the model already built
  (cold, from no memo) and after a one-article edit (from the cold index's memo), with the
  memory that indexing added to the process's peak
- no-change rebuild: `python build.py` again with nothing changed (search index included); the
  first such run after the corpus was written (a fresh checkout's) re-takes the input stamp once
  and has its own line
- edit, CLI: one article's body changed, `python build.py` (its search index update included)
- edit, serve: the same in a warm process with the cache in memory, the edited file named as
  serve's watcher names it (xindelu.commands.watch → xindelu.build.quick), save → files written
- anthology rows from bench/pdf_bench.py (the other half of issue 6) when present

With ``--anchors`` (issue 23) Hugo builds the same corpus and XeLaTeX typesets the same
anthology articles in the same run (bench/anchors.py; installed with apt-get if missing), and
the ratios are printed beside the absolute figures, with the issue's targets.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

TODAY = dt.date(2026, 11, 1)
EDITED = "content/articles/05"  # the first article of May gets its body changed


def _build(root: Path, memo, *, search: bool, changed: frozenset[str] | None = None, serve: bool = False) -> dict:
    """``search=False`` is serve's quick pass: pages only, the index kept as it is.
    ``changed``: the files serve's watcher reports (xindelu.commands.watch), for its fast path;
    ``serve``: leave .cache/ to serve's background pass, as serve does. The memo written is
    returned under "memo" (not printed)."""
    from xindelu.build import pipeline
    from xindelu.build.writer import write_build

    started = time.perf_counter()
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=False, quick=not search), memo, changed)
    assert not result.errors, result.errors[:3]
    built = time.perf_counter()
    stats, memo = write_build(result.outputs, result.kept, result.delta, result.memo or memo, save=not serve)
    return {
        "wall_s": time.perf_counter() - started,
        "write_s": time.perf_counter() - built,
        "files": len(result.outputs) + len(result.kept),
        "written": stats.written,
        "rendered": len(memo.rendered),
        "memo": memo,
    }


def _edit(root: Path, round_: int) -> frozenset[str]:
    """Add a sentence at the end of one article's body; returns its name as the watcher reports it."""
    article = sorted((root / EDITED).glob("*.md"))[0]
    text = article.read_text("utf-8")
    article.write_text(text.rstrip("\n") + f"\n\n第{round_}次修改：补充一句学习体会。\n", "utf-8")
    return frozenset({article.relative_to(root).as_posix()})


def _index_times(root: Path) -> dict:
    """The index alone: cold from the site model, then after one article's body changed."""
    import dataclasses

    from xindelu.content.config import load_config
    from xindelu.content.load import load_content
    from xindelu.site.model import build_site
    from xindelu.site.search import search_outputs

    config = load_config(root)
    site = build_site(config, load_content(root, config, False), TODAY)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    _, memo = search_outputs(site, None)
    cold = time.perf_counter() - started
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    view = site.articles[len(site.articles) // 2]
    article = dataclasses.replace(
        view.entry.article, body_html=view.entry.article.body_html + "<p>补充一句学习体会。</p>"
    )
    edited = dataclasses.replace(view, entry=dataclasses.replace(view.entry, article=article))
    views = list(site.articles)
    views[len(views) // 2] = edited
    started = time.perf_counter()
    search_outputs(dataclasses.replace(site, articles=tuple(views)), memo)
    return {"index_cold_s": cold, "index_edit_s": time.perf_counter() - started, "index_mb": peak}


def _peaks() -> dict:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"peak_mb": kb / 1024, "worker_peak_mb": workers / 1024}


def child(mode: str, root: Path) -> dict:
    """One measurement, in this process; printed as JSON for the parent."""
    import gc

    from xindelu.build.memo import Memo

    if mode != "edit-serve":
        # As `python build.py` runs a build (xindelu.commands.cli._build): a one-shot process
        # keeps the cycle collector off to the end. serve's process keeps it on.
        gc.disable()
    if mode == "cold":
        assert not (root / "output").exists() and not (root / ".cache").exists()
        measured = _build(root, Memo.open(root), search=True)
    elif mode == "search":
        return _index_times(root)
    elif mode in ("nochange-first", "nochange"):
        measured = _build(root, Memo.open(root), search=True)
    elif mode == "edit-cli":
        _edit(root, 0)
        time.sleep(0.01)
        measured = _build(root, Memo.open(root), search=True)
    elif mode == "edit-serve":
        # serve's first build: loads records and model, writes nothing
        memo = _build(root, Memo.open(root), search=False, serve=True)["memo"]
        times = []
        for round_ in range(1, 4):
            changed = _edit(root, round_)
            times.append(_build(root, memo, search=False, changed=changed, serve=True))
            memo = times[-1]["memo"]
        measured = sorted(times, key=lambda t: t["wall_s"])[1]
    else:
        raise SystemExit(f"unknown mode {mode}")
    measured.pop("memo")
    return {**measured, **_peaks()}


def run_child(mode: str, root: Path, sample_memory: bool = False) -> dict:
    """``sample_memory``: also the peak PSS of the whole process tree (forked workers share pages
    with the main process; PSS counts a shared page once), sampled every 50 ms (not for timing)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        from pdf_bench import _tree_mb

        while not stop.wait(0.05):
            peak[0] = max(peak[0], _tree_mb(proc.pid)[1])

    sampler = threading.Thread(target=sample, daemon=True)
    if sample_memory:
        sampler.start()
    stdout, stderr = proc.communicate()
    stop.set()
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - started  # with interpreter start and imports
    if sample_memory:
        sampler.join()
        result["tree_pss_mb"] = peak[0]
    return result


def _fresh(root: Path) -> None:
    """No output/ and no .cache/ when the child starts. They are moved aside, not deleted: the
    deleting is not the build's, and on a file system mounted with online discard (as here)
    freeing 20,000 files slowed the next build's writes several-fold for seconds after."""
    trash = Path(tempfile.mkdtemp(prefix="trash-", dir=root.parent))
    for name in ("output", ".cache"):
        if (root / name).exists():
            os.replace(root / name, trash / name)
    os.sync()
    time.sleep(1)


def measure(n: int, runs: int, workdir: Path, anchors: bool = False) -> dict[str, dict]:
    from synth import write_corpus

    root = write_corpus(workdir / f"site-{n}", n)
    rows: dict[str, list[dict]] = {}
    for _ in range(runs):
        for mode in ("cold", "search", "nochange-first", "nochange", "edit-cli", "edit-serve"):
            if mode == "cold":
                _fresh(root)
            if mode in ("nochange-first", "edit-cli"):
                time.sleep(2.1)  # stamps younger than 2 s are not trusted (racy edits)
            rows.setdefault(mode, []).append(run_child(mode, root))
    _fresh(root)  # one more cold build, not timed: the memory of its whole process tree
    memory = run_child("cold", root, sample_memory=True)
    measured = {**{mode: _median(results) for mode, results in rows.items()}, "memory": memory}
    if anchors:
        measured["hugo"] = measure_hugo_runs(root, runs, workdir)
    return measured


def measure_hugo_runs(root: Path, runs: int, workdir: Path) -> dict:
    """Hugo, cold, on the corpus at ``root`` (converted once; see bench/anchors.py): medians."""
    from anchors import measure_hugo

    from xindelu.content.config import load_config

    page_size = load_config(root).site.page_size
    results = [measure_hugo(root, workdir, page_size).__dict__ for _ in range(runs)]
    return _median(results)


def _median(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def load_average() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def table(sizes: list[int], measured: dict[int, dict[str, dict]], runs: int) -> str:
    head = "| measure | " + " | ".join(f"N = {n:,}" for n in sizes) + " | target (10,000) |"
    lines = [head, "|---|" + "---|" * len(sizes) + "---|"]

    def row(label: str, cell, target: str) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(measured[n]) for n in sizes) + f" | {target} |")

    row(
        "cold build (pages, feeds, sitemap, search index; no PDFs)",
        lambda m: f"{m['cold']['process_s']:.2f} s",
        "≤ 1.0× Hugo",
    )
    row("  of which in the build (without interpreter start)", lambda m: f"{m['cold']['wall_s']:.2f} s", "")
    # Mostly kernel time creating 13,000 files and 10,000 folders: 0.5 s to 3 s on this VM for
    # the same bytes, depending on the host (a bare loop of open/write varies as much).
    row("  of which writing output/ and .cache/", lambda m: f"{m['cold']['write_s']:.2f} s", "")
    row(
        "search index: cold / one-article edit / memory added",
        lambda m: (
            f"{m['search']['index_cold_s']:.2f} s / {m['search']['index_edit_s']:.2f} s / {m['search']['index_mb']:.0f} MB"
        ),
        "≤ 3 s / ≤ 0.5 s / ≤ 200 MB",
    )
    row("no-change rebuild (`python build.py`)", lambda m: f"{m['nochange']['process_s']:.2f} s", "≤ 0.3 s")
    # The corpus was written just before the cold build, as after a checkout: its files were too
    # young for their mtimes to vouch for them, so the first no-change build takes the stamp afresh.
    row(
        "  the first one after a checkout (stamp taken afresh once)",
        lambda m: f"{m['nochange-first']['process_s']:.2f} s",
        "",
    )
    row(
        "one-article edit, CLI (process, disk cache, index included)",
        lambda m: f"{m['edit-cli']['process_s']:.2f} s",
        "≤ 3 s",
    )
    row("one-article edit, serve: save → files written", lambda m: f"{m['edit-serve']['wall_s']:.2f} s", "≤ 0.2 s")
    row(
        "  pages rendered / files written by that edit",
        lambda m: f"{m['edit-serve']['rendered']:.0f} / {m['edit-serve']['written']:.0f}",
        "",
    )
    row(
        "peak memory, cold build (main / largest worker)",
        lambda m: f"{m['cold']['peak_mb']:.0f} / {m['cold']['worker_peak_mb']:.0f} MB",
        "≤ 500 MB",
    )
    row("  the whole process tree (PSS, sampled)", lambda m: f"{m['memory']['tree_pss_mb']:.0f} MB", "")
    row("output files", lambda m: f"{m['cold']['files']:.0f}", "")
    if all("hugo" in measured[n] for n in sizes):
        row("Hugo 0.111, cold build (pages, feeds, sitemap; no search)", lambda m: f"{m['hugo']['wall_s']:.2f} s", "")
        row("  Hugo CPU / peak memory", lambda m: f"{m['hugo']['cpu_s']:.1f} s / {m['hugo']['peak_mb']:.0f} MB", "")
        row(
            "  Hugo files written / bytes",
            lambda m: f"{m['hugo']['files']:.0f} / {m['hugo']['bytes'] / 2**20:.0f} MB",
            "",
        )
        row(
            "cold build: ours (search index included) vs Hugo (none)",
            lambda m: (
                f"{m['cold']['process_s']:.2f} / {m['hugo']['wall_s']:.2f} s"
                f" = {m['cold']['process_s'] / m['hugo']['wall_s']:.2f}×"
            ),
            "≤ 1.0×",
        )
    lines.append(f"\nmedians of {runs} run(s); load average at the end: {load_average()}")
    return "\n".join(lines)


def _largest_process_mb(m: dict) -> float:
    return max(m["cold"]["peak_mb"], m["cold"]["worker_peak_mb"])


def target_rows(sizes: list[int], measured: dict[int, dict]) -> list:
    """Every target row of issue 23 for the site (the largest size measured; the issue's is 10,000)."""
    from anchors import Row

    n = max(sizes)
    m = measured[n]
    hugo = m.get("hugo", {}).get("wall_s")
    rows = [
        Row(
            f"cold build {n:,}, pages + feeds + sitemap + search",
            m["cold"]["process_s"],
            hugo,
            "s",
            "≤ 1.0× Hugo (moonshot 0.5×)",
            1.0,
        ),
        Row(
            f"peak memory of that build, largest process, {n:,}",
            _largest_process_mb(m),
            None,
            "MB",
            "≤ 500 MB",
            500,
            True,
        ),
        Row(
            f"one-article edit from the CLI, {n:,} (search index included)",
            m["edit-cli"]["process_s"],
            None,
            "s",
            "≤ 3 s",
            3,
            True,
        ),
        Row(f"`serve`, save → page written, {n:,}", m["edit-serve"]["wall_s"], None, "s", "≤ 0.2 s", 0.2, True),
        Row(f"no-change rebuild, {n:,}", m["nochange"]["process_s"], None, "s", "≤ 0.3 s", 0.3, True),
    ]
    return rows


def anthology_rows(sizes: list[int], runs: int = 1, anchors: bool = False) -> tuple[str, dict]:
    """The anthology table, and what was measured (by size) for the ratios."""
    try:
        from pdf_bench import measure_anthology, xelatex_lines
    except ImportError:
        return "", {}
    measured = {}
    lines = [
        "| anthology PDF (print edition) | wall | CPU (tree) | peak memory | pages | file |",
        "|---|---|---|---|---|---|",
    ]
    for n in sizes:
        m = measured[n] = measure_anthology(n, runs, anchors=anchors, both=anchors and n == max(sizes))
        lines.append(
            f"| {n:,} articles | {m['wall_s']:.1f} s | {m['cpu_s']:.1f} s | {m['peak_mb']:.0f} MB | {m['pages']}"
            f" | {m['bytes'] / 2**20:.1f} MB |"
        )
    lines.append(f"\nmedians of {runs} run(s)")
    if anchors:
        lines += ["", xelatex_lines(measured)]
    return "\n".join(lines), measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--anthology", type=int, nargs="*", default=[100, 1000], help="anthology sizes ([] to skip)")
    parser.add_argument(
        "--anchors",
        action="store_true",
        help="also Hugo and XeLaTeX on the same corpus, same run, with ratios (installs them with apt-get if missing)",
    )
    parser.add_argument("--save", type=Path, help="also write the raw measurements here as JSON, as they come")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        from xindelu.commands.cli import exit_now

        print(json.dumps(child(args.child[0], Path(args.child[1]))))
        exit_now(0)  # as build.py ends
    from reference import compile_package, line, machine_speed

    compile_package()

    if args.anchors:
        from anchors import ensure_tools

        ensure_tools()
    before = machine_speed()
    with tempfile.TemporaryDirectory(prefix="xindelu-bench-") as tmp:
        measured = {n: measure(n, args.runs, Path(tmp), args.anchors) for n in args.sizes}
    if args.save:
        args.save.write_text(json.dumps({"site": measured}, indent=1))
    print(table(args.sizes, measured, args.runs), flush=True)
    books: dict = {}
    if args.anthology:
        print()
        text, books = anthology_rows(args.anthology, args.runs, args.anchors)
        print(text)
        if args.save:
            args.save.write_text(json.dumps({"site": measured, "anthology": books}, indent=1))
    if args.anchors:
        from anchors import ratios_table
        from pdf_bench import anthology_target_rows

        rows = target_rows(args.sizes, measured) + (anthology_target_rows(books) if books else [])
        print()
        print("issue 23 targets, ratios to the anchors measured in this run:")
        print(ratios_table(rows))
    print()
    print(line(before, machine_speed()))
    if args.anchors:
        print(f"load average at the end: {load_average()}")


if __name__ == "__main__":
    main()
