"""Search index: Pagefind (extended build, which segments Chinese) over the rendered articles.

The article pages are laid out in a temp dir and the bundled ``pagefind_extended`` binary
indexes them there; the bundle comes back as bytes under site/pagefind/, so it is written
together with the pages by output.py (atomically) and a failed indexing run leaves the
previous output/ untouched. (The Python API's service mode answers one file per ~0.1 s;
the command line indexes the whole example site in ~0.3 s.)
"""

from __future__ import annotations

import html
import re
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from xindelu.core.errors import ContentError, ContentErrors
from xindelu.site.pagefind_bundle import canonical_bundle

BUNDLE = "pagefind"
ARTICLE_PREFIX = "site/articles/"
# The article template marks where the indexed text ends; only Pagefind's copy gets the extra terms.
MARKER = b"<!--search-terms-->"
_BODY = re.compile(rb"data-pagefind-body[^>]*>(.*?)" + re.escape(MARKER), re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def index_terms(text: str) -> str:
    """Every distinct ideograph of ``text``, space-separated, in first-seen order.

    The extended build segments Chinese into words (基层调研, 深入调研) and Pagefind matches
    a term only at the start of a word, so the query 调研 misses 深入调研. The search page
    therefore splits a Chinese query into single characters (static/search.js, xindeluTerm),
    and this block gives every character a word of its own: a query then finds every piece
    containing all its characters — full recall, at the price of character-level precision
    (ranking still puts pieces with the whole word first).
    """
    return " ".join(dict.fromkeys("".join(_CJK_RUN.findall(text))))


def with_index_terms(page: bytes) -> bytes:
    match = _BODY.search(page)
    if match is None:
        return page
    text = html.unescape(_TAG.sub(" ", match.group(1).decode("utf-8")))
    block = f'<div class="search-terms" data-pagefind-weight="0.1">{index_terms(text)}</div>'.encode()
    return page.replace(MARKER, block, 1)


def _binary() -> Path:
    from pagefind_bin_extended import get_executable  # the extended build: CJK segmentation

    return get_executable()


def _failure(message: str) -> ContentErrors:
    return ContentErrors(
        [
            ContentError(
                "output/site/pagefind",
                0,
                f"生成搜索索引失败：{message}",
                "请确认已安装 pagefind[extended]（make setup 或 pip install -e '.[test]'）",
            )
        ]
    )


def search_outputs(pages: Mapping[str, bytes], base_path: str) -> dict[str, bytes]:
    """The Pagefind bundle for the article pages among ``pages`` ("site/…" → bytes).

    Result URLs are site-relative; Pagefind's script prefixes them with the path it was
    loaded from, so search works under a sub-path too (``base_path`` is kept for callers).
    """
    articles = [key for key in pages if key.startswith(ARTICLE_PREFIX) and key.endswith("/index.html")]
    if not articles:  # a new column with nothing published yet: Pagefind refuses an empty index
        return {}
    try:
        binary = _binary()
    except (ImportError, FileNotFoundError) as exc:
        raise _failure(f"找不到 pagefind_extended 程序（{exc}）") from exc
    with tempfile.TemporaryDirectory(prefix="xindelu-search-") as tmp:
        source = Path(tmp, "src")
        for key in articles:
            target = source / key[len("site/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(with_index_terms(pages[key]))
        bundle = Path(tmp, "bundle")
        command = [str(binary), "--site", str(source), "--output-path", str(bundle), "--force-language", "zh"]
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise _failure(str(exc)) from exc
        if run.returncode != 0:
            raise _failure((run.stderr or run.stdout).strip()[-500:])
        return canonical_bundle(  # Pagefind orders its filter indexes differently on every run
            {
                f"site/{BUNDLE}/{file.relative_to(bundle).as_posix()}": file.read_bytes()
                for file in sorted(bundle.rglob("*"))
                if file.is_file()
            }
        )
