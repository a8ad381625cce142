"""The site theme: Jinja environment and static assets, overridable file by file.

A site's own ``layouts/site/`` is searched first, then the default theme of this
repository (../shared/DESIGN.md §2). Template mistakes become Chinese ContentErrors that
name the template file, its line and the page being rendered — never a traceback.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2

from xindelu.content.records import Article
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.layouts import DEFAULT_LAYOUTS, layout_dirs, shown_template
from xindelu.site.wechat import article_piece, bulletin_issue, wechat_inliner

DEFAULT_THEME = DEFAULT_LAYOUTS / "site"
STATIC = "static"


def theme_dirs(root: Path) -> list[Path]:
    return layout_dirs(root, "site")


class RecordingEnvironment(jinja2.Environment):
    """Notes which fields a template reads of articles other than the page's own: a page's
    key is made of those fields (site.pages), so a list that starts showing 字数 is
    re-rendered when 字数 changes, with no hand-kept list of what each template shows."""

    own: str = ""  # the article whose page is being rendered
    reads: set[str]

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is Article and obj.path != self.own:
            self.reads.add(attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if type(obj) is Article and obj.path != self.own and isinstance(argument, str):
            self.reads.add(argument)
        return super().getitem(obj, argument)


def start_recording(env: jinja2.Environment, own: str) -> set[str]:
    """Before rendering one page: the set that collects what it reads outside the faces."""
    reads: set[str] = set()
    if isinstance(env, RecordingEnvironment):
        env.own, env.reads = own, reads
    return reads


class TemplateCode(jinja2.BytecodeCache):
    """Compiled templates kept between builds by the memo, not by Jinja on disk: a build reads
    ``saved`` and leaves what it compiled in ``made`` (compiling the theme was 0.06 s of a
    one-article edit). Jinja checks each entry against its template's source and Python."""

    def __init__(self, saved: Mapping[str, bytes]) -> None:
        self.saved = saved
        self.made: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.saved.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.made[bucket.key] = bucket.bytecode_to_string()


def make_env(root: Path, templates: Mapping[str, bytes] | None = None) -> jinja2.Environment:
    """One environment per build; templates compile once and are cached by Jinja.
    ``templates``: compiled by an earlier build (see TemplateCode)."""
    env = RecordingEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme_dirs(root)]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=TemplateCode(templates or {}),
    )
    env.reads = set()
    env.globals["theme_root"] = str(root)
    env.globals["once"] = _once()
    # 公众号版 (site.wechat): the pieces are prepared in Python, so a template reads no field of
    # the articles in an issue (a body edit stays a body edit); the inliner is this build's.
    env.globals["wechat_piece"] = article_piece
    env.globals["wechat_issue"] = bulletin_issue
    env.globals["wechat_inline"] = wechat_inliner()
    return env


def _once() -> Callable[[str, Callable[[], str]], str]:
    """``once(name, macro)`` in a template: the macro's output, rendered on first use in this
    environment (one per build) and reused after: for parts every page shares."""
    fragments: dict[str, str] = {}

    def once(name: str, macro: Callable[[], str]) -> str:
        found = fragments.get(name)
        if found is None:
            found = fragments[name] = macro()
        return found

    return once


def _relative(filename: str | None, root: Path) -> str:
    return shown_template(filename, theme_dirs(root), "layouts/site")


def template_error(exc: Exception, root: Path, page: str) -> ContentError:
    """The template file and line an exception came from, in the editors' format."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return ContentError(
            _relative(exc.filename, root),
            exc.lineno or 0,
            f"模板语法错误：{exc.message}（生成 {page} 时）",
            "请对照 Jinja 语法改正这一行，或删去这个覆盖模板以使用默认主题",
        )
    filename, line = None, 0
    dirs = [str(d) for d in theme_dirs(root)]
    for frame in traceback.extract_tb(exc.__traceback__):
        if any(frame.filename.startswith(d) for d in dirs):
            filename, line = frame.filename, frame.lineno or 0
    if isinstance(exc, jinja2.TemplateNotFound):
        return ContentError(
            _relative(filename, root) if filename else "layouts/site",
            line,
            f"找不到模板“{exc.name}”（生成 {page} 时）",
            "请检查模板名，或把默认主题中的同名文件复制到 layouts/site/ 再修改",
        )
    what = "用到了不存在的变量或属性" if isinstance(exc, jinja2.UndefinedError) else "模板运行出错"
    return ContentError(
        _relative(filename, root),
        line,
        f"{what}：{exc}（生成 {page} 时）",
        "请对照默认主题 layouts/site/ 中的同名模板检查这一行",
    )


def renderer(env: jinja2.Environment, root: Path) -> Callable[..., str]:
    """``render(template, page_label, **context)``; errors become ContentErrors."""
    cache: dict[str, jinja2.Template] = {}

    def render(name: str, page: str, **context: Any) -> str:
        try:
            template = cache.get(name)
            if template is None:
                template = cache[name] = env.get_template(name)
            return template.render(**context)
        except ContentErrors:
            raise
        except Exception as exc:  # any template mistake: report it with place and page
            raise ContentErrors([template_error(exc, root, page)]) from exc

    return render


def static_outputs(root: Path) -> dict[str, bytes]:
    """The theme's static files under site/static/, a site's own file winning over the default."""
    outputs: dict[str, bytes] = {}
    for base in reversed(theme_dirs(root)):
        folder = base / STATIC
        if not folder.is_dir():
            continue
        for file in sorted(folder.rglob("*")):
            rel = file.relative_to(folder)
            if file.is_file() and not any(part.startswith(".") for part in rel.parts):
                outputs[f"site/{STATIC}/{rel.as_posix()}"] = file.read_bytes()
    return outputs
