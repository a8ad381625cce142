"""site_config.yaml → SiteConfig, a tree of frozen dataclasses.

Unknown keys are errors (a typo in config must not be silently ignored), and
every error names the line of site_config.yaml it is about.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.source import decode_text, key_lines_of, load_yaml

CONFIG_NAME = "site_config.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Device names Windows refuses as file or folder names (any case): output/ must copy to any disk.
WINDOWS_RESERVED = frozenset(
    ("con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)))
)
RESERVED_HINT = "这是 Windows 的设备名，不能用作文件夹名；请换一个，如在后面加“-1”"


def reserved_slug(slug: str) -> bool:
    return slug.lower() in WINDOWS_RESERVED


@dataclass(frozen=True)
class SiteMeta:
    title: str
    base_url: str
    language: str = "zh-CN"
    page_size: int = 12
    subtitle: str = ""
    description: str = ""
    organizer: str = ""
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Unit:
    name: str
    slug: str
    aliases: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True)
class UnitGroup:
    name: str
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Category:
    name: str
    slug: str
    meaning: str = ""


@dataclass(frozen=True)
class Form:
    name: str
    slug: str
    max_zi: int
    description: str = ""


@dataclass(frozen=True)
class Outlet:
    name: str
    slug: str
    description: str = ""


@dataclass(frozen=True)
class DimensionValue:
    name: str
    slug: str
    max: int = 0  # how many articles may carry it (a contest's quota); 0: no limit


@dataclass(frozen=True)
class Dimension:
    """An extra index dimension (award, stage …) declared in config, indexed like category."""

    key: str
    label: str
    slug: str
    values: tuple[DimensionValue, ...]
    featured: bool = True
    # Values are ranks in the order given (一等奖 first): the site gets a results page (获奖名单).
    ranked: bool = False
    results_title: str = ""  # the results page's title; default: the label + 名单


@dataclass(frozen=True)
class PrivateField:
    """A front-matter field editors need (联系电话) that is checked and never published."""

    key: str
    label: str
    pattern: str = ""  # a regular expression the whole value must match, e.g. "1[3-9][0-9]{9}"


@dataclass(frozen=True)
class Fonts:
    body: tuple[str, ...] = ("Noto Serif CJK SC",)
    heading: tuple[str, ...] = ("Noto Sans CJK SC",)
    bulletin_title: tuple[str, ...] = ("Noto Serif CJK SC",)
    bulletin_body: tuple[str, ...] = ("Noto Serif CJK SC",)
    bulletin_heading: tuple[str, ...] = ("Noto Sans CJK SC",)


# Installed by the project's setup (Debian libgs-common, see the Makefile); a printer's own
# profile replaces it in site_config.yaml (anthology.output_profile).
DEFAULT_CMYK_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"


@dataclass(frozen=True)
class AnthologySettings:
    trim_width_mm: float = 140
    trim_height_mm: float = 203
    bleed_mm: float = 3
    font_size_pt: float = 10.5
    line_height: float = 1.75
    margin_top_mm: float = 20
    margin_bottom_mm: float = 20
    margin_inner_mm: float = 22
    margin_outer_mm: float = 18
    # Print edition (PDF/X-4): colours in CMYK per cent, the printer's output profile, and the
    # page count padded with blank pages to a multiple of this (4; 16 for whole signatures).
    cover_cmyk: tuple[float, ...] = (0, 85, 80, 35)
    cover_text_cmyk: tuple[float, ...] = (0, 8, 30, 3)
    output_profile: str = DEFAULT_CMYK_PROFILE
    page_multiple: int = 4


@dataclass(frozen=True)
class BulletinSettings:
    series_title: str = ""
    issuer: str = ""
    allowed_forms: tuple[str, ...] = ()
    default_sections: tuple[str, ...] = ()
    # GB/T 9704-2012: the series title and the rule in red, M and Y at least 80 (CMYK per cent).
    red_cmyk: tuple[float, ...] = (0, 100, 100, 0)
    # The outlet an issue of the bulletin is (if any): an article shows its issue, not the outlet again.
    outlet: str = ""


def cmyk_css(cmyk: tuple[float, ...]) -> str:
    """CMYK per cent → a CSS device-cmyk() colour (WeasyPrint writes it as DeviceCMYK)."""
    return "device-cmyk(" + " ".join(f"{v / 100:g}" for v in cmyk) + ")"


def cmyk_rgb_css(cmyk: tuple[float, ...]) -> str:
    """CMYK per cent → the naive sRGB equivalent, for the screen edition."""
    c, m, y, k = (v / 100 for v in cmyk)
    return "#" + "".join(f"{round(255 * (1 - v) * (1 - k)):02x}" for v in (c, m, y))


@dataclass(frozen=True)
class WechatSettings:
    """The 公众号版 theme: what the inlined stylesheet (layouts/site/wechat.css) takes from config."""

    accent: str = "#c00000"  # section heads, masthead rule; the site's red by default
    title_size_px: int = 20  # the piece titles; body text stays at 16 px as WeChat shows it


@dataclass(frozen=True)
class Limits:
    max_article_kb: int = 512
    max_image_kb: int = 8192


@dataclass(frozen=True)
class ProofreadingRule:
    wrong: str
    right: str


@dataclass(frozen=True)
class SiteConfig:
    site: SiteMeta
    unit_groups: tuple[UnitGroup, ...]
    categories: tuple[Category, ...]
    forms: tuple[Form, ...]
    outlets: tuple[Outlet, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    fonts: Fonts = field(default_factory=Fonts)
    anthology: AnthologySettings = field(default_factory=AnthologySettings)
    bulletin: BulletinSettings = field(default_factory=BulletinSettings)
    limits: Limits = field(default_factory=Limits)
    wechat: WechatSettings = field(default_factory=WechatSettings)
    proofreading: tuple[ProofreadingRule, ...] = ()
    private: tuple[PrivateField, ...] = ()

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(unit for group in self.unit_groups for unit in group.units)

    def unit_lookup(self) -> dict[str, Unit]:
        """Names and aliases → unit."""
        table: dict[str, Unit] = {}
        for unit in self.units:
            table[unit.name] = unit
            for alias in unit.aliases:
                table.setdefault(alias, unit)
        return table


def load_config(root: Path) -> SiteConfig:
    """Load ``root/site_config.yaml``; raise ContentErrors listing every problem."""
    path = root / CONFIG_NAME
    if not path.is_file():
        raise ContentErrors(
            [
                ContentError(
                    CONFIG_NAME, 0, "找不到站点配置文件", f"请在 {root} 下放置 {CONFIG_NAME}，可复制示例站点的配置修改"
                )
            ]
        )
    text, errors = decode_text(CONFIG_NAME, path.read_bytes())
    if text is None:
        raise ContentErrors(errors)
    data, errors = load_yaml(CONFIG_NAME, text)
    if errors:
        raise ContentErrors(errors)
    return parse_config(data, text)


def parse_config(data: Any, text: str = "") -> SiteConfig:
    lines = key_lines_of(text) if text else {}
    errors: list[ContentError] = []
    config = _build(SiteConfig, data, (), lines, errors)
    if config is not None:
        _check_config(config, lines, errors)
    if errors or config is None:
        raise ContentErrors(sorted(set(errors)) or [ContentError(CONFIG_NAME, 1, "配置无法读取", "请检查文件内容")])
    return _attach_groups(config)


def _attach_groups(config: SiteConfig) -> SiteConfig:
    groups = tuple(
        dataclasses.replace(g, units=tuple(dataclasses.replace(u, group=g.name) for u in g.units))
        for g in config.unit_groups
    )
    return dataclasses.replace(config, unit_groups=groups)


def _line(lines: dict[tuple[Any, ...], int], path: tuple[Any, ...]) -> int:
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _label(path: tuple[Any, ...]) -> str:
    parts = []
    for part in path:
        parts.append(f"[{part + 1}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts) or "（顶层）"


_TYPE_ZH = {str: "文字", int: "整数", float: "数字", bool: "true 或 false"}


def _build(cls: Any, data: Any, path: tuple[Any, ...], lines: dict, errors: list[ContentError]) -> Any:
    """Construct ``cls`` (a dataclass, tuple[...], or scalar type) from YAML data."""
    origin = typing.get_origin(cls)
    if origin is tuple:
        if data is None:
            return ()
        if isinstance(data, (str, int, float)) and typing.get_args(cls)[0] is str:
            data = [data]
        if not isinstance(data, list):
            errors.append(
                ContentError(CONFIG_NAME, _line(lines, path), f"“{_label(path)}”应是列表", "每项另起一行，以“- ”开头")
            )
            return ()
        item_type = typing.get_args(cls)[0]
        return tuple(_build(item_type, item, (*path, i), lines, errors) for i, item in enumerate(data))
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(cls) if a is not type(None)]
        return None if data is None else _build(options[0], data, path, lines, errors)
    if dataclasses.is_dataclass(cls):
        if not isinstance(data, dict):
            errors.append(
                ContentError(CONFIG_NAME, _line(lines, path), f"“{_label(path)}”应是“键: 值”的映射", "请检查缩进")
            )
            return None
        hints = typing.get_type_hints(cls)
        known = {f.name: f for f in dataclasses.fields(cls) if f.name != "group"}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                guess = difflib.get_close_matches(str(key), list(known), n=1)
                hint = f"是否指“{guess[0]}”？" if guess else "可用的键：" + "、".join(known)
                errors.append(
                    ContentError(CONFIG_NAME, _line(lines, (*path, key)), f"未知的配置项“{_label((*path, key))}”", hint)
                )
                continue
            values[key] = _build(hints[key], value, (*path, key), lines, errors)
        for name, f in known.items():
            missing = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if missing and name not in values:
                errors.append(
                    ContentError(
                        CONFIG_NAME, _line(lines, path), f"缺少配置项“{_label((*path, name))}”", "请补上这一项"
                    )
                )
        return None if errors else cls(**values)
    if cls is float and isinstance(data, int) and not isinstance(data, bool):
        return float(data)
    if cls in _TYPE_ZH and (not isinstance(data, cls) or (cls is int and isinstance(data, bool))):
        errors.append(
            ContentError(
                CONFIG_NAME, _line(lines, path), f"“{_label(path)}”应是{_TYPE_ZH[cls]}，现在是“{data}”", "请改正这个值"
            )
        )
        return None
    return data


HEX_COLOUR_RE = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of ``colour`` (#rgb or #rrggbb) on white."""
    digits = colour[1:] if len(colour) == 7 else "".join(c * 2 for c in colour[1:])
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def _check_wechat(wechat: WechatSettings, lines: dict, errors: list[ContentError]) -> None:
    # The colour goes into a stylesheet and then into style attributes: only a plain hex colour
    # is safe there, and it must stay readable as text on WeChat's white page (WCAG AA, 4.5:1).
    if not isinstance(wechat.accent, str) or not HEX_COLOUR_RE.match(wechat.accent):
        errors.append(
            ContentError(
                CONFIG_NAME,
                _line(lines, ("wechat", "accent")),
                f"wechat.accent“{wechat.accent}”不是颜色值",
                '请写成 # 加 6 位十六进制数，如 accent: "#c00000"（要加引号）',
            )
        )
    elif contrast_on_white(wechat.accent) < 4.5:
        errors.append(
            ContentError(
                CONFIG_NAME,
                _line(lines, ("wechat", "accent")),
                f"wechat.accent“{wechat.accent}”在白底上太浅（对比度 {contrast_on_white(wechat.accent):.1f}:1，至少要 4.5:1）",
                "请换深一些的颜色，如 #c00000",
            )
        )
    if not 14 <= wechat.title_size_px <= 32:
        errors.append(
            ContentError(
                CONFIG_NAME,
                _line(lines, ("wechat", "title_size_px")),
                f"wechat.title_size_px 为 {wechat.title_size_px}，超出 14～32 的范围",
                "请写 14 到 32 之间的整数，如 20",
            )
        )


def _check_config(config: SiteConfig, lines: dict, errors: list[ContentError]) -> None:
    def slug_ok(slug: str, path: tuple[Any, ...]) -> None:
        if not SLUG_RE.match(slug):
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, path),
                    f"slug“{slug}”不是合法网址片段",
                    "只用小写字母、数字和连字符，如 chang-sha",
                )
            )
        elif reserved_slug(slug):
            errors.append(ContentError(CONFIG_NAME, _line(lines, path), f"slug“{slug}”不能使用", RESERVED_HINT))

    seen: dict[str, str] = {}
    for gi, group in enumerate(config.unit_groups):
        for ui, unit in enumerate(group.units):
            path = ("unit_groups", gi, "units", ui)
            slug_ok(unit.slug, (*path, "slug"))
            for name in (unit.name, *unit.aliases):
                if name in seen and seen[name] != unit.name:
                    errors.append(
                        ContentError(
                            CONFIG_NAME,
                            _line(lines, path),
                            f"单位名称或别名“{name}”重复（也属于“{seen[name]}”）",
                            "每个名称只能指向一个单位",
                        )
                    )
                seen[name] = unit.name
    for key, items in (("categories", config.categories), ("forms", config.forms), ("outlets", config.outlets)):
        names: set[str] = set()
        for i, item in enumerate(items):
            slug_ok(item.slug, (key, i, "slug"))
            if item.name in names:
                errors.append(
                    ContentError(CONFIG_NAME, _line(lines, (key, i)), f"“{item.name}”重复", "请删去重复的一项")
                )
            names.add(item.name)
    if config.site.page_size < 1:
        errors.append(ContentError(CONFIG_NAME, _line(lines, ("site", "page_size")), "page_size 须为正整数", "如 12"))
    _check_wechat(config.wechat, lines, errors)
    reserved = {"title", "author", "unit", "category", "form", "date", "status", "slug", "tags", "outlets", "summary"}
    for i, dim in enumerate(config.dimensions):
        slug_ok(dim.slug, ("dimensions", i, "slug"))
        if dim.key in reserved:
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, ("dimensions", i, "key")),
                    f"维度键“{dim.key}”与文章固定字段重名",
                    "请换一个键名",
                )
            )
        for j, value in enumerate(dim.values):
            slug_ok(value.slug, ("dimensions", i, "values", j, "slug"))
            if value.max < 0:
                errors.append(
                    ContentError(
                        CONFIG_NAME,
                        _line(lines, ("dimensions", i, "values", j, "max")),
                        f"“{value.name}”的名额 max 不能是负数",
                        "写名额数，如 max: 2；不限名额就不写",
                    )
                )
    dimension_keys = {d.key for d in config.dimensions}
    for i, private in enumerate(config.private):
        if private.key in reserved or private.key in dimension_keys:
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, ("private", i, "key")),
                    f"不公开字段“{private.key}”与文章字段或维度重名",
                    "请换一个键名，如 phone",
                )
            )
        try:
            re.compile(private.pattern)
        except re.error:
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, ("private", i, "pattern")),
                    f"不公开字段“{private.key}”的格式 pattern 不是有效的正则表达式",
                    '如 pattern: "1[3-9][0-9]{9}"',
                )
            )
    outlet_names = {o.name for o in config.outlets}
    if config.bulletin.outlet and config.bulletin.outlet not in outlet_names:
        errors.append(
            ContentError(
                CONFIG_NAME,
                _line(lines, ("bulletin", "outlet")),
                f"专报对应的媒体“{config.bulletin.outlet}”不在 outlets 中",
                "请写 outlets 里已有的媒体名，或删去这一行",
            )
        )
    for section, key, cmyk in (
        ("anthology", "cover_cmyk", config.anthology.cover_cmyk),
        ("anthology", "cover_text_cmyk", config.anthology.cover_text_cmyk),
        ("bulletin", "red_cmyk", config.bulletin.red_cmyk),
    ):
        if len(cmyk) != 4 or not all(0 <= v <= 100 for v in cmyk):
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, (section, key)),
                    f"{section}.{key} 应是 4 个 0～100 的数（青、品红、黄、黑的百分比）",
                    "如 [0, 100, 100, 0]",
                )
            )
    if config.anthology.page_multiple < 1:
        errors.append(
            ContentError(
                CONFIG_NAME, _line(lines, ("anthology", "page_multiple")), "page_multiple 须为正整数", "如 4 或 16"
            )
        )
    form_names = {f.name for f in config.forms}
    for i, name in enumerate(config.bulletin.allowed_forms):
        if name not in form_names:
            errors.append(
                ContentError(
                    CONFIG_NAME,
                    _line(lines, ("bulletin", "allowed_forms", i)),
                    f"专报允许的体裁“{name}”不在 forms 中",
                    "请写 forms 里已有的体裁名",
                )
            )
