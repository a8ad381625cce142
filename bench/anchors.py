"""Anchors for the benchmark (issue 23): Hugo and XeLaTeX on the same synthetic corpus, same run.

The machine's speed varies by 1.5x from hour to hour, so the targets are ratios to tools
measured beside ours:

- Hugo builds the corpus of bench/synth.py converted into a Hugo site: every article a content
  page with its front matter; taxonomies for category, form, unit, tags and month (the monthly
  archive); pagination as site_config.yaml's page_size; RSS and sitemap on; minimal layouts
  doing what ours do (article: title, byline, body, prev/next; lists: title and summary per
  entry; home). Timed cold (fresh resources cache), peak memory from the kernel's rusage.
- XeLaTeX (ctexbook via pandoc) typesets the same articles as the anthology bench, in the same
  four parts, with a table of contents.

``ensure_tools()`` installs what is missing with apt-get (only when the caller asked for
anchors), saying so first.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

TOOLS = {"hugo": "hugo", "pandoc": "pandoc", "xelatex": "texlive-xetex", "pdfinfo": "poppler-utils"}
DEB_PACKAGES = [
    "hugo",
    "pandoc",
    "texlive-xetex",
    "texlive-lang-chinese",
    "lmodern",
    "poppler-utils",
    # hyperref under XeTeX loads the pzdr font for link boxes
    "texlive-fonts-recommended",
]


def ensure_tools() -> None:
    """Install the anchor tools with apt-get when one is missing; exit with a clear message if that fails."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not missing and _has_ctex() and _has_pzdr():
        return
    what = ", ".join(missing) or "ctex (texlive-lang-chinese)"
    print(f"anchors: {what} not found; running apt-get install -y {' '.join(DEB_PACKAGES)}", file=sys.stderr)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run([*sudo, "apt-get", "install", "-y", *DEB_PACKAGES], env=env)
    if done.returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], env=env)
        done = subprocess.run([*sudo, "apt-get", "install", "-y", *DEB_PACKAGES], env=env)
    still = [tool for tool in TOOLS if shutil.which(tool) is None]
    if done.returncode != 0 or still or not _has_ctex() or not _has_pzdr():
        raise SystemExit(
            f"anchors: could not install {', '.join(still) or 'ctex'}; install them by hand "
            f"(apt-get install -y {' '.join(DEB_PACKAGES)}) or run without --anchors"
        )


def _kpse(name: str) -> bool:
    if shutil.which("kpsewhich") is None:
        return False
    return bool(subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip())


def _has_ctex() -> bool:
    return _kpse("ctexbook.cls")


def _has_pzdr() -> bool:
    return _kpse("pzdr.tfm")


@dataclass(frozen=True)
class Timed:
    wall_s: float
    cpu_s: float
    peak_mb: float  # ru_maxrss of the largest process in the child's tree (kernel's own figure)


def run_timed(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> Timed:
    """Run ``argv`` to completion; wall time (perf_counter, the clock bench.py uses), CPU of the
    whole tree and the peak RSS from wait4's rusage. Output goes to a file, not a pipe, so a
    chatty tool cannot block on a full pipe."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace")[-3000:]
            raise RuntimeError(f"{argv[0]} failed ({proc.returncode}):\n{tail}")
    return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


# ---------------------------------------------------------------------------------------------
# Hugo


def _articles(root: Path) -> list[tuple[dict, str]]:
    """(front matter, body) of every article of a synthetic site, in file order."""
    out = []
    for path in sorted((root / "content" / "articles").rglob("*.md")):
        text = path.read_text("utf-8")
        _, head, body = text.split("---\n", 2)
        meta = yaml.safe_load(head)
        meta["slug"] = meta.get("slug") or path.stem
        out.append((meta, body))
    return out


HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ .Title }} - {{ .Site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ "index.xml" | absURL }}"></head>
<body><header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav>{{ range .Site.Taxonomies.category }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main><footer>{{ .Site.Params.organizer }}</footer></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p class="byline">{{ .Params.author }} · {{ index .Params.unit 0 }} · {{ .Date.Format "2006-01-02" }} ·
{{ range .Params.category }}{{ . }}{{ end }} · {{ range .Params.form }}{{ . }}{{ end }} · {{ .WordCount }} 字</p>
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">上一篇：{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">下一篇：{{ .Title }}</a>{{ end }}</nav></article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}<ul>{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>
<span>{{ .Params.author }} · {{ .Date.Format "2006-01-02" }}</span><p>{{ .Summary }}</p></li>{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }} {{ $pager.PageNumber }}/{{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}</nav>{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}
""",
    "index.html": """{{ define "main" }}<h1>{{ .Site.Title }}</h1>
{{ $pager := .Paginate (where .Site.RegularPages "Section" "posts") }}<ul>{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ul>{{ end }}
""",
}


def hugo_site(corpus: Path, dest: Path, page_size: int, title: str) -> Path:
    """Write ``corpus`` (a synthetic xindelu site) as a Hugo site at ``dest``."""
    if dest.exists():
        shutil.rmtree(dest)
    posts = dest / "content" / "posts"
    posts.mkdir(parents=True)
    config = {
        "baseURL": "https://xindelu.example.org/",
        "languageCode": "zh-CN",
        "title": title,
        "hasCJKLanguage": True,
        "paginate": page_size,
        "summaryLength": 120,
        "disableKinds": [],
        "taxonomies": {"category": "category", "form": "form", "unit": "unit", "tag": "tags", "month": "month"},
        "outputs": {"home": ["HTML", "RSS"], "section": ["HTML", "RSS"], "taxonomy": ["HTML"], "term": ["HTML", "RSS"]},
        "params": {"organizer": "synthetic"},
        "markup": {"goldmark": {"extensions": {"footnote": True, "table": True}}},
    }
    (dest / "config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    for meta, body in _articles(corpus):
        date = meta["date"]
        front = {
            "title": meta["title"],
            "author": meta["author"],
            "date": date.isoformat(),
            "slug": meta["slug"],
            "category": [meta["category"]],
            "form": [meta["form"]],
            "unit": [meta["unit"]],
            "tags": list(meta.get("tags") or []),
            "month": [f"{date.year}-{date.month:02d}"],
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body
        (posts / f"{meta['slug']}.md").write_text(text, "utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (dest / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / "layouts" / name).write_text(text, "utf-8")
    return dest


@dataclass(frozen=True)
class HugoResult:
    wall_s: float
    cpu_s: float
    peak_mb: float
    files: int
    bytes: int


def measure_hugo(corpus: Path, workdir: Path, page_size: int, title: str = "心得录") -> HugoResult:
    """Cold ``hugo`` on ``corpus``: no public/, no resources, a fresh cache directory."""
    site = hugo_site(corpus, workdir / "hugo-site", page_size, title)
    cache = workdir / "hugo-cache"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(site / "public", ignore_errors=True)
    shutil.rmtree(site / "resources", ignore_errors=True)
    os.sync()
    timed = run_timed(["hugo", "--quiet", "--cacheDir", str(cache), "-d", "public"], cwd=site)
    files = [p for p in (site / "public").rglob("*") if p.is_file()]
    return HugoResult(timed.wall_s, timed.cpu_s, timed.peak_mb, len(files), sum(p.stat().st_size for p in files))


# ---------------------------------------------------------------------------------------------
# XeLaTeX


def book_markdown(corpus: Path, parts: list[tuple[str, str]]) -> str:
    """The articles of ``corpus`` as one pandoc document: parts, then an article per chapter,
    its byline, and its body with headings one level down."""
    articles = _articles(corpus)
    per_part = -(-len(articles) // len(parts))
    out = []
    for i, (title, subtitle) in enumerate(parts):
        out.append(f"# {title}：{subtitle}\n")
        for meta, body in articles[i * per_part : (i + 1) * per_part]:
            out.append(f"## {meta['title']}\n\n{meta['author']}（{meta['unit']}）\n")
            out.append(re.sub(r"^(#+) ", r"\1## ", body, flags=re.M))
    return "\n".join(out)


@dataclass(frozen=True)
class TexResult:
    wall_s: float
    cpu_s: float
    peak_mb: float
    pages: int


def measure_xelatex(corpus: Path, workdir: Path, parts: list[tuple[str, str]]) -> TexResult:
    """pandoc → XeLaTeX (ctexbook, parts and chapters, a table of contents), timed end to end:
    pandoc runs xelatex as many times as the contents need, as a user would."""
    source = workdir / "book.md"
    source.write_text(book_markdown(corpus, parts), "utf-8")
    out = workdir / "book-xelatex.pdf"
    argv = [
        "pandoc",
        str(source),
        "-o",
        str(out),
        "--pdf-engine=xelatex",
        "--top-level-division=part",
        "--toc",
        "-V",
        "documentclass=ctexbook",
        "-V",
        "classoption=openany",
        # the anthology's page and type (site_config.yaml: 140 × 203 mm, 10.5 pt = 五号)
        "-V",
        "geometry=paperwidth=140mm,paperheight=203mm,top=20mm,bottom=20mm,inner=22mm,outer=18mm",
        "-V",
        "classoption=zihao=5",
        "-V",
        "title=合成文集",
    ]
    timed = run_timed(argv, cwd=workdir, env={**os.environ, "TMPDIR": str(workdir)})
    return TexResult(timed.wall_s, timed.cpu_s, timed.peak_mb, pdf_pages(out))


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


# ---------------------------------------------------------------------------------------------
# The ratios table


@dataclass(frozen=True)
class Row:
    measure: str
    ours: float | None
    anchor: float | None
    unit: str
    target: str  # e.g. "≤ 1.0× Hugo" or "≤ 500 MB"
    limit: float  # the ratio (or the absolute figure when absolute) not to exceed
    absolute: bool = False  # compare ``ours`` itself with ``limit``, no anchor


def ratios_table(rows: list[Row]) -> str:
    lines = ["| measure | ours | anchor | ratio | target | met? |", "|---|---|---|---|---|---|"]
    for r in rows:
        ours = "—" if r.ours is None else f"{r.ours:.2f} {r.unit}"
        anchor = "—" if r.anchor is None else f"{r.anchor:.2f} {r.unit}"
        if r.ours is None:
            ratio, met = "—", "not measured"
        elif r.absolute:
            ratio, met = "—", "yes" if r.ours <= r.limit else "no"
        elif r.anchor:
            value = r.ours / r.anchor
            ratio, met = f"{value:.2f}×", "—" if r.target == "—" else "yes" if value <= r.limit else "no"
        else:
            ratio, met = "—", "no anchor"
        lines.append(f"| {r.measure} | {ours} | {anchor} | {ratio} | {r.target} | {met} |")
    return "\n".join(lines)
