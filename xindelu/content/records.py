"""Typed records of the content model (../shared/DESIGN.md §3) and their validation.

``validate_*`` turn a SourceFile (or parsed YAML) into a frozen record, or into
ContentErrors naming the file, the line and the fix. They never raise.
"""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from xindelu.content.config import RESERVED_HINT, SLUG_RE, Category, Form, SiteConfig, Unit, reserved_slug
from xindelu.core.errors import ContentError
from xindelu.core.markdown import paragraph_text, plain_summary, render_markdown
from xindelu.core.source import SourceFile
from xindelu.core.wordcount import count_zi

STATUSES = ("submitted", "approved", "rejected")
STATUS_ZH = {"submitted": "已报送", "approved": "已审定", "rejected": "未采用"}
ARTICLE_KEYS = (
    "title", "author", "position", "unit", "category", "form", "date", "status", "slug",
    "summary", "tags", "outlets", "video", "featured",
)  # fmt: skip
_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


@dataclass(frozen=True)
class OutletUse:
    name: str
    date: dt.date | None
    url: str = ""  # the carried piece on the outlet's site (http/https), when known


@dataclass(frozen=True)
class Article:
    path: str  # relative to the site root, posix
    slug: str
    title: str
    authors: tuple[str, ...]
    position: str
    unit: Unit
    category: Category
    form: Form
    date: dt.date
    status: str
    summary: str
    tags: tuple[str, ...]
    outlets: tuple[OutletUse, ...]
    extra: tuple[tuple[str, str], ...]  # (dimension key, value name), e.g. ("award", "优秀心得")
    video: str
    featured: bool
    body_html: str
    zi: int
    images: tuple[str, ...]  # relative to the article's folder
    body_line: int
    slug_line: int = 1

    @property
    def author_line(self) -> str:
        return "、".join(self.authors)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # The body goes into a pickle as UTF-8 bytes made here: pickle would keep the UTF-8 form
        # of every string it writes on the string itself (CPython), 34 MB at 10,000 articles in
        # the process that saves the build cache, at the top of a cold build's memory.
        values = [getattr(self, name) for name in _FIELDS]
        values[_BODY] = self.body_html.encode("utf-8")
        return _article, tuple(values)

    def dimension(self, key: str) -> str:
        return dict(self.extra).get(key, "")


_FIELDS = tuple(f.name for f in fields(Article))
_BODY = _FIELDS.index("body_html")


def _article(*values: Any) -> Article:
    """An Article from its pickle (Article.__reduce__)."""
    body = values[_BODY]
    return Article(*values[:_BODY], body.decode("utf-8"), *values[_BODY + 1 :])


@dataclass(frozen=True)
class Page:
    path: str
    slug: str
    title: str
    body_html: str
    slug_line: int = 1


@dataclass(frozen=True)
class BulletinSection:
    name: str
    intro: str
    articles: tuple[str, ...]  # slugs
    article_lines: tuple[int, ...] = ()  # where each slug stands in the file, for messages


@dataclass(frozen=True)
class Distribution:
    bao: str = ""
    song: str = ""
    fa: str = ""


@dataclass(frozen=True)
class Bulletin:
    path: str
    number: int
    date: dt.date
    series_title: str
    issuer: str
    signer: str
    sections: tuple[BulletinSection, ...]
    distribution: Distribution
    number_line: int = 1

    @property
    def article_slugs(self) -> tuple[str, ...]:
        return tuple(slug for section in self.sections for slug in section.articles)


@dataclass(frozen=True)
class AnthologyPart:
    title: str
    subtitle: str
    articles: tuple[str, ...]
    article_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Anthology:
    path: str
    slug: str
    title: str
    subtitle: str
    editor: str
    publisher: str
    year: int
    cip: str
    isbn: str
    preface_html: str
    afterword_html: str
    parts: tuple[AnthologyPart, ...]

    @property
    def article_slugs(self) -> tuple[str, ...]:
        return tuple(slug for part in self.parts for slug in part.articles)


# ---------------------------------------------------------------- helpers


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(str(value)) if isinstance(value, str) else None
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def did_you_mean(value: str, choices: list[str]) -> str:
    """Closest choice by prefix/containment first, then by similarity; '' if none is close."""
    for choice in choices:
        if value and (choice.startswith(value) or value.startswith(choice) or value in choice):
            return choice
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.4)
    return close[0] if close else ""


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    return None


class _Checker:
    """Collects errors for one file with the right line for each key."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.errors: list[ContentError] = []

    def error(self, key: str | None, message: str, hint: str, line: int | None = None) -> None:
        where = line if line is not None else (self.source.line_of(key) if key else 1)
        self.errors.append(ContentError(self.source.path, where, message, hint))

    def required_text(self, key: str, label: str, example: str) -> str:
        value = self.source.front_matter.get(key)
        if value is None or value == "":
            self.error(
                None if key not in self.source.key_lines else key,
                f"缺少必填字段 {key}（{label}）",
                f"请加一行 {key}: {example}",
            )
            return ""
        text = _text(value)
        if text is None:
            self.error(key, f"字段 {key}（{label}）应是一段文字", f"如 {key}: {example}")
            return ""
        return text

    def optional_text(self, key: str, label: str) -> str:
        value = self.source.front_matter.get(key)
        if value is None:
            return ""
        text = _text(value)
        if text is None:
            self.error(key, f"字段 {key}（{label}）应是一段文字", "去掉列表或嵌套，直接写文字")
            return ""
        return text

    def text_list(self, key: str, label: str) -> tuple[str, ...]:
        value = self.source.front_matter.get(key)
        if value is None:
            return ()
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            text = _text(item)
            if text is None:
                self.error(key, f"字段 {key}（{label}）的每一项应是文字", f"如 {key}: [甲, 乙]")
            elif text:
                out.append(text)
        return tuple(out)


def _choose(checker: _Checker, key: str, label: str, value: str, table: Mapping[str, Any], where: str) -> Any:
    if not value:
        return None
    if value in table:
        return table[value]
    guess = did_you_mean(value, list(table))
    message = f"{label}“{value}”未登记"
    if guess:
        target = getattr(table[guess], "name", guess)
        message += f"，是否指“{target}”？"
        hint = f"请改为 {key}: {target}"
    else:
        hint = f"可用的{label}：" + "、".join(dict.fromkeys(getattr(v, "name", k) for k, v in table.items()))
    if where:
        hint += f"（{where}）"
    checker.error(key, message, hint)
    return None


# ---------------------------------------------------------------- articles


def validate_article(
    source: SourceFile, config: SiteConfig, default_slug: str
) -> tuple[Article | None, list[ContentError]]:
    """Front matter + body → Article, or every problem found in the file."""
    c = _Checker(source)
    fm = source.front_matter
    dimension_keys = {d.key: d for d in config.dimensions}
    private_keys = {p.key: p for p in config.private}
    allowed = set(ARTICLE_KEYS) | set(dimension_keys) | set(private_keys)
    for key in fm:
        if str(key) not in allowed:
            guess = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.6)
            hint = f"是否指 {guess[0]}？" if guess else "可用字段：" + "、".join(ARTICLE_KEYS + tuple(dimension_keys))
            c.error(str(key), f"未知字段“{key}”", hint)

    title = c.required_text("title", "标题", "在读原著中悟原理")
    authors_value = fm.get("author")
    if isinstance(authors_value, list):
        authors = c.text_list("author", "作者")
        if not authors:
            c.error("author", "字段 author（作者）是空列表", "请写作者姓名，如 author: 张三")
    else:
        single = c.required_text("author", "作者", "张三")
        authors = (single,) if single else ()
    position = c.optional_text("position", "职务")
    unit = _choose(
        c,
        "unit",
        "单位",
        c.required_text("unit", "单位", config.units[0].name),
        config.unit_lookup(),
        "见 site_config.yaml 的 unit_groups",
    )
    category = _choose(
        c,
        "category",
        "类别",
        c.required_text("category", "类别", config.categories[0].name),
        {x.name: x for x in config.categories},
        "",
    )
    form = _choose(
        c, "form", "体裁", c.required_text("form", "体裁", config.forms[0].name), {x.name: x for x in config.forms}, ""
    )

    date = None
    raw_date = fm.get("date")
    if raw_date is None:
        c.error(
            None if "date" not in source.key_lines else "date",
            "缺少必填字段 date（发布日期）",
            "请加一行 date: 2026-04-08",
        )
    else:
        date = parse_date(raw_date)
        if date is None:
            c.error("date", f"日期“{raw_date}”无效或不存在", "请按 年-月-日 写一个真实日期，如 date: 2026-04-08")

    status = c.required_text("status", "状态", "approved")
    if status and status not in STATUSES:
        guess = did_you_mean(status, list(STATUSES))
        c.error(
            "status",
            f"状态“{status}”无效",
            f"只能是 submitted（已报送）、approved（已审定）或 rejected（未采用）{f'，是否指 {guess}？' if guess else ''}",
        )

    slug = str(fm.get("slug", default_slug)).strip() if fm.get("slug") is not None else default_slug
    if not SLUG_RE.match(slug):
        suggestion = suggest_slug(title or slug)
        where = "slug" if "slug" in fm else None
        c.error(
            where,
            f"网址名（slug）“{slug}”不合规：只能用小写字母、数字和连字符",
            f"请加一行或改为 slug: {suggestion}"
            if where
            else f"请把文件改名为 {suggestion}.md，或加一行 slug: {suggestion}",
        )
    elif reserved_slug(slug):
        c.error("slug" if "slug" in fm else None, f"网址名（slug）“{slug}”不能使用", RESERVED_HINT)

    outlets = _outlets(c, fm.get("outlets"), config)
    tags = c.text_list("tags", "标签")
    extra = []
    for key, dim in dimension_keys.items():
        value = c.optional_text(key, dim.label)
        if value:
            names = [v.name for v in dim.values]
            if value in names:
                extra.append((key, value))
            else:
                guess = did_you_mean(value, names)
                c.error(
                    key,
                    f"{dim.label}“{value}”未登记" + (f"，是否指“{guess}”？" if guess else ""),
                    f"可用的{dim.label}：" + "、".join(names),
                )
    # Private fields are checked here and then dropped: the Article never holds them, so no
    # page, feed, search index or PDF can show them.
    for key, private in private_keys.items():
        value = c.optional_text(key, private.label)
        if value and private.pattern and not re.fullmatch(private.pattern, value):
            c.error(key, f"{private.label}“{value}”格式不对", "请按 site_config.yaml 中 private 的 pattern 填写")
    video = c.optional_text("video", "视频")
    featured = fm.get("featured", False)
    if not isinstance(featured, bool):
        c.error("featured", "字段 featured（推荐）应是 true 或 false", "如 featured: true")
        featured = False

    body = render_markdown(source.body)
    zi = count_zi(body.text)
    for problem in body.problems:
        c.error(None, problem.message, problem.hint, line=source.body_line + problem.line - 1)
    if not body.text.strip() and not body.problems:
        c.error(None, "正文是空的", "请在第二个 --- 之后写正文", line=source.body_line)
    if form and zi > form.max_zi:
        c.error(
            None,
            f"正文 {zi} 字，超过{form.name}的上限 {form.max_zi} 字（多 {zi - form.max_zi} 字）",
            f"请删减到 {form.max_zi} 字以内，或改为字数上限更高的体裁",
            line=source.body_line,
        )
    images = tuple(src for src in body.images if is_local_src(src))
    for src in images:
        if src.startswith("/") or ".." in posixpath.normpath(src).split("/"):
            c.error(
                None,
                f"图片路径“{src}”指向文章目录之外",
                "请把图片放在文章旁边，用相对路径引用",
                line=_line_with(source, src),
            )

    summary = c.optional_text("summary", "摘要") or plain_summary(paragraph_text(body.html))
    if c.errors:
        return None, c.errors
    assert unit and category and form and date  # guaranteed when no error was recorded
    return (
        Article(
            path=source.path,
            slug=slug,
            title=title,
            authors=authors,
            position=position,
            unit=unit,
            category=category,
            form=form,
            date=date,
            status=status,
            summary=summary,
            tags=tags,
            outlets=outlets,
            extra=tuple(extra),
            video=video,
            featured=bool(featured),
            body_html=body.html,
            zi=zi,
            images=images,
            body_line=source.body_line,
            slug_line=source.line_of("slug"),
        ),
        [],
    )


def is_local_src(src: str) -> bool:
    """A src that names a file of the site (no scheme, not protocol-relative)."""
    return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", src)


def _line_with(source: SourceFile, needle: str) -> int:
    for offset, line in enumerate(source.body.split("\n")):
        if needle in line:
            return source.body_line + offset
    return source.body_line


# A web address: scheme, host, no spaces or quotes (it goes into an href as it is).
_WEB_URL = re.compile(r"^https?://[^\s/\"'<>]+(?:/[^\s\"'<>]*)?$")


def _outlets(c: _Checker, value: Any, config: SiteConfig) -> tuple[OutletUse, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        value = [value]
    names = {o.name: o for o in config.outlets}
    uses = []
    for item in value:
        url = ""
        if isinstance(item, str):
            name, date = item.strip(), None
        elif isinstance(item, dict) and "name" in item:
            name = str(item.get("name", "")).strip()
            date = parse_date(item["date"]) if item.get("date") is not None else None
            if item.get("date") is not None and date is None:
                c.error("outlets", f"刊用日期“{item['date']}”无效", "如 {name: 湖南日报, date: 2026-04-10}")
            unknown = set(item) - {"name", "date", "url"}
            if unknown:
                c.error(
                    "outlets", f"刊用记录中有未知的键“{'、'.join(map(str, unknown))}”", "每项只写 name、date 和 url"
                )
            if item.get("url") is not None:
                url = str(item["url"]).strip()
                if not _WEB_URL.match(url):
                    c.error(
                        "outlets",
                        f"刊用网址“{url}”无效",
                        "请写以 http:// 或 https:// 开头的完整网址，如 url: https://www.hunantoday.cn/…",
                    )
                    url = ""
        else:
            c.error("outlets", "刊用记录格式不对", "每项写成 {name: 湖南日报, date: 2026-04-10}")
            continue
        if name not in names:
            guess = did_you_mean(name, list(names))
            c.error(
                "outlets",
                f"刊用媒体“{name}”未登记" + (f"，是否指“{guess}”？" if guess else ""),
                "可用的媒体：" + "、".join(names),
            )
            continue
        uses.append(OutletUse(name, date, url))
    return tuple(uses)


def suggest_slug(title: str) -> str:
    """An ASCII slug from a Chinese title (pinyin), for messages and `new`."""
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - pypinyin is a declared dependency
        words = re.findall(r"[a-z0-9]+", title.lower())
    else:
        words = [re.sub(r"[^a-z0-9]", "", w.lower()) for w in lazy_pinyin(title)]
    slug = "-".join(w for w in words if w)[:60].strip("-")
    return slug or "article"


# ---------------------------------------------------------------- pages


def validate_page(source: SourceFile, default_slug: str) -> tuple[Page | None, list[ContentError]]:
    c = _Checker(source)
    for key in source.front_matter:
        if key not in ("title", "slug"):
            c.error(str(key), f"未知字段“{key}”", "页面只需要 title 和 slug")
    title = c.required_text("title", "标题", "关于本栏目")
    slug = c.optional_text("slug", "网址名") or default_slug
    if not SLUG_RE.match(slug):
        c.error(
            "slug" if "slug" in source.front_matter else None,
            f"网址名（slug）“{slug}”不合规",
            "只用小写字母、数字和连字符，如 slug: about",
        )
    elif reserved_slug(slug):
        c.error("slug" if "slug" in source.front_matter else None, f"网址名（slug）“{slug}”不能使用", RESERVED_HINT)
    body = render_markdown(source.body)
    for problem in body.problems:
        c.error(None, problem.message, problem.hint, line=source.body_line + problem.line - 1)
    if c.errors:
        return None, c.errors
    return Page(source.path, slug, title, body.html, source.line_of("slug")), []


# ---------------------------------------------------------------- YAML documents


class _YamlChecker:
    """Like _Checker, for a whole YAML file whose key paths map to lines."""

    def __init__(self, path: str, lines: Mapping[tuple[Any, ...], int]) -> None:
        self.path = path
        self.lines = lines
        self.errors: list[ContentError] = []

    def line(self, *key: Any) -> int:
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1)

    def error(self, key: tuple[Any, ...], message: str, hint: str) -> None:
        self.errors.append(ContentError(self.path, self.line(*key), message, hint))

    def unknown_keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], where: tuple[Any, ...] = ()) -> None:
        for key in data:
            if key not in allowed:
                guess = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                self.error(
                    (*where, key),
                    f"未知的键“{key}”",
                    f"是否指 {guess[0]}？" if guess else "可用的键：" + "、".join(allowed),
                )

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        label: str,
        example: str,
        where: tuple[Any, ...] = (),
        required: bool = True,
    ) -> str:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(where, f"缺少 {key}（{label}）", f"请加一行 {key}: {example}")
            return ""
        text = _text(value)
        if text is None:
            self.error((*where, key), f"{key}（{label}）应是一段文字", f"如 {key}: {example}")
            return ""
        return text

    def slug_lines(self, where: tuple[Any, ...], count: int) -> tuple[int, ...]:
        return tuple(self.line(*where, "articles", i) for i in range(count))

    def slugs(self, data: Mapping[str, Any], key: str, where: tuple[Any, ...]) -> tuple[str, ...]:
        value = data.get(key)
        if not isinstance(value, list) or not value:
            self.error(
                (*where, key) if key in data else where,
                f"缺少 {key}（文章列表）或列表为空",
                f"如 {key}: [du-yuan-zhu-wu-yuan-li]",
            )
            return ()
        out = []
        for i, item in enumerate(value):
            text = _text(item)
            if not text:
                self.error((*where, key, i), "文章列表中有一项不是网址名（slug）", "每项写一篇文章的 slug")
            else:
                out.append(text)
        return tuple(out)


BULLETIN_KEYS = ("number", "date", "series_title", "issuer", "signer", "sections", "distribution")


def validate_bulletin(
    path: str, data: Any, lines: Mapping[tuple[Any, ...], int], config: SiteConfig
) -> tuple[Bulletin | None, list[ContentError]]:
    c = _YamlChecker(path, lines)
    if not isinstance(data, dict):
        c.error((), "专报文件应是“键: 值”的映射", "参照示例专报填写 number、date、sections 等")
        return None, c.errors
    c.unknown_keys(data, BULLETIN_KEYS)
    number = data.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        c.error(("number",), f"期号 number 应是正整数，现在是“{number}”", "如 number: 1")
    date = parse_date(data.get("date"))
    if date is None:
        c.error(("date",), f"日期“{data.get('date')}”无效或缺失", "如 date: 2026-05-12")
    series = c.text(data, "series_title", "专报名称", "", required=False) or config.bulletin.series_title
    issuer = c.text(data, "issuer", "编印单位", "", required=False) or config.bulletin.issuer
    signer = c.text(data, "signer", "签发人", "王某某", required=False)
    sections = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        c.error(
            ("sections",),
            "缺少 sections（栏目）或为空",
            "至少写一个栏目：sections: [{name: 经验交流, articles: [...]}]",
        )
    else:
        for i, sec in enumerate(raw_sections):
            where = ("sections", i)
            if not isinstance(sec, dict):
                c.error(where, "栏目应写成 name 和 articles", "如 - name: 经验交流")
                continue
            c.unknown_keys(sec, ("name", "intro", "articles"), where)
            name = c.text(sec, "name", "栏目名", "经验交流", where)
            intro = c.text(sec, "intro", "栏目说明", "", where, required=False)
            slugs = c.slugs(sec, "articles", where)
            sections.append(BulletinSection(name, intro, slugs, c.slug_lines(where, len(slugs))))
    dist = data.get("distribution") or {}
    if not isinstance(dist, dict):
        c.error(("distribution",), "distribution（分送范围）应写 bao、song、fa 三行", "如 bao: 省领导")
        dist = {}
    c.unknown_keys(dist, ("bao", "song", "fa"), ("distribution",))
    distribution = Distribution(
        *(
            c.text(dist, k, label, "", ("distribution",), required=False)
            for k, label in (("bao", "报"), ("song", "送"), ("fa", "发"))
        )
    )
    if c.errors:
        return None, c.errors
    assert date is not None
    return Bulletin(path, number, date, series, issuer, signer, tuple(sections), distribution, c.line("number")), []


ANTHOLOGY_KEYS = (
    "title",
    "subtitle",
    "editor",
    "publisher",
    "year",
    "cip",
    "isbn",
    "preface",
    "afterword",
    "parts",
    "slug",
)


def validate_anthology(
    path: str, data: Any, lines: Mapping[tuple[Any, ...], int], read_markdown: Any
) -> tuple[Anthology | None, list[ContentError]]:
    """``read_markdown(name, key_line)`` returns (html, errors) for a preface/afterword file."""
    c = _YamlChecker(path, lines)
    if not isinstance(data, dict):
        c.error((), "文集清单应是“键: 值”的映射", "参照示例填写 title、parts 等")
        return None, c.errors
    c.unknown_keys(data, ANTHOLOGY_KEYS)
    title = c.text(data, "title", "书名", "“学讲话用讲话”心得录")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 < year < 3000:
        c.error(("year",), f"出版年份 year 应是四位整数，现在是“{year}”", "如 year: 2026")
    html_parts = {}
    file_errors: list[ContentError] = []  # a missing preface must not hide reference problems
    for key, label in (("preface", "前言"), ("afterword", "后记")):
        name = c.text(data, key, label, f"{key}.md", required=False)
        html_parts[key] = ""
        if name:
            html, errors = read_markdown(name, c.line(key))
            html_parts[key] = html
            file_errors.extend(errors)
    parts = []
    raw_parts = data.get("parts")
    if not isinstance(raw_parts, list) or not raw_parts:
        c.error(("parts",), "缺少 parts（分辑）或为空", "至少写一辑：parts: [{title: 学而思, articles: [...]}]")
    else:
        for i, part in enumerate(raw_parts):
            where = ("parts", i)
            if not isinstance(part, dict):
                c.error(where, "分辑应写成 title 和 articles", "如 - title: 学而思")
                continue
            c.unknown_keys(part, ("title", "subtitle", "articles"), where)
            slugs = c.slugs(part, "articles", where)
            parts.append(
                AnthologyPart(
                    c.text(part, "title", "辑名", "学而思", where),
                    c.text(part, "subtitle", "副题", "", where, required=False),
                    slugs,
                    c.slug_lines(where, len(slugs)),
                )
            )
    slug = c.text(data, "slug", "文件名", "xindelu-2026", required=False) or f"anthology-{year}"
    if not SLUG_RE.match(slug):
        c.error(("slug",), f"slug“{slug}”不合规", "只用小写字母、数字和连字符")
    elif reserved_slug(slug):
        c.error(("slug",), f"slug“{slug}”不能使用", RESERVED_HINT)
    if c.errors:
        return None, c.errors + file_errors
    return (
        Anthology(
            path,
            slug,
            title,
            c.text(data, "subtitle", "副书名", "", required=False),
            c.text(data, "editor", "编者", "", required=False),
            c.text(data, "publisher", "出版者", "", required=False),
            year,
            c.text(data, "cip", "CIP 数据", "", required=False),
            c.text(data, "isbn", "ISBN", "", required=False),
            html_parts["preface"],
            html_parts["afterword"],
            tuple(parts),
        ),
        file_errors,
    )
