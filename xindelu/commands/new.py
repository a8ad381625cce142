"""`python build.py new`: start an article file with its front matter filled in.

Missing fields are asked for when a person is at the keyboard (stdin is a terminal);
otherwise every missing or invalid flag is listed in one Chinese message (exit 2).
The file is content/articles/<year>/<slug>.md with ``status: submitted``; an existing
file is never overwritten.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from xindelu.build.pipeline import BuildOptions
from xindelu.content.config import RESERVED_HINT, SLUG_RE, SiteConfig, load_config, reserved_slug
from xindelu.content.records import did_you_mean, parse_date, suggest_slug
from xindelu.core.errors import ContentErrors

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2

Ask = Callable[[str], str]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool
    example: str


@dataclass(frozen=True)
class NewArticle:
    title: str
    author: str
    position: str
    unit: str
    category: str
    form: str
    date: dt.date
    slug: str


def fields(config: SiteConfig) -> tuple[Field, ...]:
    return (
        Field("title", "标题", True, "在读原著中悟原理"),
        Field("author", "作者", True, "张三（多位作者用顿号隔开：张三、李四）"),
        Field("position", "职务", False, "某县委宣传部副部长（可不填）"),
        Field("unit", "单位", True, config.units[0].name if config.units else "单位名称"),
        Field("category", "类别", True, config.categories[0].name if config.categories else ""),
        Field("form", "体裁", True, config.forms[0].name if config.forms else ""),
        Field("date", "日期", False, "2026-04-08（不填为今天）"),
        Field("slug", "网址名", False, "（不填则取标题拼音）"),
    )


def check_value(key: str, value: str, config: SiteConfig) -> tuple[str, str]:
    """(normalised value, '') or ('', Chinese problem with a did-you-mean)."""
    value = value.strip()
    if key == "unit":
        lookup = config.unit_lookup()
        if value in lookup:
            return lookup[value].name, ""
        guess = did_you_mean(value, list(lookup))
        hint = f"是否指“{lookup[guess].name}”？" if guess else "可用的单位：" + "、".join(u.name for u in config.units)
        return "", f"单位“{value}”未登记，{hint}"
    if key in ("category", "form"):
        names = [x.name for x in (config.categories if key == "category" else config.forms)]
        if value.isdigit() and 1 <= int(value) <= len(names):
            return names[int(value) - 1], ""
        if value in names:
            return value, ""
        label = "类别" if key == "category" else "体裁"
        guess = did_you_mean(value, names)
        hint = f"是否指“{guess}”？" if guess else "可用的{label}：" + "、".join(names)
        return "", f"{label}“{value}”未登记，{hint}"
    if key == "date":
        if not value:
            return "", ""
        return (value, "") if parse_date(value) else ("", f"日期“{value}”无效，请按 年-月-日 写，如 2026-04-08")
    if key == "slug":
        if value and reserved_slug(value):
            return "", f"网址名“{value}”不能用：{RESERVED_HINT}"
        if not value or SLUG_RE.match(value):
            return value, ""
        better = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") if value.isascii() else suggest_slug(value)
        return "", f"网址名“{value}”不合规：只能用小写字母、数字和连字符，如 {better or 'xin-de'}"
    if key == "title" and ("\n" in value):
        return "", "标题不能换行"
    return value, ""


def _choices(key: str, config: SiteConfig) -> str:
    if key == "category":
        return "  " + "\n  ".join(f"{i}. {c.name}　{c.meaning}" for i, c in enumerate(config.categories, 1))
    if key == "form":
        return "  " + "\n  ".join(f"{i}. {f.name}（不超过 {f.max_zi} 字）" for i, f in enumerate(config.forms, 1))
    if key == "unit":
        return "  " + "\n  ".join(f"{g.name}：" + "、".join(u.name for u in g.units) for g in config.unit_groups)
    return ""


def ask_missing(values: dict[str, str], config: SiteConfig, ask: Ask, say: Callable[[str], None]) -> dict[str, str]:
    """Prompt for each field not given (and re-prompt on a bad answer); returns the completed values."""
    done = dict(values)
    for f in fields(config):
        if done.get(f.key):
            continue
        choices = _choices(f.key, config)
        if choices:
            how = "名称或简称" if f.key == "unit" else "序号或名称"
            say(f"{f.label}可选（输入{how}）：\n{choices}")
        while True:
            answer = ask(f"{f.label}{'' if f.required else '（可不填）'}，如 {f.example}：").strip()
            if not answer and not f.required:
                break
            if not answer:
                say(f"{f.label}必须填写。")
                continue
            value, problem = check_value(f.key, answer, config)
            if problem:
                say(problem)
                continue
            done[f.key] = value
            break
    return done


def complete(values: dict[str, str], config: SiteConfig, today: dt.date) -> tuple[NewArticle | None, list[str]]:
    """Validate all values at once; every problem in Chinese, naming its --flag."""
    problems: list[str] = []
    clean: dict[str, str] = {}
    missing = [f for f in fields(config) if f.required and not values.get(f.key, "").strip()]
    if missing:
        problems.append(
            "缺少："
            + "、".join(f"{f.label}（--{f.key}）" for f in missing)
            + "。例如：python build.py new --title 在读原著中悟原理 --author 张三 --unit 长沙 --category 学而思 --form 微心得"
        )
    for f in fields(config):
        raw = values.get(f.key, "") or ""
        if not raw.strip():
            continue
        value, problem = check_value(f.key, raw, config)
        if problem:
            problems.append(f"--{f.key}：{problem}")
        clean[f.key] = value
    if problems:
        return None, problems
    date = parse_date(clean["date"]) if clean.get("date") else today
    assert date is not None
    return (
        NewArticle(
            title=clean["title"],
            author=clean["author"],
            position=clean.get("position", ""),
            unit=clean["unit"],
            category=clean["category"],
            form=clean["form"],
            date=date,
            slug=clean.get("slug") or suggest_slug(clean["title"]),
        ),
        [],
    )


def yaml_value(value: str) -> str:
    """One YAML scalar on one line, quoted only when it has to be."""
    return (
        yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
        .strip()
        .removesuffix("...")
        .strip()
    )


def render(article: NewArticle) -> str:
    authors = [a.strip() for a in article.author.replace("，", "、").replace(",", "、").split("、") if a.strip()]
    author = yaml_value(authors[0]) if len(authors) == 1 else "[" + ", ".join(yaml_value(a) for a in authors) + "]"
    lines = ["---", f"title: {yaml_value(article.title)}", f"author: {author}"]
    if article.position:
        lines.append(f"position: {yaml_value(article.position)}")
    lines += [
        f"unit: {yaml_value(article.unit)}",
        f"category: {yaml_value(article.category)}",
        f"form: {yaml_value(article.form)}",
        f"date: {article.date.isoformat()}",
        "status: submitted",
        f"slug: {article.slug}",
        "---",
        "<!-- 在这一行下面写正文（删去本行）。小标题写成“## 一、……”，段落之间空一行。 -->",
        "",
    ]
    return "\n".join(lines)


def target_path(root: Path, article: NewArticle) -> Path:
    return root / "content" / "articles" / str(article.date.year) / f"{article.slug}.md"


def _existing_with_slug(root: Path, slug: str) -> list[Path]:
    base = root / "content" / "articles"
    return sorted(base.rglob(f"{slug}.md")) if base.is_dir() else []


def run_new(
    options: BuildOptions,
    args: argparse.Namespace,
    *,
    interactive: bool | None = None,
    ask: Ask = input,
) -> int:
    """Write the new article file; 0 done, 1 refused (file exists or config broken), 2 bad or missing flags."""
    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        for error in exc.errors:
            sys.stderr.write(error.format() + "\n")
        return EXIT_CONTENT
    values = {f.key: (getattr(args, f.key, None) or "") for f in fields(config)}
    if interactive is None:
        interactive = sys.stdin.isatty()
    if interactive:

        def say(text: str) -> None:
            print(text)

        try:
            values = ask_missing(values, config, ask, say)
        except EOFError:
            sys.stderr.write("\n输入已结束，没有创建文件。\n")
            return EXIT_USAGE
    article, problems = complete(values, config, options.today)
    if article is None:
        sys.stderr.write("没有创建文件：\n" + "".join(f"  {p}\n" for p in problems))
        return EXIT_USAGE
    path = target_path(options.root, article)
    rel = path.relative_to(options.root).as_posix()
    clash = _existing_with_slug(options.root, article.slug)
    if clash:
        where = "、".join(p.relative_to(options.root).as_posix() for p in clash)
        sys.stderr.write(
            f"{rel}: 没有创建文件：网址名“{article.slug}”已被 {where} 使用，原文件未改动"
            f" — 换一个网址名，如加上 --slug {article.slug}-2 重新运行\n"
        )
        return EXIT_CONTENT
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite, even in a race
            handle.write(render(article))
    except FileExistsError:
        sys.stderr.write(f"{rel}: 文件已存在，没有覆盖 — 换一个网址名（--slug）\n")
        return EXIT_CONTENT
    print(f"已创建 {rel}")
    print(f"  标题：{article.title}　作者：{article.author}　单位：{article.unit}")
    print(
        f"  类别：{article.category}　体裁：{article.form}　日期：{article.date.isoformat()}　状态：已报送（submitted）"
    )
    print("下一步：打开这个文件写正文，然后运行 python build.py check 检查。")
    return EXIT_OK
