"""Hostile input (issue 8): nothing may execute, escape output/, hang, eat memory or end in a traceback.

Each test fails without the protection it names. Timing bounds are generous (CI machines are
slow); the figures measured before the guards are in the comments.
"""

from __future__ import annotations

import http.client
import inspect
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, TODAY, article, only, problems

import xindelu.core.markdown as markdown
from xindelu.build.pipeline import BuildOptions, check
from xindelu.content.config import load_config
from xindelu.content.load import load_content
from xindelu.core.markdown import check_markdown, render_markdown
from xindelu.core.source import split_front_matter

A = "content/articles/a.md"
BODY_LINE = 10  # article() writes 7 front-matter fields between two fences: the body starts on line 10


def timed(function, *args):
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


# ---------------------------------------------------------------- Markdown cannot inject script

UNSAFE = re.compile(r"<script|<iframe|<svg|<style|<object|<embed|<form|\son\w+\s*=|javascript:|data:|style=", re.I)

HOSTILE_BODIES = {
    "script": "正文<script>alert(1)</script>",
    "script-in-md-in-html": '<div markdown="1">\n<script>alert(1)</script>\n</div>',
    "event-handler": '<img src="x.png" onerror="alert(1)"><p onclick="alert(1)" onmouseover=alert(1)>字</p>',
    "attr-list-handler": '段落\n{: onclick="alert(1)" style="position:fixed" }',
    "javascript-link": "[点我](javascript:alert(1))",
    "javascript-link-upper": "[点我](JaVaScRiPt:alert(1))",
    "entity-encoded-scheme": "[点我](jav&#x61;script:alert(1)) <a href='jav&#x61;script:alert(1)'>点</a>",
    "tab-in-scheme": "<a href='java\tscript:alert(1)'>点</a>",
    "autolink": "<javascript:alert(1)>",
    "data-link": "[点我](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "data-image": "![图](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "javascript-image": "![图](javascript:alert(1))",
    "reference-link": "[点我][x]\n\n[x]: javascript:alert(1)",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "svg-script": "<svg><script>alert(1)</script></svg><svg onload=alert(1)><a xlink:href='javascript:1'>x</a></svg>",
    "style-element": "<style>body{display:none}</style>字",
    "style-attribute": '<p style="background:url(javascript:alert(1))">字</p>',
    "object-embed-form": '<object data="x.swf"></object><embed src="x.swf"><form action="https://evil"><input></form>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="https://evil.example/">',
    "comment-breakout": "<!-- --><script>alert(1)</script> -->",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
def test_markdown_output_is_sanitised(name):
    html = render_markdown(HOSTILE_BODIES[name]).html
    assert not UNSAFE.search(html), html
    assert "<meta" not in html and "<base" not in html


def test_safe_markup_survives_sanitising():
    html = render_markdown('[湖南日报](https://example.org/a?b=1&c=2) ![图](pic.png "题")\n\n**重点**').html
    assert '<a href="https://example.org/a?b=1&amp;c=2">湖南日报</a>' in html
    assert '<img alt="图" src="pic.png" title="题">' in html
    assert "<strong>重点</strong>" in html


def test_html_in_front_matter_stays_text_and_body_is_sanitised(make_site):
    title = "<script>alert(1)</script>标题"
    root = make_site({A: article(title=f"'{title}'", body='正文<script>alert(2)</script><b onclick="x">加粗</b>')})
    result = check(BuildOptions(root=root, today=TODAY))
    assert result.errors == ()
    record = result.content.articles[0]
    assert record.title == title  # kept as text: templates escape it (tested with the site build)
    assert "<script" not in record.body_html and "onclick" not in record.body_html
    assert "alert(2)" not in record.body_html  # the script's text is dropped, not shown


# ---------------------------------------------------------------- slugs cannot escape output/


@pytest.mark.parametrize(
    "slug",
    ["../../etc", "/etc/passwd", "a/b", "..", "a..b", "C:", "a\\\\b", "Abc", "a b", "%2e%2e", "a.b"],
)
def test_slugs_that_could_leave_output_are_refused(make_site, slug):
    root = make_site({A: article(slug=f'"{slug}"')})
    message = only(root)
    assert message.startswith(f"{A}:9: 网址名（slug）“"), message
    assert "不合规：只能用小写字母、数字和连字符" in message


def test_nul_in_slug_is_refused(make_site):
    root = make_site({A: article(slug='"a\\0b\\e[31m"')})
    assert only(root).startswith(f"{A}:9: 网址名（slug）“a\\x00b\\x1b[31m”不合规")


@pytest.mark.parametrize("slug", ["con", "nul", "com1", "aux", "prn", "lpt1", "lpt9"])
def test_windows_device_names_are_refused_as_slugs(make_site, slug):
    root = make_site({A: article(slug=slug)})
    assert only(root) == (
        f"{A}:9: 网址名（slug）“{slug}”不能使用 — 这是 Windows 的设备名，不能用作文件夹名；请换一个，如在后面加“-1”"
    )


def test_windows_device_name_as_file_name_is_refused(make_site):
    root = make_site({"content/articles/con.md": article()})
    assert only(root).startswith("content/articles/con.md:1: 网址名（slug）“con”不能使用 — ")


def test_windows_device_name_as_page_slug_is_refused(make_site):
    root = make_site({"content/pages/aux.md": "---\ntitle: 关于\n---\n正文\n"})
    assert only(root).startswith("content/pages/aux.md:1: 网址名（slug）“aux”不能使用")


def test_windows_device_name_in_config_is_refused(make_site):
    text = (REPO / "site_config.yaml").read_text("utf-8").replace("slug: changsha,", "slug: com1,")
    root = make_site({A: article()}, config=text)
    found = problems(root)
    assert len(found) == 1 and "site_config.yaml:" in found[0] and "slug“com1”不能使用" in found[0], found


def test_slugs_differing_only_in_case_collide(make_site):
    root = make_site({"content/articles/x/ab.md": article(), "content/articles/y/ab.md": article()})
    assert problems(root) == [
        "content/articles/x/ab.md:1: 网址名（slug）“ab”与 content/articles/y/ab.md 重复"
        " — 请给其中一篇换一个 slug（在文章信息里加一行 slug: 新名字）",
        "content/articles/y/ab.md:1: 网址名（slug）“ab”与 content/articles/x/ab.md 重复"
        " — 请给其中一篇换一个 slug（在文章信息里加一行 slug: 新名字）",
    ]
    # An upper-case slug is refused outright, so "AB" can never sit beside "ab" on a case-insensitive disk.
    root = make_site({"content/articles/x/ab.md": article(), "content/articles/y/ab.md": article(slug="AB")})
    assert any("“AB”不合规" in p for p in problems(root))


def test_duplicate_slug_check_ignores_case():
    from xindelu.content.load import _duplicate_slugs

    class Fake:
        def __init__(self, path: str, slug: str) -> None:
            self.path, self.slug, self.slug_line = path, slug, 1

    found = _duplicate_slugs([Fake("a.md", "abc"), Fake("b.md", "ABC")])  # type: ignore[list-item]
    assert [e.path for e in found] == ["a.md", "b.md"]


# ---------------------------------------------------------------- YAML


def test_billion_laughs_is_refused_before_expanding(make_site):
    laughs = "\n".join(
        [
            "lol0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]",
            *(f"lol{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)),
            "tags: *a9",
        ]
    )
    text = f"---\n{laughs}\ntitle: 标题\n---\n正文\n"
    (source, errors), seconds = timed(split_front_matter, "a.md", text)
    assert source is None and seconds < 1
    assert [e.format() for e in errors] == [
        "a.md:2: 不支持 YAML 锚点或别名（以 & 或 * 开头的值） — 请把内容直接写出来；若值本身以 * 或 & 开头，请给它加引号"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/apply:os.system ['touch /tmp/xindelu-pwned']",
        "!!python/object/new:os.system ['touch /tmp/xindelu-pwned']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!custom x",
    ],
)
def test_tags_that_construct_objects_are_refused(value):
    source, errors = split_front_matter("a.md", f"---\ntitle: {value}\n---\n正文")
    assert source is None
    assert [e.format() for e in errors] == [
        "a.md:2: YAML 格式错误：不允许的 YAML 标签（!! 或 ! 开头） — 请删去以 ! 开头的标签，只写普通文字"
    ]
    assert not Path("/tmp/xindelu-pwned").exists()


def test_deeply_nested_yaml_is_refused(make_site):
    # Before: a date nested 5000 deep loaded, then the error message's str() raised RecursionError.
    root = make_site({A: article(date="[" * 5000 + "]" * 5000)})
    assert only(root) == f"{A}:7: YAML 嵌套层数过多 — 请直接写文字或简单的列表，不要层层嵌套"
    _source, errors = split_front_matter("a.md", "---\ntitle:\n" + "- " * 40 + "x\n---\n正文")
    assert [e.message for e in errors] == ["YAML 嵌套层数过多"]


def test_very_deep_yaml_neither_hangs_nor_crashes_the_interpreter():
    # Before: libyaml took 30 s to parse 100,000 levels, then the constructor overflowed the C stack (segfault).
    code = (
        "from xindelu.core.source import split_front_matter\n"
        "s, e = split_front_matter('a.md', '---\\ntitle: ' + '[' * 200000 + ']' * 200000 + '\\n---\\nx')\n"
        "print(e[0].format())\n"
    )
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "a.md:2: YAML 嵌套层数过多 — 请直接写文字或简单的列表，不要层层嵌套"
    assert time.perf_counter() - started < 10


def test_huge_integer_in_yaml_is_a_content_error():
    _source, errors = split_front_matter("a.md", "---\ntitle: " + "9" * 5000 + "\n---\n正文")
    assert [e.format() for e in errors] == ["a.md:2: YAML 中有过长的数字 — 请给这个值加引号，或改正它"]


def test_control_character_in_yaml_is_reported_in_chinese_on_its_line():
    _source, errors = split_front_matter("a.md", "---\ntitle: 标题\nauthor: 张\x07三\n---\n正文")
    assert [e.format() for e in errors] == [
        "a.md:3: YAML 格式错误：含有不可见的控制字符（#x0007） — 多半是从别处复制来的；请删去这一行重新输入"
    ]


def test_a_second_status_line_cannot_silently_win():
    text = "---\ntitle: 标题\nstatus: rejected\nauthor: 张三\nstatus: approved\n---\n正文"
    source, errors = split_front_matter("a.md", text)
    assert source is None
    assert [e.format() for e in errors] == ["a.md:5: 字段 status 写了两次（第 3 行已有） — 请删去多余的一行"]


# ---------------------------------------------------------------- size limits, binary files


def test_fifty_megabyte_article_is_refused_without_being_read(make_site, monkeypatch):
    root = make_site({A: article()})
    big = root / A
    with big.open("r+b") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: costs no disk
    read: list[str] = []
    real_read_bytes, real_read_text = Path.read_bytes, Path.read_text
    real_open = Path.open

    def spy_bytes(self: Path) -> bytes:
        read.append(self.name)
        return real_read_bytes(self)

    def spy_text(self: Path, *args, **kwargs) -> str:
        read.append(self.name)
        return real_read_text(self, *args, **kwargs)

    def spy_open(self: Path, *args, **kwargs):
        read.append(self.name)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", spy_bytes)
    monkeypatch.setattr(Path, "read_text", spy_text)
    monkeypatch.setattr(Path, "open", spy_open)
    config = load_config(root)
    read.clear()
    content = load_content(root, config)
    assert "a.md" not in read
    assert [e.format() for e in content.errors] == [
        f"{A}: 文件过大（51200 KB），超过上限 512 KB — 请确认文件内容无误；如确需更大，请调整 site_config.yaml 的 limits.max_article_kb"
    ]


def limited_config(**limits: int) -> str:
    text = (REPO / "site_config.yaml").read_text("utf-8")
    block = "limits:\n" + "".join(f"  {k}: {v}\n" for k, v in limits.items())
    return re.sub(r"limits:\n(?:  .*\n)+", block, text)


def test_article_size_limit_comes_from_config(make_site):
    config = limited_config(max_article_kb=1, max_image_kb=8192)
    small = article(body="学习。" * 10)
    large = article(body="学习。\n\n" * 200)  # ~2.4 KB
    root = make_site({"content/articles/a.md": small, "content/articles/b.md": large}, config=config)
    assert problems(root) == [
        "content/articles/b.md: 文件过大（2 KB），超过上限 1 KB"
        " — 请确认文件内容无误；如确需更大，请调整 site_config.yaml 的 limits.max_article_kb"
    ]


def test_pages_and_bulletins_obey_the_size_limit_too(make_site):
    config = limited_config(max_article_kb=1, max_image_kb=8192)
    root = make_site(
        {
            "content/pages/about.md": "---\ntitle: 关于\n---\n" + "说明。\n\n" * 300,
            "content/bulletins/1.yaml": "# " + "注" * 1000 + "\nnumber: 1\n",
        },
        config=config,
    )
    found = problems(root)
    assert [p.split(":")[0] for p in found] == ["content/bulletins/1.yaml", "content/pages/about.md"], found
    assert all("文件过大" in p for p in found)


def test_image_size_limit_comes_from_config(make_site):
    config = limited_config(max_article_kb=512, max_image_kb=1)
    root = make_site(
        {A: article(body="正文。\n\n![图](big.png)\n\n![小图](small.png)")},
        config=config,
    )
    (root / "content/articles/big.png").write_bytes(b"\x89PNG" + b"\0" * 4096)
    (root / "content/articles/small.png").write_bytes(b"\x89PNG" + b"\0" * 100)
    assert only(root) == f"{A}:12: 图片“big.png”过大（4 KB），上限 1 KB — 请压缩图片后再提交"


def test_binary_file_named_md(make_site):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40
    root = make_site({"content/articles/photo.md": png})
    assert only(root) == (
        "content/articles/photo.md: 这不是文本文件（含有二进制内容） — 请确认文件内容，Markdown 文章须为 UTF-8 文本"
    )


def test_random_bytes_named_md(make_site):
    noise = bytes((i * 151 + 7) % 256 for i in range(20000)).replace(b"\0", b"\1")
    message = only(make_site({"content/articles/noise.md": noise}))
    assert message.startswith("content/articles/noise.md:") and "UTF-8" in message


# ---------------------------------------------------------------- Markdown that would hang or recurse

# (name, body, the message's start) — "before" figures measured on this machine with Python-Markdown 3.11.
PATHOLOGICAL = [
    # before: 27 s (50 KB)
    ("nested-brackets", "[" * 10000 + "a" + "](x)" * 10000, "方括号“[ ]”过多或没有配对"),
    # before: 57 s (20 KB)
    ("unmatched-brackets", "[" * 20000, "方括号“[ ]”过多或没有配对"),
    # before: 6.8 s
    ("unmatched-image-brackets", "![" * 5000, "方括号“[ ]”过多或没有配对"),
    # before: 1.1 s for 6 KB, quadratic
    ("nested-link-text", "[a" * 3000 + "]" * 3000, "方括号“[ ]”过多或没有配对"),
    # before: 7.8 s (html.parser rescans to the end for every unclosed tag)
    ("unclosed-tags", "<a " * 10000, "尖括号“<”过多或没有闭合"),
    # before: 12 s, across paragraphs
    ("unclosed-tags-in-paragraphs", "<a \n\n" * 10000, "尖括号“<”过多或没有闭合"),
    # before: RecursionError (a traceback)
    ("nested-list-5000", "\n".join("    " * i + "- 项" for i in range(5000)), "列表或引用嵌套超过 24 层"),
    ("nested-list-one-line", "- " * 5000 + "项", "列表或引用嵌套超过 24 层"),
    ("nested-ordered-list", "1. " * 5000 + "项", "列表或引用嵌套超过 24 层"),
    ("nested-list-tabs", "\n".join("\t" * i + "- 项" for i in range(400)), "列表或引用嵌套超过 24 层"),
    # before: 0.1 s on one line, 3.7 s as 1000 lines of growing depth
    ("nested-quote-5000", ">" * 5000 + " 引文", "列表或引用嵌套超过 24 层"),
    ("nested-quote-lines", "\n".join("> " * i + "引" for i in range(1, 300)), "列表或引用嵌套超过 24 层"),
    # before: 5.2 s
    (
        "ten-thousand-footnotes",
        "".join(f"文[^{i}]" for i in range(10000)) + "\n\n" + "\n".join(f"[^{i}]: 注{i}" for i in range(10000)),
        "脚注过多（10000 条注释、10000 处引用）",
    ),
    # before: 66 s
    ("ten-thousand-references", "[^1]" * 10000 + "\n\n[^1]: 注", "脚注过多（1 条注释、10000 处引用）"),
]


@pytest.mark.parametrize("name, body, message", PATHOLOGICAL, ids=[p[0] for p in PATHOLOGICAL])
def test_pathological_markdown_is_refused_quickly(name, body, message):
    rendered, seconds = timed(render_markdown, body)
    assert seconds < 0.5, f"{name}: {seconds:.2f} s"
    assert rendered.html == "" and rendered.problems, name
    assert rendered.problems[0].message.startswith(message)
    assert 1 <= rendered.problems[0].line <= body.count("\n") + 1


def test_pathological_body_is_a_content_error_with_file_line_and_fix(make_site):
    body = "第一段正常。\n\n第二段也正常。\n\n" + "[" * 20000
    root = make_site({A: article(body=body)})
    assert only(root) == (
        f"{A}:{BODY_LINE + 4}: 方括号“[ ]”过多或没有配对，无法排版"
        " — “[文字](网址)”才是链接；普通方括号请改用中文方括号“【】”或“〔〕”，并检查是否成对"
    )


def test_deep_list_is_a_content_error_on_its_line(make_site):
    body = "正文。\n\n" + "\n".join("    " * i + "- 项" for i in range(40))
    root = make_site({A: article(body=body)})
    assert only(root) == (
        f"{A}:{BODY_LINE + 2 + 24}: 列表或引用嵌套超过 24 层 — 请减少行首的“-”“>”或缩进；正文一般不需要三层以上的嵌套"
    )


def test_pathological_preface_of_the_anthology_is_reported(make_site):
    root = make_site(example=True)
    preface = root / "content/anthology/preface.md"
    assert preface.is_file()
    preface.write_text(preface.read_text("utf-8") + "\n\n" + "<a " * 10000, encoding="utf-8")
    found = problems(root)
    assert len(found) == 1 and found[0].startswith("content/anthology/preface.md:"), found
    assert "尖括号“<”过多或没有闭合" in found[0]


def test_recursion_inside_the_converter_is_a_content_error(monkeypatch):
    converter = markdown._converter()

    def explode(source: str) -> str:
        raise RecursionError

    monkeypatch.setattr(converter, "convert", explode)
    rendered = render_markdown("**正文**")  # not plain, so the converter runs
    assert rendered.html == ""
    assert [(p.line, p.message) for p in rendered.problems] == [(1, "正文结构嵌套过深，无法排版")]


def test_ordinary_markdown_is_not_refused():
    body = (
        "## 一、学习体会\n\n"
        "- 第一层\n    - 第二层\n        - 第三层\n\n"
        "> 引文\n> > 引文中的引文\n\n"
        "见[链接](https://example.org)和[^1]，还有 a<b 与 <br> 标签。\n\n"
        "- - -\n\n" + "- " * 20 + "二十层\n\n"
        "[^1]: 脚注。\n"
    )
    rendered = render_markdown(body)
    assert rendered.problems == ()
    assert "<hr>" in rendered.html and "<blockquote>" in rendered.html


def test_a_long_horizontal_rule_is_not_a_deep_list():
    assert check_markdown("- " * 60 + "-") == []
    assert check_markdown("* " * 60) == []


def test_the_guard_costs_little_on_real_articles():
    bodies = []
    for path in sorted((REPO / "content/articles").rglob("*.md")):
        source, _ = split_front_matter(path.name, path.read_text("utf-8"))
        assert source is not None
        bodies.append(source.body)
    assert len(bodies) >= 20
    for body in bodies:
        assert check_markdown(body) == [], body[:40]
    started = time.perf_counter()
    for _ in range(10):
        for body in bodies:
            check_markdown(body)
    per_article = (time.perf_counter() - started) / (10 * len(bodies))
    assert per_article < 0.0001, f"{per_article * 1e6:.0f} µs per article"  # measured: ~10 µs


# ---------------------------------------------------------------- dev server


def test_serve_binds_loopback_by_default():
    from xindelu.commands import cli, watch

    assert inspect.signature(watch.serve).parameters["host"].default == "127.0.0.1"
    args = cli._parser().parse_args(["serve"])
    assert args.host == "127.0.0.1"


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    """output/site/ with a page, a secret beside it and one above it, and symlinks in and out."""
    site = tmp_path / "output" / "site"
    (site / "articles" / "a").mkdir(parents=True)
    (site / "index.html").write_text("<html><body>首页</body></html>", encoding="utf-8")
    (site / "articles" / "a" / "index.html").write_text("<html><body>文章</body></html>", encoding="utf-8")
    (site / "404.html").write_text("<html><body>找不到</body></html>", encoding="utf-8")
    (tmp_path / "output" / "secret.txt").write_text("SECRET-OUTPUT", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("SECRET-ROOT", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET-LINK", encoding="utf-8")
    os.symlink(outside, site / "escape")
    os.symlink(tmp_path / "secret.txt", site / "escape.txt")
    os.symlink(site / "articles", site / "inside")
    return site


ESCAPES = [
    "/../secret.txt",
    "/../../secret.txt",
    "/articles/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/..%5c..%5csecret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "/escape/secret.txt",
    "/escape.txt",
    "/%00../secret.txt",
    "/index.html%00.txt",
    "/./../secret.txt",
    "/.%2e/secret.txt",
]


@pytest.mark.parametrize("path", ESCAPES)
def test_resolve_request_stays_inside_the_site(site_dir, path):
    target = resolve(site_dir, path)
    root = site_dir.resolve()
    assert target is None or target == root / "404.html" or root in target.resolve().parents, target


def resolve(site_dir: Path, path: str) -> Path | None:
    from xindelu.commands.server import resolve_request

    return resolve_request(site_dir, "/", path)


def test_resolve_request_serves_what_is_inside(site_dir):
    assert resolve(site_dir, "/") == site_dir.resolve() / "index.html"
    assert resolve(site_dir, "/articles/a/") == site_dir.resolve() / "articles" / "a" / "index.html"
    assert resolve(site_dir, "/articles/a/index.html?x=1#y") == site_dir.resolve() / "articles/a/index.html"
    assert resolve(site_dir, "/inside/a/") == site_dir.resolve() / "articles" / "a" / "index.html"
    for path in ESCAPES:
        assert resolve(site_dir, path) is None, path


def test_resolve_request_under_a_base_path(site_dir):
    from xindelu.commands.server import resolve_request

    assert (
        resolve_request(site_dir, "/xindelu/", "/xindelu/articles/a/") == site_dir.resolve() / "articles/a/index.html"
    )
    assert resolve_request(site_dir, "/xindelu/", "/xindelu/../secret.txt") is None
    assert resolve_request(site_dir, "/xindelu/", "/xindelu/%2e%2e/secret.txt") is None


@pytest.fixture
def server(site_dir):
    from xindelu.commands.server import LiveState, start_server

    httpd = start_server(site_dir, "/", LiveState(), "127.0.0.1", 0)
    yield httpd
    httpd.closing = True  # type: ignore[attr-defined]
    httpd.shutdown()
    httpd.server_close()


def raw_get(server, path: str) -> tuple[int, bytes]:
    """A request with the path sent exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_server_listens_on_loopback_only(server):
    assert server.server_address[0] == "127.0.0.1"


@pytest.mark.parametrize("path", [*ESCAPES, "/../../../../../../etc/passwd", "http://evil/../secret.txt"])
def test_server_serves_nothing_outside_the_site(server, path):
    status, body = raw_get(server, path.replace(" ", "%20"))
    assert status in (400, 404), (status, body[:80])
    assert b"SECRET" not in body and b"root:" not in body


def test_server_serves_pages_and_injects_reload(server):
    status, body = raw_get(server, "/articles/a/")
    assert status == 200 and "文章".encode() in body and b"EventSource" in body
    status, body = raw_get(server, "/nothing-here/")
    assert status == 404 and "找不到".encode() in body


def test_html_in_front_matter_is_escaped_on_every_page(make_site):
    from xindelu.build.pipeline import BuildOptions as Options
    from xindelu.build.pipeline import build

    evil = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    root = make_site(
        {A: article(title=f"'标题{evil}'", author=f"'张三{evil}'", position=f"'干部{evil}'", summary=f"'摘要{evil}'")}
    )
    result = build(Options(root, TODAY, pdf=False))
    assert not result.errors, [e.format() for e in result.errors]
    texts = {k: v.decode("utf-8") for k, v in result.outputs.items() if k.endswith((".html", ".xml", ".json"))}
    assert any("&lt;script&gt;alert(1)" in t for t in texts.values())
    for name, text in texts.items():
        assert "<script>alert(1)" not in text and "onerror=alert(2)>" not in text, name
