"""`python build.py import FILE.docx|FOLDER`: Word submissions → article files (status: submitted).

Chinese offices format by hand rather than with styles, so structure is read from direct
formatting: a centred (or large, or Title-styled) first line is the title; label lines under
it (作者单位：… 姓名：… 职务：…) or a centred "单位 姓名" line are the byline; a bold or short
line starting 一、 or （一） is a heading. A recommendation form (a label/value table, as in
the contest notices) is read by its labels. python-docx reads the document (it exposes the
alignment and font size that carry this structure); footnotes, numbering and images are read
from the package XML directly.

Phases: read_docx (file → WordDocument, plain data) → build_draft (pure: WordDocument +
config → Draft with front matter, Markdown body, what was guessed) → run_import (writes).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xindelu.build.pipeline import BuildOptions
from xindelu.commands.new import yaml_value
from xindelu.content.config import SiteConfig, Unit, load_config
from xindelu.content.records import suggest_slug, validate_article
from xindelu.core.errors import ContentErrors
from xindelu.core.markdown import render_markdown
from xindelu.core.source import split_front_matter
from xindelu.core.wordcount import count_zi

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
V = "urn:schemas-microsoft-com:vml"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
RT_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
RT_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
RT_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


MARKER = "# 导入自："  # a YAML comment naming the source file, so a second run knows it was done

# ---------------------------------------------------------------- the document as plain data


@dataclass(frozen=True)
class Span:
    kind: str  # "text", "note" (footnote/endnote reference), "image", "link"
    text: str = ""
    bold: bool = False
    italic: bool = False
    ref: str = ""  # note key, image key or link URL


@dataclass(frozen=True)
class Para:
    spans: tuple[Span, ...]
    style: str = ""
    centred: bool = False
    size: float = 0.0  # largest font size in points, 0 when unknown
    heading: int = 0  # 1.. from a heading style or outline level; 0 for none
    title_style: bool = False
    list_kind: str = ""  # "", "bullet", "number"
    list_level: int = 0

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans if s.kind in ("text", "link"))

    @property
    def all_bold(self) -> bool:
        visible = [s for s in self.spans if s.kind in ("text", "link") and s.text.strip()]
        return bool(visible) and all(s.bold for s in visible)


@dataclass(frozen=True)
class Cell:
    paras: tuple[Para, ...]
    repeat: bool = False  # the continuation of a merged cell

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.paras).strip()


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]


Block = Para | Table


@dataclass(frozen=True)
class Image:
    data: bytes
    ext: str


@dataclass(frozen=True)
class WordDocument:
    blocks: tuple[Block, ...]
    notes: dict[str, tuple[Para, ...]]
    images: dict[str, Image]
    unconverted: tuple[str, ...]  # Chinese descriptions of what could not be converted


class ImportFailure(Exception):
    """A file that cannot be imported at all; the message is Chinese."""


# ---------------------------------------------------------------- reading (python-docx + XML)


def read_docx(path: Path) -> WordDocument:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ImportFailure("缺少 python-docx — 请运行 pip install python-docx") from exc
    import zipfile

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailure(
            "无法打开：文件已损坏、设置了密码，或不是 Word 文档（.docx）"
            " — 请用 Word 或 WPS 打开，取消密码后“另存为”.docx 再导入"
        ) from exc
    except Exception as exc:  # lxml errors and the like: a damaged package
        raise ImportFailure(
            f"无法读取（{type(exc).__name__}）：文件可能已损坏 — 请用 Word 或 WPS 打开后另存为 .docx 再导入"
        ) from exc
    reader = _Reader(document)
    blocks = tuple(reader.blocks(document.element.body))
    notes: dict[str, tuple[Para, ...]] = {}
    for reltype, prefix in ((RT_FOOTNOTES, "f"), (RT_ENDNOTES, "e")):
        for rel in document.part.rels.values():
            if rel.reltype == reltype and not rel.is_external:
                notes.update(reader.notes(rel.target_part.blob, prefix))
    return WordDocument(blocks, notes, reader.images, tuple(reader.unconverted_notes()))


class _Reader:
    """Walks the body XML in document order; collects images and what it could not convert."""

    def __init__(self, document: Any) -> None:
        from docx.text.paragraph import Paragraph

        self.document = document
        self.part = document.part
        self.paragraph_cls = Paragraph
        self.images: dict[str, Image] = {}
        self.skipped: dict[str, int] = {}
        self.counters: dict[tuple[str, int], int] = {}
        self.numbering = self._numbering()
        self.styles_by_id = {style.style_id: style for style in document.styles}

    def skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def unconverted_notes(self) -> Iterator[str]:
        for what, count in self.skipped.items():
            yield f"{what} {count} 处"

    # -- block level

    def blocks(self, container: Any) -> Iterator[Block]:
        for child in container.iterchildren():
            tag = child.tag
            if tag == _q(W, "p"):
                yield from self.paragraphs(child)
            elif tag == _q(W, "tbl"):
                yield self.table(child)
            elif tag in (_q(W, "sdt"), _q(W, "customXml")):
                content = child.find(_q(W, "sdtContent"))
                yield from self.blocks(content if content is not None else child)
            elif tag in (_q(W, "ins"), _q(W, "moveTo")):
                yield from self.blocks(child)

    def table(self, tbl: Any) -> Table:
        rows = []
        for tr in tbl.iterchildren(_q(W, "tr")):
            cells: list[Cell] = []
            for tc in tr.iterchildren(_q(W, "tc")):
                tc_pr = tc.find(_q(W, "tcPr"))
                span = 1
                continuation = False
                if tc_pr is not None:
                    grid = tc_pr.find(_q(W, "gridSpan"))
                    span = int(grid.get(_q(W, "val"), "1")) if grid is not None else 1
                    vmerge = tc_pr.find(_q(W, "vMerge"))
                    continuation = vmerge is not None and vmerge.get(_q(W, "val"), "continue") == "continue"
                if tc.find(f".//{_q(W, 'tbl')}") is not None:
                    self.skip("表格中嵌套的表格（已展开为文字）")
                paras = tuple(p for block in self.blocks(tc) for p in _flatten(block))
                cells.append(Cell(() if continuation else paras, repeat=continuation))
                cells.extend(Cell((), repeat=True) for _ in range(span - 1))
            rows.append(tuple(cells))
        return Table(tuple(rows))

    def paragraphs(self, p: Any) -> Iterator[Para]:
        """One Word paragraph → one or more Para (a manual line break starts a new one)."""
        paragraph = self.paragraph_cls(p, self.document._body)
        style = paragraph.style
        style_name = style.name if style is not None else ""
        centred = _alignment(paragraph) in ("center", "distribute")
        heading = _heading_level(p, style)
        list_kind, level, prefix = self._list_info(p, style)
        base = Para(
            (),
            style=style_name,
            centred=centred,
            heading=heading,
            title_style=style_name.lower() in ("title", "标题") or (style is not None and style.style_id == "Title"),
            list_kind=list_kind,
            list_level=level,
        )
        lines: list[list[Span]] = [[Span("text", prefix)] if prefix else []]
        sizes: list[float] = []
        para_bold = _style_flag(style, "bold")
        para_italic = _style_flag(style, "italic")
        for item in self.inline(p, para_bold, para_italic, sizes):
            if item is None:
                lines.append([])
            else:
                lines[-1].append(item)
        size = max(sizes) if sizes else _style_size(style)
        for spans in lines:
            yield replace(base, spans=tuple(spans), size=size)

    # -- inline level

    def inline(self, element: Any, bold: bool, italic: bool, sizes: list[float]) -> Iterator[Span | None]:
        """Spans in order; None stands for a line break."""
        for child in element.iterchildren():
            tag = child.tag
            if tag == _q(W, "r"):
                yield from self.run(child, bold, italic, sizes)
            elif tag == _q(W, "hyperlink"):
                url = ""
                rid = child.get(_q(R, "id"))
                if rid and rid in self.part.rels and self.part.rels[rid].reltype == RT_HYPERLINK:
                    url = self.part.rels[rid].target_ref
                spans = [s for s in self.inline(child, bold, italic, sizes) if s is not None]
                text = "".join(s.text for s in spans if s.kind == "text")
                if url and text.strip():
                    yield Span("link", text, spans[0].bold if spans else bold, False, url)
                else:
                    yield from spans
            elif tag in (
                _q(W, "ins"), _q(W, "smartTag"), _q(W, "customXml"), _q(W, "fldSimple"), _q(W, "sdt"),
                _q(W, "sdtContent"), _q(W, "moveTo"), _q(W, "bdo"), _q(W, "dir"),
            ):  # fmt: skip
                yield from self.inline(child, bold, italic, sizes)
            elif tag in (_q(M, "oMath"), _q(M, "oMathPara")):
                self.skip("公式（已按文字导入）")
                text = "".join(t.text or "" for t in child.iter(_q(M, "t")))
                if text:
                    yield Span("text", text, bold, italic)

    def run(self, r: Any, bold: bool, italic: bool, sizes: list[float]) -> Iterator[Span | None]:
        r_pr = r.find(_q(W, "rPr"))
        if r_pr is not None:
            style = r_pr.find(_q(W, "rStyle"))
            if style is not None:
                char_style = self._style_by_id(style.get(_q(W, "val")))
                bold = _style_flag(char_style, "bold") or bold
                italic = _style_flag(char_style, "italic") or italic
            bold = _on_off(r_pr.find(_q(W, "b")), bold)
            italic = _on_off(r_pr.find(_q(W, "i")), italic)
            size = r_pr.find(_q(W, "sz"))
            if size is not None and (size.get(_q(W, "val")) or "").isdigit():
                sizes.append(int(size.get(_q(W, "val"))) / 2)
            if _on_off(r_pr.find(_q(W, "vanish")), False):
                return  # hidden text
        for child in r.iterchildren():
            tag = child.tag
            if tag == _q(W, "t"):
                yield Span("text", child.text or "", bold, italic)
            elif tag == _q(W, "tab"):
                yield Span("text", " ", bold, italic)
            elif tag in (_q(W, "br"), _q(W, "cr")):
                if child.get(_q(W, "type")) not in ("page", "column"):
                    yield None
            elif tag == _q(W, "noBreakHyphen"):
                yield Span("text", "-", bold, italic)
            elif tag == _q(W, "sym"):
                code = child.get(_q(W, "char"), "")
                if re.fullmatch(r"[0-9A-Fa-f]{4}", code) and int(code, 16) < 0xF000:
                    yield Span("text", chr(int(code, 16)), bold, italic)
                else:
                    self.skip("特殊符号（符号字体）")
            elif tag == _q(W, "footnoteReference"):
                yield Span("note", ref="f" + child.get(_q(W, "id"), ""))
            elif tag == _q(W, "endnoteReference"):
                yield Span("note", ref="e" + child.get(_q(W, "id"), ""))
            elif tag in (_q(W, "drawing"), _q(W, "pict"), _q(MC, "AlternateContent")):
                yield from self.picture(child)
            elif tag == _q(W, "object"):
                self.skip("嵌入对象（如 Excel 表、Visio 图）")

    def picture(self, element: Any) -> Iterator[Span]:
        if element.tag == _q(MC, "AlternateContent"):
            choice = element.find(_q(MC, "Choice"))
            element = choice if choice is not None else element.find(_q(MC, "Fallback"))
            if element is None:
                return
        if element.find(".//{*}txbx") is not None or element.find(f".//{_q(V, 'textbox')}") is not None:
            self.skip("文本框（内容未导入）")
            return
        if element.find(".//{*}chart") is not None:
            self.skip("图表（请截图后作为图片插入）")
            return
        blips = element.findall(f".//{_q(A, 'blip')}")
        rids = [b.get(_q(R, "embed")) or b.get(_q(R, "link")) for b in blips]
        rids += [d.get(_q(R, "id")) for d in element.findall(f".//{_q(V, 'imagedata')}")]
        described = element.find(f".//{_q(WP, 'docPr')}")
        alt = (described.get("descr") or "") if described is not None else ""
        for rid in filter(None, rids):
            part = self.part.related_parts.get(rid)
            if part is None or not hasattr(part, "blob"):
                self.skip("链接到外部文件的图片")
                continue
            ext = part.partname.ext.lower() if hasattr(part, "partname") else "bin"
            self.images.setdefault(rid, Image(part.blob, "jpg" if ext == "jpeg" else ext))
            yield Span("image", alt.strip(), ref=rid)
            break

    # -- notes, styles, numbering

    def notes(self, blob: bytes, prefix: str) -> dict[str, tuple[Para, ...]]:
        from docx.oxml import parse_xml  # python-docx's element classes, so Paragraph works on them

        root = parse_xml(blob)
        notes = {}
        for note in root:
            if note.get(_q(W, "type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            paras = tuple(p for block in self.blocks(note) for p in _flatten(block))
            notes[prefix + (note.get(_q(W, "id")) or "")] = paras
        return notes

    def _style_by_id(self, style_id: str | None) -> Any:
        if not style_id:
            return None
        return self.styles_by_id.get(style_id)

    def _numbering(self) -> dict[str, dict[int, tuple[str, str]]]:
        """numId → level → (numFmt, lvlText)."""
        try:
            numbering = self.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return {}
        abstract = {}
        for node in numbering.iterchildren(_q(W, "abstractNum")):
            levels = {}
            for lvl in node.iterchildren(_q(W, "lvl")):
                fmt = lvl.find(_q(W, "numFmt"))
                text = lvl.find(_q(W, "lvlText"))
                levels[int(lvl.get(_q(W, "ilvl"), "0"))] = (
                    fmt.get(_q(W, "val"), "decimal") if fmt is not None else "decimal",
                    text.get(_q(W, "val"), "") if text is not None else "",
                )
            abstract[node.get(_q(W, "abstractNumId"))] = levels
        table = {}
        for num in numbering.iterchildren(_q(W, "num")):
            ref = num.find(_q(W, "abstractNumId"))
            if ref is not None:
                table[num.get(_q(W, "numId"))] = abstract.get(ref.get(_q(W, "val")), {})
        return table

    def _list_info(self, p: Any, style: Any) -> tuple[str, int, str]:
        """(kind, level, prefix): a Markdown list, or the text prefix of Chinese auto-numbering (一、)."""
        num_pr = p.find(f"{_q(W, 'pPr')}/{_q(W, 'numPr')}")
        chain = style
        while num_pr is None and chain is not None:
            num_pr = chain.element.find(f"{_q(W, 'pPr')}/{_q(W, 'numPr')}")
            chain = chain.base_style
        if num_pr is None:
            name = style.name if style is not None else ""
            if name.startswith("List Bullet"):
                return "bullet", 0, ""
            if name.startswith("List Number"):
                return "number", 0, ""
            return "", 0, ""
        num_id_el = num_pr.find(_q(W, "numId"))
        ilvl_el = num_pr.find(_q(W, "ilvl"))
        num_id = num_id_el.get(_q(W, "val")) if num_id_el is not None else None
        level = int(ilvl_el.get(_q(W, "val"), "0")) if ilvl_el is not None else 0
        if not num_id or num_id == "0":
            return "", 0, ""
        fmt, text = self.numbering.get(num_id, {}).get(level, ("decimal", f"%{level + 1}."))
        if fmt == "bullet":
            return "bullet", level, ""
        key = (num_id, level)
        self.counters[key] = self.counters.get(key, 0) + 1
        for deeper in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[deeper]
        if fmt.startswith(("chinese", "ideograph", "taiwanese", "japanese")) or re.search(r"[、（）]", text):
            # Chinese outline numbering: keep it as visible text, so headings are recognised as typed ones.
            label = text
            for lvl in range(level + 1):
                count = self.counters.get((num_id, lvl), 1)
                lvl_fmt = self.numbering.get(num_id, {}).get(lvl, ("decimal", ""))[0]
                label = label.replace(f"%{lvl + 1}", _numeral(count, lvl_fmt))
            return "", 0, label
        return "number", level, ""


def _flatten(block: Block) -> Iterator[Para]:
    if isinstance(block, Para):
        yield block
    else:
        for row in block.rows:
            for cell in row:
                yield from cell.paras


_CHINESE_DIGITS = "零一二三四五六七八九"


def _numeral(n: int, fmt: str) -> str:
    if not fmt.startswith(("chinese", "ideograph", "taiwanese", "japanese")):
        return str(n)
    if n < 10:
        return _CHINESE_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[ones] if ones else "")
    return str(n)


def _on_off(element: Any, default: bool) -> bool:
    if element is None:
        return default
    return element.get(_q(W, "val"), "true").lower() not in ("0", "false", "off", "none")


def _style_flag(style: Any, name: str) -> bool:
    while style is not None:
        value = getattr(style.font, name, None) if hasattr(style, "font") else None
        if value is not None:
            return bool(value)
        style = style.base_style
    return False


def _style_size(style: Any) -> float:
    while style is not None:
        size = getattr(getattr(style, "font", None), "size", None)
        if size is not None:
            return size.pt
        style = style.base_style
    return 0.0


def _alignment(paragraph: Any) -> str:
    jc = paragraph._p.find(f"{_q(W, 'pPr')}/{_q(W, 'jc')}")
    style = paragraph.style
    while jc is None and style is not None:
        jc = style.element.find(f"{_q(W, 'pPr')}/{_q(W, 'jc')}")
        style = style.base_style
    return (jc.get(_q(W, "val")) or "") if jc is not None else ""


def _heading_level(p: Any, style: Any) -> int:
    chain = style
    while chain is not None:
        match = re.fullmatch(r"(?:heading|标题)\s*(\d)", chain.name or "", re.IGNORECASE)
        if match:
            return int(match.group(1))
        chain = chain.base_style
    outline = p.find(f"{_q(W, 'pPr')}/{_q(W, 'outlineLvl')}")
    chain = style
    while outline is None and chain is not None:
        outline = chain.element.find(f"{_q(W, 'pPr')}/{_q(W, 'outlineLvl')}")
        chain = chain.base_style
    if outline is not None and (outline.get(_q(W, "val")) or "").isdigit() and int(outline.get(_q(W, "val"))) < 9:
        return int(outline.get(_q(W, "val"))) + 1
    return 0


# ---------------------------------------------------------------- inference (pure)

_SPACE = " \t\u3000\u00a0"
_LABEL_LINE = re.compile(r"([^\s:：，。；]{1,12}?)\s*[:：]\s*")
_TOP_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}、")
_SUB_HEADING = re.compile(r"^[（(][一二三四五六七八九十]{1,3}[）)]")
_TRAILING_BYLINE = re.compile(r"^[（(]\s*作者(?:系|为|单位[:：]?)\s*(.+?)\s*[）)]$")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")

FIELD_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("author", ("姓名", "作者", "作者姓名", "宣讲人", "选手姓名", "撰稿人")),
    ("unit", ("作者单位", "工作单位", "单位", "推荐单位", "所在单位", "报送单位", "单位名称")),
    ("position", ("职务", "所在基层党组织及职务", "党组织及职务", "职务职称", "职称", "职位")),
    ("title", ("题目", "标题", "作品名称", "讲稿题目", "宣讲题目", "文章标题")),
    ("body", ("讲稿提纲", "提纲", "内容", "正文", "讲稿", "作品内容", "主要内容", "宣讲内容", "稿件内容")),
    ("category", ("类别", "类型", "分类")),
    ("form", ("体裁", "形式")),
    ("private", ("性别", "联系电话", "电话", "手机", "手机号码", "身份证号", "身份证号码", "邮箱", "电子邮箱", "民族", "年龄", "出生年月", "政治面貌", "微信号", "备注")),
)  # fmt: skip


def label_field(label: str) -> str:
    """The field a form label stands for ('' if unknown): spaces, line breaks and （盖章） ignored."""
    clean = re.sub(r"[（(][^）)]*[）)]", "", re.sub(rf"[{_SPACE}\n]", "", label))
    if not clean:
        return ""
    for key, names in FIELD_LABELS:
        if clean in names:
            return key
    if len(clean) <= 12:
        for key, names in FIELD_LABELS:
            if any(clean.endswith(name) for name in names if len(name) >= 2):
                return key
    return ""


def labelled_values(text: str) -> list[tuple[str, str]]:
    """'作者单位：株洲市委宣传部 姓名：李四' → [('unit', '株洲市委宣传部'), ('author', '李四')]."""
    matches = list(_LABEL_LINE.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        key = label_field(match.group(1))
        if not key:
            return [] if i == 0 else pairs
        pairs.append((key, text[match.end() : end].strip(_SPACE)))
    return pairs


def match_unit(text: str, config: SiteConfig) -> Unit | None:
    """A configured unit named in ``text``: exact name or alias, then the longest that begins it, then contained."""
    clean = re.sub(rf"[{_SPACE}]", "", text)
    lookup = config.unit_lookup()
    if clean in lookup:
        return lookup[clean]
    names = sorted(lookup, key=len, reverse=True)
    for name in names:
        if len(name) >= 2 and clean.startswith(name):
            return lookup[name]
    for name in names:
        if len(name) >= 2 and name in clean:
            return lookup[name]
    return None


@dataclass(frozen=True)
class Draft:
    front: dict[str, Any]  # title, author (str or list), position, unit, category, form, date, status, slug
    body: str  # Markdown, image links as {{image:KEY}} until the slug is known
    images: tuple[str, ...]  # image keys in order of appearance
    guessed: tuple[str, ...]
    defaulted: tuple[str, ...]
    missing: tuple[str, ...]
    unconverted: tuple[str, ...]


@dataclass
class _Facts:
    title: str = ""
    title_how: str = ""
    author: str = ""
    position: str = ""
    unit_text: str = ""
    category: str = ""
    form: str = ""
    notes: list[str] = field(default_factory=list)
    unconverted: list[str] = field(default_factory=list)

    def take(self, key: str, value: str) -> None:
        value = value.strip(_SPACE)
        if key in ("author", "position", "category", "form") and value and not getattr(self, key):
            setattr(self, key, value)
        elif key == "unit" and value and not self.unit_text:
            self.unit_text = value
        elif key == "title" and value and not self.title:
            self.title, self.title_how = value, "“题目”一栏"


def build_draft(doc: WordDocument, config: SiteConfig, source_name: str, today: Any) -> Draft:
    """Everything an article file needs, guessed from the document; pure."""
    facts = _Facts(unconverted=list(doc.unconverted))
    form_table = next((b for b in doc.blocks if isinstance(b, Table) and _is_form(b)), None)
    if form_table is not None:
        body_paras = _read_form(doc.blocks, form_table, facts)
        blocks: list[Block] = list(body_paras)
    else:
        blocks = _read_header(list(doc.blocks), facts, config)
    blocks = _trailing_byline(blocks, facts)
    if not facts.title:
        first = next((b for b in blocks if isinstance(b, Para) and b.text.strip()), None)
        if first is not None and _title_like(first.text) and form_table is not None:
            facts.title, facts.title_how = first.text.strip(_SPACE), "提纲的第一行"
            blocks.remove(first)
    body, image_keys = render_body(blocks, doc.notes, facts)
    return _front_matter(facts, body, image_keys, config, source_name, today)


def _is_form(table: Table) -> bool:
    labels = {label_field(cell.text) for row in table.rows for cell in row if cell.text and len(cell.text) <= 16}
    labels.discard("")
    return len(labels) >= 2 and bool(labels & {"author", "body", "title"})


def _read_form(blocks: Sequence[Block], table: Table, facts: _Facts) -> list[Para]:
    """A recommendation form: labels and values from the table (and label lines around it)."""
    body: list[Para] = []
    dropped: list[str] = []
    unused: list[str] = []
    for block in blocks:
        if isinstance(block, Para) and block is not None:
            for key, value in labelled_values(block.text.strip(_SPACE)):
                facts.take(key, value)
    for row in table.rows:
        cells = [c for c in row if not c.repeat]
        i = 0
        while i < len(cells):
            key = label_field(cells[i].text) if len(cells[i].text) <= 16 else ""
            value = cells[i + 1] if i + 1 < len(cells) else None
            if key and value is not None:
                if key == "body":
                    body.extend(value.paras)
                elif key == "private":
                    dropped.append(re.sub(rf"[{_SPACE}\n]", "", cells[i].text))
                else:
                    pairs = labelled_values(value.text)
                    facts.take(key, value.text.replace("\n", "") if not pairs else pairs[0][1])
                i += 2
            else:
                if cells[i].text and not key:
                    unused.append(cells[i].text.replace("\n", "")[:12])
                i += 1
    titles = [
        b.text.strip(_SPACE)
        for b in blocks[: blocks.index(table)]
        if isinstance(b, Para) and b.text.strip() and not labelled_values(b.text.strip(_SPACE))
    ]
    facts.notes.append("按推荐表读取" + (f"（表头“{''.join(titles)[:30]}”不是文章标题，未采用）" if titles else ""))
    if dropped:
        facts.notes.append(f"未导入个人信息：{'、'.join(dropped)}")
    if unused:
        facts.unconverted.append(f"表格中未识别的栏目：{'、'.join(unused)}")
    after = [b for b in blocks[blocks.index(table) + 1 :] if not (isinstance(b, Para) and not b.text.strip())]
    if after:
        facts.notes.append(f"表格后的说明文字 {len(after)} 段未导入")
    # A "题目：…" line at the top of the outline is the title.
    for para in list(body):
        if not para.text.strip():
            body.remove(para)
            continue
        pairs = labelled_values(para.text.strip(_SPACE))
        if pairs and pairs[0][0] == "title":
            facts.take("title", pairs[0][1])
            body.remove(para)
        break
    return body


def _title_like(text: str) -> bool:
    text = text.strip(_SPACE)
    return 0 < len(text) <= 40 and "。" not in text[:-1] and not text.endswith(("。", "；", "，", "："))


def _read_header(blocks: list[Block], facts: _Facts, config: SiteConfig) -> list[Block]:
    """Title and byline from the top of the document; returns the rest (the body)."""
    while blocks and isinstance(blocks[0], Para) and not blocks[0].text.strip(_SPACE) and not _has_media(blocks[0]):
        blocks.pop(0)
    if not blocks or not isinstance(blocks[0], Para):
        return blocks
    first = blocks[0]
    sizes = [b.size for b in blocks[1:] if isinstance(b, Para) and b.size and b.text.strip()]
    body_size = sorted(sizes)[len(sizes) // 2] if sizes else 0.0
    reasons = []
    if first.title_style:
        reasons.append("“标题”样式")
    if first.heading == 1 and not any(isinstance(b, Para) and b.heading == 1 for b in blocks[1:]):
        reasons.append("一级标题样式")
    if first.centred:
        reasons.append("居中")
    if body_size and first.size >= body_size + 2:
        reasons.append("字号较大")
    if first.all_bold and not reasons:
        reasons.append("加粗")
    if not reasons or not _title_like(first.text) or labelled_values(first.text.strip(_SPACE)):
        return blocks
    facts.title, facts.title_how = first.text.strip(_SPACE), "首行" + "、".join(reasons)
    rest = blocks[1:]
    # A title set on two centred lines, or a subtitle line starting with ——.
    while rest and isinstance(rest[0], Para) and rest[0].centred and rest[0].text.strip():
        line = rest[0].text.strip(_SPACE)
        if labelled_values(line) or _bylineish(line, config):
            break
        if line.startswith(("——", "—", "--")):
            facts.title += line if line.startswith("——") else "——" + line.lstrip("—-")
        elif first.all_bold and rest[0].all_bold and len(facts.title) + len(line) <= 40:
            facts.title += line
        else:
            break
        rest = rest[1:]
    # Byline: label lines, or centred/short lines naming a unit or a person.
    taken = 0
    while rest and taken < 5 and isinstance(rest[0], Para):
        line = rest[0].text.strip(_SPACE)
        if not line:
            rest = rest[1:]
            continue
        pairs = labelled_values(line)
        if pairs and all(k in ("author", "unit", "position", "category", "form") for k, _ in pairs):
            for key, value in pairs:
                facts.take(key, value)
        elif (rest[0].centred or len(line) <= 30) and "。" not in line and _bylineish(line, config):
            _free_byline(line, facts, config)
        else:
            break
        rest = rest[1:]
        taken += 1
    return rest


def _has_media(para: Para) -> bool:
    return any(s.kind in ("image", "note") for s in para.spans)


def _bylineish(line: str, config: SiteConfig) -> bool:
    parts = [p for p in re.split(rf"[{_SPACE}、，,（）()]+", line) if p]
    return bool(parts) and len(line) <= 40 and any(match_unit(p, config) for p in parts)


def _free_byline(line: str, facts: _Facts, config: SiteConfig) -> None:
    """'株洲市委宣传部　李四' or '李四（株洲市委宣传部宣传科科长）'."""
    for part in [p for p in re.split(rf"[{_SPACE}（）()]+", line) if p]:
        if match_unit(part, config) and not facts.unit_text:
            facts.unit_text = part
        elif _NAME.match(part.replace("、", "")) or all(_NAME.match(n) for n in part.split("、") if n):
            facts.take("author", part)


def _trailing_byline(blocks: list[Block], facts: _Facts) -> list[Block]:
    """A closing '（作者系株洲市委宣传部副部长）' line: use it and take it out of the body."""
    for index in range(len(blocks) - 1, -1, -1):
        block = blocks[index]
        if not isinstance(block, Para) or not block.text.strip(_SPACE):
            continue
        match = _TRAILING_BYLINE.match(block.text.strip(_SPACE))
        if match:
            if not facts.unit_text:
                facts.unit_text = match.group(1)
            if not facts.position:
                facts.position = match.group(1)
            facts.notes.append("文末“（作者系……）”一行已移入作者信息")
            return blocks[:index] + blocks[index + 1 :]
        break
    return blocks


# ---------------------------------------------------------------- Markdown


def render_body(blocks: Sequence[Block], notes: dict[str, tuple[Para, ...]], facts: _Facts) -> tuple[str, list[str]]:
    out: list[str] = []
    note_numbers: dict[str, int] = {}
    images: list[str] = []
    previous_list = ""  # the kind of list the last block was, so a change of kind starts a new list
    for block in blocks:
        if isinstance(block, Table):
            out.append(_table(block, note_numbers, images, facts))
            previous_list = ""
            continue
        text = _inline(block.spans, note_numbers, images)
        if not text.strip():
            continue
        level = _heading_for(block)
        if level:
            out.append("#" * level + " " + _plain_heading(block.spans))
            previous_list = ""
        elif block.list_kind:
            marker = "-" if block.list_kind == "bullet" else "1."
            line = "    " * block.list_level + f"{marker} {text}"
            if previous_list == block.list_kind or (previous_list and block.list_level > 0):
                out[-1] += "\n" + line
            else:
                out.append(line)
            previous_list = block.list_kind
            continue
        else:
            out.append(_escape_block_start(text))
            previous_list = ""
    definitions = []
    for key, number in note_numbers.items():
        paras = notes.get(key)
        if paras is None:
            facts.unconverted.append(f"找不到脚注 {key[1:]} 的内容")
            continue
        text = " ".join(_inline(p.spans, {}, images).strip() for p in paras if p.text.strip() or _has_media(p))
        definitions.append(f"[^{number}]: {text}")
    if definitions:
        out.append("\n".join(definitions))
    return "\n\n".join(out) + "\n", images


def _heading_for(para: Para) -> int:
    text = para.text.strip(_SPACE)
    if para.list_kind:
        return 0
    if para.heading:
        return min(para.heading + 1, 6)
    short = len(text) <= 40 and "。" not in text[:-1]
    if _TOP_HEADING.match(text) and (para.all_bold or short):
        return 2
    if _SUB_HEADING.match(text) and (para.all_bold or (short and len(text) <= 30)):
        return 3
    return 0


def _plain_heading(spans: Sequence[Span]) -> str:
    text = "".join(s.text for s in spans if s.kind in ("text", "link")).strip(_SPACE)
    return _escape(text).rstrip("#")


_ESCAPE = re.compile(r"([\\`*_\[\]])")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text).replace("<", "&lt;")


def _escape_block_start(text: str) -> str:
    """A paragraph that Markdown would read as a heading, list, quote or rule stays a paragraph."""
    text = re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", text)
    text = re.sub(r"^([#>+\-=|])", r"\\\1", text)
    return text


def _inline(spans: Sequence[Span], note_numbers: dict[str, int], images: list[str]) -> str:
    # Merge neighbours with the same formatting, then write emphasis around the inner text only.
    merged: list[Span] = []
    for span in spans:
        if (
            merged
            and span.kind == "text"
            and merged[-1].kind == "text"
            and ((merged[-1].bold, merged[-1].italic) == (span.bold, span.italic) or not span.text.strip())
        ):
            merged[-1] = replace(merged[-1], text=merged[-1].text + span.text)
        else:
            merged.append(span)
    parts: list[str] = []
    for span in merged:
        if span.kind == "note":
            number = note_numbers.setdefault(span.ref, len(note_numbers) + 1)
            parts.append(f"[^{number}]")
        elif span.kind == "image":
            if span.ref not in images:
                images.append(span.ref)
            parts.append(f"![{_escape(span.text)}]({{{{image:{span.ref}}}}})")
        elif span.kind == "link":
            parts.append(f"[{_escape(span.text.strip())}]({span.ref.replace(')', '%29').replace(' ', '%20')})")
        else:
            parts.append(_emphasis(span))
    text = "".join(parts)
    return text.strip(_SPACE)


def _emphasis(span: Span) -> str:
    core = span.text.strip(_SPACE)
    if not core or not (span.bold or span.italic):
        return _escape(span.text)
    lead = span.text[: len(span.text) - len(span.text.lstrip(_SPACE))]
    tail = span.text[len(span.text.rstrip(_SPACE)) :]
    mark = "***" if span.bold and span.italic else "**" if span.bold else "*"
    return f"{lead}{mark}{_escape(core)}{mark}{tail}"


def _table(table: Table, note_numbers: dict[str, int], images: list[str], facts: _Facts) -> str:
    rows = [list(row) for row in table.rows if row]
    width = max((len(r) for r in rows), default=0)
    if width <= 1:  # a one-column "box" around text: its paragraphs are just paragraphs
        return "\n\n".join(
            _escape_block_start(_inline(p.spans, note_numbers, images)) for r in rows for c in r for p in c.paras
        )
    if any(c.repeat for r in rows for c in r):
        facts.unconverted.append("合并单元格（已拆开，请核对表格）")

    def cell(c: Cell) -> str:
        text = "<br>".join(_inline(p.spans, note_numbers, images) for p in c.paras if p.text.strip() or _has_media(p))
        return text.replace("|", "\\|").replace("\n", " ") or " "

    lines = []
    for i, row in enumerate(rows):
        cells = [cell(c) for c in row] + [" "] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + " --- |" * width)
    return "\n".join(lines)


# ---------------------------------------------------------------- front matter


def _front_matter(
    facts: _Facts, body: str, image_keys: list[str], config: SiteConfig, source_name: str, today: Any
) -> Draft:
    guessed, defaulted, missing = [], [], []
    front: dict[str, Any] = {}
    stem = Path(source_name).stem
    if facts.title:
        front["title"] = facts.title
        guessed.append(f"标题“{facts.title}”（{facts.title_how}）")
    else:
        title = re.sub(r"^[\d\s._-]+", "", stem).strip() or stem
        front["title"] = title
        defaulted.append(f"标题“{title}”（文中找不到标题，取自文件名，请核对）")
    authors = [a for a in re.split(rf"[、，,{_SPACE}]+", facts.author) if a]
    if authors:
        front["author"] = authors[0] if len(authors) == 1 else authors
        guessed.append(f"作者 {'、'.join(authors)}")
    else:
        missing.append("作者（author）")
    unit = match_unit(facts.unit_text, config) if facts.unit_text else None
    where = "文中"
    if unit is None:
        for part in [*re.split(r"[-_—－\s]+", stem), stem]:
            unit = match_unit(part, config) if part else None
            if unit:
                where, facts.unit_text = "文件名", part
                break
    if unit is not None:
        front["unit"] = unit.name
        how = "" if where == "文中" and facts.unit_text == unit.name else f"，由{where}“{facts.unit_text}”判断"
        guessed.append(f"单位 {unit.name}{how}")
    else:
        missing.append("单位（unit）" + (f"：“{facts.unit_text}”不是已登记的单位或简称" if facts.unit_text else ""))
    position = facts.position
    if where == "文中" and unit is not None and facts.unit_text and facts.unit_text not in (unit.name, *unit.aliases):
        if not position:
            position = facts.unit_text
        elif facts.unit_text not in position and position != facts.unit_text:
            position = facts.unit_text + position
    if position:
        front["position"] = position
        guessed.append(f"职务 {position}")
    category = next((c.name for c in config.categories if facts.category and c.name in facts.category), "")
    if category:
        front["category"] = category
        guessed.append(f"类别 {category}")
    elif config.categories:
        front["category"] = config.categories[0].name
        defaulted.append(f"类别 {config.categories[0].name}（无法从文中判断，请核对）")
    zi = count_zi(render_markdown(re.sub(r"!\[[^\]]*\]\(\{\{image:[^}]*\}\}\)", "", body)).text)
    form = next((f for f in config.forms if facts.form and f.name in facts.form), None)
    if form is not None:
        guessed.append(f"体裁 {form.name}（文中注明；正文 {zi} 字）")
    else:
        fitting = [f for f in sorted(config.forms, key=lambda f: f.max_zi) if zi <= f.max_zi]
        if fitting:
            form = fitting[0]
            guessed.append(f"体裁 {form.name}（正文 {zi} 字，不超过 {form.max_zi} 字）")
        elif config.forms:
            form = max(config.forms, key=lambda f: f.max_zi)
            defaulted.append(f"体裁 {form.name}（正文 {zi} 字，超过所有体裁的上限 {form.max_zi} 字，需删减）")
    if form is not None:
        front["form"] = form.name
    front["date"] = today.isoformat()
    defaulted.append(f"日期 {today.isoformat()}（导入当天，发布前请改为发布日期）")
    front["status"] = "submitted"
    return Draft(
        front,
        body,
        tuple(image_keys),
        tuple(guessed + facts.notes),
        tuple(defaulted),
        tuple(missing),
        tuple(facts.unconverted),
    )


def render_article(draft: Draft, slug: str, source_name: str, image_names: dict[str, str]) -> str:
    """The article file text: front matter (blank required fields left as commented placeholders) + body."""
    front = draft.front
    lines = ["---", f"{MARKER}{source_name}"]
    placeholders = {
        "author": "# 未能识别作者，请填写，如 author: 张三",
        "unit": "# 未能识别单位，请填写已登记的单位名称或简称，如 unit: 长沙",
    }
    for key in ("title", "author", "position", "unit", "category", "form", "date", "status"):
        value = front.get(key)
        if value is None:
            if key in placeholders:
                lines.append(f"{key}:   {placeholders[key]}")
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [" + ", ".join(yaml_value(v) for v in value) + "]")
        elif key == "date":
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {yaml_value(str(value))}")
    lines.append(f"slug: {slug}")
    lines.append("---")
    body = re.sub(r"\{\{image:([^}]*)\}\}", lambda m: image_names.get(m.group(1), m.group(1)), draft.body)
    return "\n".join(lines) + "\n" + body


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Outcome:
    status: str  # "written", "skipped", "failed"
    lines: tuple[str, ...]


def docx_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(.docx files to import, [(other file, why not)]) from the files and folders given."""
    found: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*"), key=lambda p: p.as_posix()):
                if not child.is_file() or child.name.startswith((".", "~$")):
                    continue
                if child.suffix.lower() == ".docx":
                    found.append(child)
                elif child.suffix.lower() in (".doc", ".wps", ".rtf", ".pdf", ".txt", ".odt"):
                    refused.append((child, _not_docx(child)))
        elif not path.exists():
            near = path.with_suffix(".docx") if path.suffix.lower() != ".docx" else None
            hint = f"是否指 {near.name}？" if near is not None and near.is_file() else "请检查路径"
            refused.append((path, f"找不到这个文件或文件夹 — {hint}"))
        elif path.suffix.lower() != ".docx" or path.name.startswith("~$"):
            refused.append((path, _not_docx(path)))
        else:
            found.append(path)
    return found, refused


def _not_docx(path: Path) -> str:
    if path.name.startswith("~$"):
        return "这是 Word 打开文件时留下的临时文件，不是稿件 — 可以忽略"
    kind = {".doc": "旧版 Word 格式（.doc）", ".wps": "WPS 格式（.wps）", ".pdf": "PDF", ".rtf": "RTF 格式"}
    what = kind.get(path.suffix.lower(), f"“{path.suffix or '无扩展名'}”文件")
    return f"这是{what}，不能直接导入 — 请用 Word 或 WPS 打开，“另存为”Word 文档（.docx）后再导入"


def import_one(path: Path, options: BuildOptions, config: SiteConfig) -> Outcome:
    name = path.name
    try:
        doc = read_docx(path)
    except ImportFailure as exc:
        return Outcome("failed", (f"{name}: {exc}",))
    draft = build_draft(doc, config, name, options.today)
    year_dir = options.root / "content" / "articles" / draft.front["date"][:4]
    base_slug = suggest_slug(draft.front["title"])
    slug, previous = _free_slug(year_dir, options.root, base_slug, name)
    if previous is not None:
        rel = previous.relative_to(options.root).as_posix()
        return Outcome("skipped", (f"{name}: 已导入过（{rel}），跳过，原文件未改动",))
    image_names = {}
    for number, key in enumerate(draft.images, 1):
        image_names[key] = f"{slug}-{number}.{doc.images[key].ext}"
    target = year_dir / f"{slug}.md"
    rel = target.relative_to(options.root).as_posix()
    text = render_article(draft, slug, name, image_names)
    year_dir.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        return Outcome("failed", (f"{name}: {rel} 已存在，没有覆盖 — 请稍后重试",))
    lines = [f"{name} → {rel}"]
    for key, image_name in image_names.items():
        image_path = year_dir / image_name
        if image_path.exists():
            lines.append(f"  图片 {image_name} 已存在，保留原图")
            continue
        image_path.write_bytes(doc.images[key].data)
        if doc.images[key].ext in ("emf", "wmf", "tif", "tiff"):
            draft = replace(
                draft,
                unconverted=(
                    *draft.unconverted,
                    f"图片 {image_name} 是浏览器不能显示的格式，请另存为 PNG 或 JPG 后替换",
                ),
            )
    if draft.guessed:
        lines.append("  识别：" + "；".join(draft.guessed))
    if draft.defaulted:
        lines.append("  默认：" + "；".join(draft.defaulted))
    if draft.missing:
        lines.append("  未能识别：" + "；".join(draft.missing) + " — 已留空，请在文件中填写")
    if image_names:
        lines.append(f"  图片：{len(image_names)} 张，已复制到 {year_dir.relative_to(options.root).as_posix()}/")
    if draft.unconverted:
        lines.append("  未能转换：" + "；".join(draft.unconverted))
    lines.extend(_remaining_problems(rel, text, config, slug))
    return Outcome("written", tuple(lines))


def _free_slug(year_dir: Path, root: Path, base: str, source_name: str) -> tuple[str, Path | None]:
    """A slug not used by any article, or the file this same source was imported to before."""
    articles = root / "content" / "articles"
    for n in range(1, 1000):
        slug = base if n == 1 else f"{base}-{n}"
        taken = sorted(articles.rglob(f"{slug}.md")) if articles.is_dir() else []
        if not taken:
            return slug, None
        for existing in taken:
            head = existing.read_text("utf-8", errors="replace")[:2000]
            if f"{MARKER}{source_name}\n" in head:
                return slug, existing
    raise ImportFailure("找不到可用的网址名")  # pragma: no cover


def _remaining_problems(rel: str, text: str, config: SiteConfig, slug: str) -> list[str]:
    source, errors = split_front_matter(rel, text)
    if source is not None:
        _, errors = validate_article(source, config, slug)
    return [f"  check 会报告：{e.format()}" for e in errors]


def run_import(options: BuildOptions, paths: Sequence[Path], *, out: Callable[[str], None] | None = None) -> int:
    """Import every .docx named or found in the folders; 0 when all went in, 1 when any failed."""
    say = out or (lambda text: sys.stdout.write(text + "\n"))
    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        for error in exc.errors:
            sys.stderr.write(error.format() + "\n")
        return 1
    files, refused = docx_files([p if p.is_absolute() else Path.cwd() / p for p in paths])
    counts = {"written": 0, "skipped": 0, "failed": 0}
    for path in files:
        outcome = import_one(path, options, config)
        counts[outcome.status] += 1
        for line in outcome.lines:
            if outcome.status == "failed":
                sys.stderr.write(line + "\n")
            else:
                say(line)
    for path, why in refused:
        if path.name.startswith("~$"):
            continue
        counts["failed"] += 1
        sys.stderr.write(f"{path.name}: {why}\n")
    total = sum(counts.values())
    if total == 0:
        sys.stderr.write("没有找到 .docx 文件 — 请给出 Word 文件或装有 Word 文件的文件夹\n")
        return 1
    say(
        f"共 {total} 个文件：导入 {counts['written']} 篇，跳过 {counts['skipped']} 篇（已导入过），"
        f"失败 {counts['failed']} 个。"
        + ("下一步：打开新文件核对标题、作者、单位、类别，再运行 python build.py check。" if counts["written"] else "")
    )
    return 1 if counts["failed"] else 0
