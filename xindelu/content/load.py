"""Load phase: every file under content/ → validated records, plus every problem found.

Cross-file rules (duplicate slugs, bulletin and anthology references, images)
are checked here because they need all records at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import functools
import multiprocessing
import os
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from xindelu.content.config import Limits, SiteConfig
from xindelu.content.records import (
    Anthology,
    Article,
    Bulletin,
    Page,
    did_you_mean,
    validate_anthology,
    validate_article,
    validate_bulletin,
    validate_page,
)
from xindelu.core.errors import ContentError
from xindelu.core.forked import cores, split_map
from xindelu.core.hashing import RACY_NS, digest
from xindelu.core.markdown import render_markdown
from xindelu.core.source import decode_text, key_lines_of, load_yaml, read_source, relative_name

ANTHOLOGY_MANIFEST = "anthology.yaml"


@dataclass
class ArticleEntry:
    size: int
    mtime_ns: int
    recorded_ns: int  # wall clock when the stamp was taken
    sha: str
    article: Article | None
    problems: list[ContentError]


@dataclass(frozen=True)
class Content:
    """Everything the editors wrote, validated. ``articles`` holds every status."""

    articles: tuple[Article, ...]
    pages: tuple[Page, ...]
    bulletins: tuple[Bulletin, ...]
    anthology: Anthology | None
    errors: tuple[ContentError, ...]
    warnings: tuple[ContentError, ...] = ()
    # Every article file's entry by name (records, problems, stamps): what the next build may reuse.
    entries: Mapping[str, ArticleEntry] = field(default_factory=dict, repr=False, compare=False)

    def published(self, today: dt.date, future: bool = False) -> tuple[Article, ...]:
        """Approved articles whose date has come (all approved ones with ``future``)."""
        return tuple(a for a in self.articles if a.status == "approved" and (future or a.date <= today))


def content_files(root: Path, folder: str, pattern: str) -> list[Path]:
    """Sorted, so that the order of messages and output never depends on the file system.

    os.walk and string paths rather than Path.rglob: on 10,000 articles pathlib's
    per-path work cost most of a no-change rebuild.
    """
    base = root / "content" / folder
    if not base.is_dir():
        return []
    found: list[tuple[str, str]] = []
    for directory, subdirs, files in os.walk(base):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]  # hidden folders (.git, editors') are skipped
        rel_dir = os.path.relpath(directory, base).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for name in files:
            if not name.startswith(".") and fnmatch.fnmatchcase(name, pattern):
                path = os.path.join(directory, name)
                if os.path.isfile(path):
                    found.append((prefix + name, path))
    found.sort()
    return [Path(path) for _, path in found]


# Below this many files a process pool costs more than it saves (measured: ~0.5 ms per article).
PARALLEL_THRESHOLD = 400


# What the last build made of an article file (by name relative to the root), or None.
ArticleReuse = Callable[[str], "ArticleEntry | None"]


def load_articles(
    root: Path, config: SiteConfig, proofread: bool = True, reuse: ArticleReuse | None = None
) -> tuple[list[Article], list[ContentError], dict[str, ArticleEntry]]:
    """Read and validate every article; Markdown dominates, so large corpora use every core.

    ``reuse`` offers the entry the last build made of a file; it is taken when the file's
    bytes are unchanged (its size and mtime spare even reading it). Image checks always run
    again. Returns the records, the problems, and every file's entry (for the next build).
    """
    files = content_files(root, "articles", "*.md")
    names = [relative_name(root, file) for file in files]
    entries = [
        _reusable(file, reuse(name)) if reuse is not None else None for file, name in zip(files, names, strict=True)
    ]
    todo = [file for file, entry in zip(files, entries, strict=True) if entry is None]
    fresh = iter(_load_files(root, todo, config, proofread))
    results = []
    made: dict[str, ArticleEntry] = {}
    for file, name, entry in zip(files, names, entries, strict=True):
        if entry is None:
            entry = next(fresh)
        made[name] = entry
        article, problems = entry.article, entry.problems
        if article is not None and article.images:
            problems = problems + missing_images(root, file, article, config)
        results.append((article, problems))
    articles = [article for article, _ in results if article is not None]
    errors = [error for _, problems in results for error in problems]
    errors.extend(_duplicate_slugs(articles))
    errors.extend(over_quota(root, articles, config))
    return articles, errors, made


def over_quota(root: Path, articles: list[Article], config: SiteConfig) -> list[ContentError]:
    """A dimension value given more often than its ``max`` (一等奖 three times with two places):
    one error on every article carrying it, naming the others, since any of them may be the slip."""
    errors = []
    for dim in config.dimensions:
        for value in dim.values:
            if not value.max:
                continue
            holders = sorted(
                (a for a in articles if (dim.key, value.name) in a.extra and a.status != "rejected"),
                key=lambda a: a.path,
            )
            if len(holders) <= value.max:
                continue
            for article in holders:
                others = "、".join(a.path for a in holders if a is not article)
                errors.append(
                    ContentError(
                        article.path,
                        _body_line_with(root / article.path, f"{dim.key}:", 1),
                        f"{dim.label}“{value.name}”有 {len(holders)} 篇，超过名额 {value.max} 篇（另见 {others}）",
                        f"请核对，只保留 {value.max} 篇为“{value.name}”，或修改 site_config.yaml 中的 max",
                    )
                )
    return errors


def _reusable(file: Path, entry: ArticleEntry | None) -> ArticleEntry | None:
    """``entry`` when ``file`` still holds the bytes it was made from."""
    if entry is None:
        return None
    stat = file.stat()
    if (stat.st_size, stat.st_mtime_ns) != (entry.size, entry.mtime_ns) or (
        entry.recorded_ns - stat.st_mtime_ns < RACY_NS and digest(file.read_bytes()) != entry.sha
    ):
        return None
    return entry


def load_entry(root: Path, file: Path, config: SiteConfig, proofread: bool) -> ArticleEntry:
    """An article file's record and problems with what the cache keeps of it (stamp, digests)."""
    stat = file.stat()
    # Read once, for the record and its digest; a file refused for its size is never read.
    data = file.read_bytes() if stat.st_size <= config.limits.max_article_kb * 1024 else None
    article, problems = load_article(root, file, config, proofread, data)
    sha = digest(data) if data is not None else ""
    return ArticleEntry(stat.st_size, stat.st_mtime_ns, time.time_ns(), sha, article, problems)


def _load_files(root: Path, files: list[Path], config: SiteConfig, proofread: bool) -> list[ArticleEntry]:
    workers = cores(8)
    if len(files) < PARALLEL_THRESHOLD or workers < 2:
        return _load_chunk(root, files, config, proofread)
    if sys.platform == "linux":
        return split_map(functools.partial(load_entry, root, config=config, proofread=proofread), files, workers)
    size = -(-len(files) // (workers * 4))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [
            item
            for chunk in pool.map(
                _load_chunk, [root] * len(chunks), chunks, [config] * len(chunks), [proofread] * len(chunks)
            )
            for item in chunk
        ]


def _load_chunk(root: Path, files: list[Path], config: SiteConfig, proofread: bool) -> list[ArticleEntry]:
    return [load_entry(root, file, config, proofread) for file in files]


def load_article(
    root: Path, file: Path, config: SiteConfig, proofread: bool = True, data: bytes | None = None
) -> tuple[Article | None, list[ContentError]]:
    """One article file → record and its problems (the unit of work for pools and caches).

    ``proofread`` adds the proofreader's warnings; `check` wants them, a plain build does not
    pay for them (they cost more than the Markdown on a large corpus).
    """
    oversize = too_large(root, file, config.limits.max_article_kb)
    if oversize:
        return None, oversize
    source, problems = read_source(root, file, data)
    if source is None:
        return None, problems
    article, problems = validate_article(source, config, file.stem)
    # Image checks are added by load_articles (they depend on other files than this one).
    # Proofreading findings travel with the errors (warning=True); load_content sorts them apart.
    if not proofread:
        return article, problems
    # Imported here: a load without proofreading does not compile its patterns (11 ms of
    # a process start).
    from xindelu.content.proofread import proofread as proofread_body

    return article, problems + proofread_body(source.path, source.body, source.body_line, config.proofreading)


def too_large(root: Path, file: Path, max_kb: int) -> list[ContentError]:
    """Refuse a file over the limit by its size on disk, before a byte of it is read."""
    size = file.stat().st_size
    if size <= max_kb * 1024:
        return []
    return [
        ContentError(
            relative_name(root, file),
            0,
            f"文件过大（{size // 1024} KB），超过上限 {max_kb} KB",
            "请确认文件内容无误；如确需更大，请调整 site_config.yaml 的 limits.max_article_kb",
        )
    ]


def missing_images(root: Path, file: Path, article: Article, config: SiteConfig) -> list[ContentError]:
    errors = []
    for src in article.images:
        image = file.parent / src
        line = _body_line_with(file, src, article.body_line)
        if not image.is_file():
            errors.append(
                ContentError(
                    article.path,
                    line,
                    f"找不到图片“{src}”",
                    f"请把图片放到 {relative_name(root, file.parent)}/ 下，或改正文件名",
                )
            )
        elif image.stat().st_size > config.limits.max_image_kb * 1024:
            errors.append(
                ContentError(
                    article.path,
                    line,
                    f"图片“{src}”过大（{image.stat().st_size // 1024} KB），上限 {config.limits.max_image_kb} KB",
                    "请压缩图片后再提交",
                )
            )
    return errors


def _body_line_with(file: Path, needle: str, fallback: int) -> int:
    for number, line in enumerate(file.read_text("utf-8", errors="replace").splitlines(), 1):
        if number >= fallback and needle in line:
            return number
    return fallback


def _duplicate_slugs(articles: list[Article]) -> list[ContentError]:
    """Slugs that differ only in case collide on case-insensitive disks, so they count as equal."""
    by_slug: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        by_slug[article.slug.lower()].append(article)
    errors = []
    for group in by_slug.values():
        if len(group) < 2:
            continue
        for article in group:
            others = "、".join(a.path for a in group if a is not article)
            errors.append(
                ContentError(
                    article.path,
                    article.slug_line,
                    f"网址名（slug）“{article.slug}”与 {others} 重复",
                    "请给其中一篇换一个 slug（在文章信息里加一行 slug: 新名字）",
                )
            )
    return errors


def load_pages(root: Path, max_kb: int = Limits.max_article_kb) -> tuple[list[Page], list[ContentError]]:
    pages, errors = [], []
    for file in content_files(root, "pages", "*.md"):
        oversize = too_large(root, file, max_kb)
        source, problems = (None, oversize) if oversize else read_source(root, file)
        if source is None:
            errors.extend(problems)
            continue
        page, problems = validate_page(source, file.stem)
        errors.extend(problems)
        if page:
            pages.append(page)
    return pages, errors


def _read_yaml_document(
    root: Path, file: Path, max_kb: int = Limits.max_article_kb
) -> tuple[str, object, dict, list[ContentError]]:
    rel = relative_name(root, file)
    oversize = too_large(root, file, max_kb)
    if oversize:
        return rel, None, {}, oversize
    text, errors = decode_text(rel, file.read_bytes())
    if text is None:
        return rel, None, {}, errors
    if not text.strip():
        return rel, None, {}, [ContentError(rel, 1, "文件是空的", "请填写内容或删除此文件")]
    data, errors = load_yaml(rel, text)
    return rel, data, (key_lines_of(text) if not errors else {}), errors


def load_bulletins(root: Path, config: SiteConfig) -> tuple[list[Bulletin], list[ContentError]]:
    bulletins, errors = [], []
    for file in content_files(root, "bulletins", "*.yaml") + content_files(root, "bulletins", "*.yml"):
        rel, data, lines, problems = _read_yaml_document(root, file, config.limits.max_article_kb)
        errors.extend(problems)
        if problems:
            continue
        bulletin, problems = validate_bulletin(rel, data, lines, config)
        errors.extend(problems)
        if bulletin:
            bulletins.append(bulletin)
    return sorted(bulletins, key=lambda b: b.number), errors


def load_anthology(root: Path, max_kb: int = Limits.max_article_kb) -> tuple[Anthology | None, list[ContentError]]:
    file = root / "content" / "anthology" / ANTHOLOGY_MANIFEST
    if not file.is_file():
        return None, []
    rel, data, lines, errors = _read_yaml_document(root, file, max_kb)
    if errors:
        return None, errors

    def read_markdown(name: str, line: int) -> tuple[str, list[ContentError]]:
        target = (file.parent / name).resolve()
        if not target.is_relative_to(file.parent.resolve()) or not target.is_file():
            return "", [
                ContentError(
                    rel, line, f"找不到文件“{name}”", f"请把它放在 {relative_name(root, file.parent)}/ 下，或改正文件名"
                )
            ]
        oversize = too_large(root, target, max_kb)
        if oversize:
            return "", oversize
        text, problems = decode_text(relative_name(root, target), target.read_bytes())
        if text is None:
            return "", problems
        first_line = 1
        if text.startswith("---\n"):  # optional front matter is allowed and ignored
            end = text.find("\n---", 4)
            first_line += text[: end + 4].count("\n") if end > 0 else 0
            text = text[end + 4 :] if end > 0 else text
        body = render_markdown(text)
        where = relative_name(root, target)
        return body.html, [ContentError(where, first_line + p.line - 1, p.message, p.hint) for p in body.problems]

    return validate_anthology(rel, data, lines, read_markdown)


def check_references(
    articles: list[Article],
    bulletins: list[Bulletin],
    anthology: Anthology | None,
    config: SiteConfig,
    broken: Mapping[str, str] | None = None,
) -> list[ContentError]:
    """Bulletins and the anthology may only name approved articles (and keep the series' rules).

    ``broken``: file name (without .md) → path of the article files that gave no record; a
    reference to one of those points at that file's own problems instead of "not found"."""
    by_slug = {a.slug: a for a in articles}
    errors = []

    def check(path: str, slug: str, line: int, what: str) -> Article | None:
        article = by_slug.get(slug)
        if article is None and broken and slug in broken:
            errors.append(
                ContentError(
                    path,
                    line,
                    f"{what}引用的文章“{slug}”本身有错误，暂不能刊用",
                    f"请先改正 {broken[slug]} 的问题（见本次的其他提示）",
                )
            )
            return None
        if article is None:
            guess = did_you_mean(slug, list(by_slug))
            errors.append(
                ContentError(
                    path,
                    line,
                    f"{what}引用的文章“{slug}”不存在" + (f"，是否指“{guess}”？" if guess else ""),
                    "请写文章的 slug（默认是文件名，不含 .md）",
                )
            )
            return None
        if article.status != "approved":
            errors.append(
                ContentError(
                    path,
                    line,
                    f"{what}引用的文章“{slug}”尚未审定（status: {article.status}）",
                    f"请先在 {article.path} 中改为 status: approved，或从这里删去",
                )
            )
            return None
        return article

    numbers: dict[int, Bulletin] = {}
    allowed = set(config.bulletin.allowed_forms)
    for bulletin in bulletins:
        if bulletin.number in numbers:
            errors.append(
                ContentError(
                    bulletin.path,
                    bulletin.number_line,
                    f"期号 {bulletin.number} 与 {numbers[bulletin.number].path} 重复",
                    "请改为下一个未用的期号",
                )
            )
        numbers.setdefault(bulletin.number, bulletin)
        for section in bulletin.sections:
            for slug, line in zip(section.articles, section.article_lines, strict=False):
                article = check(bulletin.path, slug, line, f"第 {bulletin.number} 期专报")
                if article and allowed and article.form.name not in allowed:
                    errors.append(
                        ContentError(
                            bulletin.path,
                            line,
                            f"“{article.title}”是{article.form.name}，本专报只刊登{'、'.join(sorted(allowed))}",
                            "请换一篇，或修改 site_config.yaml 的 bulletin.allowed_forms",
                        )
                    )
    if anthology:
        seen: set[str] = set()
        for part in anthology.parts:
            for slug, line in zip(part.articles, part.article_lines, strict=False):
                if slug in seen:
                    errors.append(
                        ContentError(anthology.path, line, f"文章“{slug}”在文集中出现了两次", "请删去重复的一处")
                    )
                seen.add(slug)
                check(anthology.path, slug, line, "文集")
    return errors


_SLUG_LINE = re.compile(r"""^slug:[ \t]*["']?([^\s"'#]+)""", re.MULTILINE)


def _broken_articles(root: Path, articles: list[Article], errors: list[ContentError], max_bytes: int) -> dict[str, str]:
    """Slug → file of each article file that gave no record because of its errors.

    Its slug is its file name, or the ``slug:`` line of its front matter when one can be
    read (the YAML itself may be what is broken), so that a bulletin or the anthology that
    names it can point at the file's own problems."""
    slugs = {a.slug for a in articles}
    recorded = {a.path for a in articles}
    broken: dict[str, str] = {}
    for path in sorted({e.path for e in errors if not e.warning and e.path.startswith("content/articles/")}):
        if path in recorded or not path.endswith(".md"):
            continue
        names = [PurePosixPath(path).stem]
        head = ""
        with contextlib.suppress(OSError):
            if os.path.getsize(root / path) <= max_bytes:  # a refused oversized file is not read
                with open(root / path, "rb") as handle:
                    head = handle.read(4096).decode("utf-8", errors="replace")
        if head.lstrip("\ufeff").startswith("---"):
            front = head.split("\n---", 1)[0]
            names += _SLUG_LINE.findall(front)[:1]
        for name in names:
            if name not in slugs:
                broken.setdefault(name, path)
    return broken


def load_content(root: Path, config: SiteConfig, proofread: bool = True, reuse: ArticleReuse | None = None) -> Content:
    """The whole load phase; never raises for content problems. ``reuse``: see load_articles."""
    articles, errors, entries = load_articles(root, config, proofread, reuse)
    pages, page_errors = load_pages(root, config.limits.max_article_kb)
    bulletins, bulletin_errors = load_bulletins(root, config)
    anthology, anthology_errors = load_anthology(root, config.limits.max_article_kb)
    errors += page_errors + bulletin_errors + anthology_errors
    broken = _broken_articles(root, articles, errors, config.limits.max_article_kb * 1024)
    errors += check_references(articles, bulletins, anthology, config, broken)
    warnings = sorted({e for e in errors if e.warning})
    errors = sorted({e for e in errors if not e.warning})
    return Content(tuple(articles), tuple(pages), tuple(bulletins), anthology, tuple(errors), tuple(warnings), entries)
