"""Link checker over the whole built site: every internal href/src resolves to a file.

Once at the root of a domain (with the PDFs) and once under a sub-path base URL.
"""

from __future__ import annotations

import html.parser
import shutil
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from conftest import REPO, TODAY

from xindelu.build import pipeline
from xindelu.build.writer import write_outputs


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def _build(tmp: Path, base_url: str | None, pdf: bool) -> Path:
    root = tmp / "site"
    shutil.copytree(REPO / "content", root / "content")
    config = (REPO / "site_config.yaml").read_text("utf-8")
    if base_url:
        config = config.replace("base_url: https://xindelu.example.org/", f"base_url: {base_url}")
    (root / "site_config.yaml").write_text(config, "utf-8")
    result = pipeline.build(pipeline.BuildOptions(root, TODAY, pdf=pdf))
    assert not result.errors, [e.format() for e in result.errors]
    write_outputs(result.outputs, root / "output")
    return root / "output" / "site"


def broken_links(site_dir: Path, base_path: str) -> list[str]:
    """Every internal link of every page that does not lead to a file (or to a missing #id)."""
    problems = []
    pages = sorted(site_dir.rglob("*.html"))
    ids: dict[Path, set[str]] = {}
    parsed: dict[Path, _Links] = {}
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text("utf-8"))
        parsed[page] = parser
        ids[page] = parser.ids
    for page, parser in parsed.items():
        rel = page.relative_to(site_dir).as_posix()
        page_url = base_path + (rel.removesuffix("index.html"))
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue  # external
            if link.startswith("#"):
                if unquote(link[1:]) not in parser.ids:
                    problems.append(f"{rel}: {link}（页内锚点不存在）")
                continue
            target = urlsplit(urljoin(page_url, link))
            if not target.path.startswith(base_path):
                problems.append(f"{rel}: {link}（不在站点路径 {base_path} 之下）")
                continue
            path = site_dir / unquote(target.path[len(base_path) :])
            if target.path.endswith("/"):
                path = path / "index.html"
            if not path.is_file():
                problems.append(f"{rel}: {link}（找不到 {path.relative_to(site_dir)}）")
            elif target.fragment and path in ids and unquote(target.fragment) not in ids[path]:
                problems.append(f"{rel}: {link}（锚点不存在）")
    return problems


def test_no_broken_links_at_the_domain_root_with_pdfs(tmp_path: Path) -> None:
    site = _build(tmp_path, None, pdf=True)
    assert broken_links(site, "/") == []
    # The PDFs are linked from their pages.
    assert 'href="/bulletins/1/bulletin-1.pdf"' in (site / "bulletins/1/index.html").read_text("utf-8")
    assert ".pdf" in (site / "anthology/index.html").read_text("utf-8")


def test_no_broken_links_under_a_sub_path(tmp_path: Path) -> None:
    site = _build(tmp_path, "https://example.org/xindelu/", pdf=False)
    assert broken_links(site, "/xindelu/") == []
    home = (site / "index.html").read_text("utf-8")
    assert 'href="/xindelu/static/site.css"' in home
    assert '<link rel="canonical" href="https://example.org/xindelu/">' in home
    assert 'href="/"' not in home  # nothing escapes the sub-path
    not_found = (site / "404.html").read_text("utf-8")
    assert 'href="/xindelu/"' in not_found  # absolute links work from any missing URL
    assert "https://example.org/xindelu/articles/" in (site / "sitemap.xml").read_text("utf-8")
    # No PDF was built, so no page links one.
    assert ".pdf" not in (site / "bulletins/1/index.html").read_text("utf-8")


def test_the_checker_finds_a_broken_link(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<a href="/b/">b</a><a href="#x">x</a><img src="p.png">', "utf-8")
    assert len(broken_links(tmp_path, "/")) == 3
