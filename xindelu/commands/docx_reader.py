"""Reading a .docx into plain data (WordDocument): paragraphs with the formatting that carries
structure in hand-formatted Chinese documents (alignment, size, bold, style, outline level),
numbering labels exactly as Word shows them, page breaks, TOC fields, text boxes, and visible
markers for what cannot be converted (equations, charts, SmartArt, embedded objects).

python-docx opens the package (relationships, content types); everything else is read from the
XML directly with one resolved table of styles, so a paragraph costs a few dictionary look-ups
and a 20,000-paragraph document reads in about a second.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xindelu.commands.docx_numbering import Counter, Label, Numbering

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
RT_HEADER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
RT_FOOTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


T_P, T_R, T_T, T_TBL, T_TR, T_TC = (_q(W, t) for t in ("p", "r", "t", "tbl", "tr", "tc"))
T_PPR, T_RPR, T_VAL = _q(W, "pPr"), _q(W, "rPr"), _q(W, "val")
PASS_THROUGH = frozenset(
    _q(W, t) for t in ("ins", "smartTag", "customXml", "fldSimple", "sdtContent", "moveTo", "bdo", "dir")
)

MARK_EQUATION = "【原文此处有公式，请对照原文补录】"
MARK_CHART = "【原文此处有图表，请对照原文补录或截图插入】"
MARK_SMARTART = "【原文此处有SmartArt图形，请对照原文补录】"
MARK_OBJECT = "【原文此处有嵌入对象，请对照原文补录】"
MARK_IMAGE_LINK = "【原文此处有链接到外部文件的图片，请对照原文补录】"

# ---------------------------------------------------------------- the document as plain data


@dataclass(frozen=True)
class Span:
    kind: str  # "text", "note" (footnote/endnote reference), "image", "link", "marker"
    text: str = ""
    bold: bool = False
    italic: bool = False
    ref: str = ""  # note key, image key or link URL


@dataclass(frozen=True)
class Para:
    spans: tuple[Span, ...]
    style: str = ""
    centred: bool = False
    align: str = ""
    size: float = 0.0  # largest font size of the visible text, in points; 0 when unknown
    heading: int = 0  # 1.. from a heading style or outline level; 0 for none
    title_style: bool = False
    list_kind: str = ""  # "", "bullet", "number" (a plain "1." list Markdown can show)
    list_level: int = 0
    list_value: int = 0
    label: str = ""  # Word's automatic number as shown, with its gap ("（六）", "1.2 ", "第三章 "), not in spans
    break_before: bool = False  # a page or section break comes before this paragraph
    soft: bool = False  # the text after a manual line break inside the same Word paragraph
    toc: bool = False  # an entry of a table of contents
    box: bool = False  # text from a text box

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans if s.kind in ("text", "link"))

    @property
    def full_text(self) -> str:
        """The text as the reader sees it: numbering label included."""
        return self.label + self.text

    @property
    def all_bold(self) -> bool:
        visible = [s for s in self.spans if s.kind in ("text", "link") and s.text.strip()]
        return bool(visible) and all(s.bold for s in visible)


def label_with_gap(label: str) -> str:
    """ "一、" needs no gap before the text; "1.1" and "第一章" get a space (Word shows a tab)."""
    if not label or label[-1] in "、）)：:，,】]」":
        return label
    return label + " "


@dataclass(frozen=True)
class Cell:
    paras: tuple[Para, ...]
    repeat: bool = False  # the continuation of a merged cell

    @property
    def text(self) -> str:
        return "\n".join(p.full_text for p in self.paras).strip()


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Cell, ...], ...]
    break_before: bool = False


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
    dropped: tuple[str, ...] = ()  # what was left out on purpose (headers, footers, TOC)


class ImportFailure(Exception):
    """A file that cannot be imported at all; the message is Chinese."""


# ---------------------------------------------------------------- files that are not .docx

SAVE_AS = (
    "请用 Word 打开，点“文件 → 另存为”，保存类型选“Word 文档（*.docx）”；"
    "或用 WPS 打开，点“文件 → 另存为”，文件类型选“Word 文件（*.docx）”，再导入新文件"
)
OLD_FORMAT = "这是旧版 Word/WPS 格式（{ext}），不能直接导入 — " + SAVE_AS
ENCRYPTED = (
    "文件设置了打开密码，无法读取 — 请用 Word 或 WPS 输入密码打开，在“文件 → 信息 → 保护文档”"
    "（WPS：“文件 → 文档加密 → 密码加密”）中清除密码并保存，再导入"
)
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_container(path: Path) -> str | None:
    """A Chinese message when the file is an OLE2 container (old .doc/.wps, or an encrypted docx)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head[:5] == b"{\\rtf":
                return "这是 RTF 格式的文件（只是扩展名写成了 Word 的），不能直接导入 — " + SAVE_AS
            if head.lstrip()[:5].lower() in (b"<html", b"<!doc", b"mime-") or head[:6] == b"MIME-V":
                return "这是网页格式的文件（只是扩展名写成了 Word 的），不能直接导入 — " + SAVE_AS
            if head != OLE2_MAGIC:
                return None
            data = handle.read(4 << 20)
    except OSError:
        return None
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return ENCRYPTED
    ext = path.suffix.lower()
    return OLD_FORMAT.format(ext=ext if ext in (".doc", ".wps", ".wpt", ".dot") else ".doc")


# ---------------------------------------------------------------- styles


@dataclass(frozen=True)
class StyleInfo:
    name: str = ""
    bold: bool | None = None
    italic: bool | None = None
    size: float = 0.0
    jc: str = ""
    outline: int | None = None
    num_id: str | None = None
    ilvl: int | None = None
    page_break: bool = False
    heading: int = 0
    title: bool = False
    toc: bool = False


_HEADING_NAME = re.compile(r"(?:heading|标题)\s*([1-9]?)", re.IGNORECASE)
_TOC_NAME = re.compile(r"(?:toc|目录)\s*[1-9]", re.IGNORECASE)


def _on(element: Any) -> bool | None:
    if element is None:
        return None
    return element.get(T_VAL, "true").lower() not in ("0", "false", "off", "none")


def _read_styles(root: Any) -> tuple[dict[str, StyleInfo], str, float]:
    """styleId → resolved StyleInfo (basedOn chain applied); the default paragraph style; default size."""
    raw: dict[str, tuple[Any, str, str]] = {}
    default_para = ""
    default_size = 0.0
    if root is None:
        return {}, "", 0.0
    defaults = root.find(f"{_q(W, 'docDefaults')}/{_q(W, 'rPrDefault')}/{T_RPR}/{_q(W, 'sz')}")
    if defaults is not None and (defaults.get(T_VAL) or "").isdigit():
        default_size = int(defaults.get(T_VAL)) / 2
    for style in root.iterchildren(_q(W, "style")):
        sid = style.get(_q(W, "styleId"), "")
        name_el = style.find(_q(W, "name"))
        based = style.find(_q(W, "basedOn"))
        raw[sid] = (
            style,
            (name_el.get(T_VAL) or "") if name_el is not None else "",
            based.get(T_VAL, "") if based is not None else "",
        )
        if style.get(_q(W, "type")) == "paragraph" and style.get(_q(W, "default")) in ("1", "true", "on"):
            default_para = sid
    resolved: dict[str, StyleInfo] = {}

    def resolve(sid: str, depth: int = 0) -> StyleInfo:
        if sid in resolved:
            return resolved[sid]
        if sid not in raw or depth > 20:
            return StyleInfo()
        element, name, based = raw[sid]
        parent = resolve(based, depth + 1) if based and based != sid else StyleInfo(size=default_size)
        ppr = element.find(T_PPR)
        rpr = element.find(T_RPR)
        info = dict(parent.__dict__)
        info["name"] = name
        if rpr is not None:
            for key, tag in (("bold", "b"), ("italic", "i")):
                value = _on(rpr.find(_q(W, tag)))
                if value is not None:
                    info[key] = value
            sz = rpr.find(_q(W, "sz"))
            if sz is not None and (sz.get(T_VAL) or "").isdigit():
                info["size"] = int(sz.get(T_VAL)) / 2
        if ppr is not None:
            jc = ppr.find(_q(W, "jc"))
            if jc is not None:
                info["jc"] = jc.get(T_VAL) or ""
            outline = ppr.find(_q(W, "outlineLvl"))
            if outline is not None and (outline.get(T_VAL) or "").isdigit():
                info["outline"] = int(outline.get(T_VAL))
            num_pr = ppr.find(_q(W, "numPr"))
            if num_pr is not None:
                num_id = num_pr.find(_q(W, "numId"))
                ilvl = num_pr.find(_q(W, "ilvl"))
                if num_id is not None:
                    info["num_id"] = num_id.get(T_VAL)
                if ilvl is not None and (ilvl.get(T_VAL) or "").isdigit():
                    info["ilvl"] = int(ilvl.get(T_VAL))
            pb = _on(ppr.find(_q(W, "pageBreakBefore")))
            if pb is not None:
                info["page_break"] = pb
        match = _HEADING_NAME.fullmatch(name.strip())
        info["heading"] = int(match.group(1) or 1) if match else parent.heading
        info["title"] = name.strip().lower() in ("title", "标题") or sid == "Title" or parent.title
        info["toc"] = bool(_TOC_NAME.fullmatch(name.strip())) or parent.toc
        result = StyleInfo(**info)
        resolved[sid] = result
        return result

    for sid in raw:
        resolve(sid)
    return resolved, default_para, default_size


# ---------------------------------------------------------------- reading


_CONTENT_TYPES = {
    "image/png": "png", "image/jpeg": "jpg", "image/jpg": "jpg", "image/pjpeg": "jpg", "image/gif": "gif",
    "image/bmp": "bmp", "image/x-bmp": "bmp", "image/tiff": "tif", "image/x-emf": "emf", "image/emf": "emf",
    "image/x-wmf": "wmf", "image/wmf": "wmf", "image/svg+xml": "svg", "image/webp": "webp",
    "image/x-icon": "ico", "image/heic": "heic",
}  # fmt: skip


def image_extension(data: bytes, content_type: str, partname_ext: str) -> str:
    """The real extension: from the bytes, then the content type, then the part name (never .tmp)."""
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "tif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return "emf"
    if data[:4] == b"\xd7\xcd\xc6\x9a":
        return "wmf"
    if content_type in _CONTENT_TYPES:
        return _CONTENT_TYPES[content_type]
    ext = partname_ext.lower().lstrip(".")
    return (
        {"jpeg": "jpg", "tiff": "tif"}.get(ext, ext)
        if ext in ("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "emf", "wmf", "svg", "webp")
        else "bin"
    )


_PATHLIKE = re.compile(
    r"^[A-Za-z]:[\\/]|[\\/]|\.(?:jpe?g|png|gif|bmp|tiff?|emf|wmf|webp|heic)$|^(?:图片|图像|Picture|Image|IMG|DSC|微信图片)[\s_\-]*\d*$",
    re.IGNORECASE,
)


def alt_text(descr: str, title: str = "") -> str:
    """The picture's description when it is words a reader can use; never a file path or a default name."""
    for text in (descr, title):
        text = re.sub(r"\s+", " ", text or "").strip()
        if text and not _PATHLIKE.search(text) and not re.fullmatch(r"[A-Za-z0-9_\-. ]*\d{4,}[A-Za-z0-9_\-. ]*", text):
            return text
    return ""


def read_docx(path: Path) -> WordDocument:
    """The document as plain data; ImportFailure (Chinese message) when it cannot be read."""
    message = sniff_container(path)
    if message:
        raise ImportFailure(message)
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise ImportFailure("缺少 python-docx — 请运行 pip install python-docx") from exc
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFailure(
            "无法打开：文件已损坏，或不是 Word 文档（.docx） — 请用 Word 或 WPS 打开后“另存为”.docx 再导入"
        ) from exc
    except Exception as exc:  # lxml errors and the like: a damaged package
        raise ImportFailure(
            f"无法读取（{type(exc).__name__}）：文件可能已损坏 — 请用 Word 或 WPS 打开后另存为 .docx 再导入"
        ) from exc
    reader = _Reader(document)
    blocks = tuple(reader.blocks(document.element.body))
    notes: dict[str, tuple[Para, ...]] = {}
    dropped: list[str] = []
    header_texts: list[str] = []
    for rel in document.part.rels.values():
        if rel.is_external:
            continue
        if rel.reltype in (RT_FOOTNOTES, RT_ENDNOTES):
            notes.update(reader.notes(rel.target_part.blob, "f" if rel.reltype == RT_FOOTNOTES else "e"))
        elif rel.reltype in (RT_HEADER, RT_FOOTER):
            from lxml import etree

            try:
                root = etree.fromstring(rel.target_part.blob)
            except etree.XMLSyntaxError:
                continue
            text = "".join(t.text or "" for t in root.iter(T_T)).strip()
            if text and text not in header_texts:
                header_texts.append(text)
    if header_texts:
        shown = "、".join(f"“{t[:20]}”" for t in header_texts[:3])
        dropped.append(f"页眉页脚 {len(header_texts)} 处（{shown}）")
    if reader.hidden:
        dropped.append(f"隐藏文字 {reader.hidden} 处")
    if reader.comments:
        dropped.append(f"批注 {reader.comments} 条")
    if reader.toc_entries:
        dropped.append(f"目录 {reader.toc_entries} 行（目录域）")
    return WordDocument(blocks, notes, reader.images, tuple(reader.unconverted_notes()), tuple(dropped))


@dataclass
class _Context:
    """What one paragraph's walk collects."""

    bold: bool
    italic: bool
    sizes: list[float] = field(default_factory=list)
    boxes: list[Para] = field(default_factory=list)
    toc: bool = False
    toc_link: bool = False  # a link to a heading's _Toc bookmark: a TOC line only if it looks like one


LINE = Span("line")
PAGE = Span("page")


class _Reader:
    """Walks the body XML in document order; collects images and what it could not convert."""

    def __init__(self, document: Any) -> None:
        self.part = document.part
        self.images: dict[str, Image] = {}
        self.skipped: dict[str, int] = {}
        try:
            styles_root = document.part.styles.element if hasattr(document.part, "styles") else None
        except (KeyError, NotImplementedError, AttributeError):
            styles_root = None
        self.styles, self.default_style, self.default_size = _read_styles(styles_root)
        try:
            numbering_root = self.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            numbering_root = None
        style_nums = {sid: s.num_id for sid, s in self.styles.items() if s.num_id}
        self.numbering = Numbering.parse(numbering_root, style_nums)
        self.counter = Counter(self.numbering)
        self.fields: list[list[Any]] = []  # open complex fields: [instruction, is_toc]
        self.break_pending = False
        self.toc_entries = 0
        self.comments = 0
        self.hidden = 0

    def skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1

    def unconverted_notes(self) -> Iterator[str]:
        for what, count in self.skipped.items():
            yield f"{what} {count} 处"

    # -- block level

    def blocks(self, container: Any, toc: bool = False) -> Iterator[Block]:
        for child in container.iterchildren():
            tag = child.tag
            if tag == T_P:
                yield from self.paragraphs(child, toc)
            elif tag == T_TBL:
                yield self.table(child, toc)
            elif tag == _q(W, "sdt"):
                gallery = child.find(f"{_q(W, 'sdtPr')}/{_q(W, 'docPartObj')}/{_q(W, 'docPartGallery')}")
                kind = (gallery.get(T_VAL) or "").lower() if gallery is not None else ""
                content = child.find(_q(W, "sdtContent"))
                yield from self.blocks(content if content is not None else child, toc or "contents" in kind)
                if "cover" in kind:
                    self.break_pending = True  # Word's cover page gallery: a page of its own
            elif tag in (_q(W, "customXml"), _q(W, "ins"), _q(W, "moveTo")):
                yield from self.blocks(child, toc)
            elif tag == _q(MC, "AlternateContent"):
                chosen = child.find(_q(MC, "Choice"))
                chosen = chosen if chosen is not None else child.find(_q(MC, "Fallback"))
                if chosen is not None:
                    yield from self.blocks(chosen, toc)
            elif tag == _q(W, "altChunk"):
                yield from self.alt_chunk(child)

    def table(self, tbl: Any, toc: bool) -> Table:
        break_before = self.break_pending
        self.break_pending = False
        rows = []
        for tr in tbl.iterchildren(T_TR):
            cells: list[Cell] = []
            for tc in tr.iterchildren(T_TC):
                tc_pr = tc.find(_q(W, "tcPr"))
                span = 1
                continuation = False
                if tc_pr is not None:
                    grid = tc_pr.find(_q(W, "gridSpan"))
                    span = int(grid.get(T_VAL, "1")) if grid is not None and (grid.get(T_VAL) or "").isdigit() else 1
                    vmerge = tc_pr.find(_q(W, "vMerge"))
                    continuation = vmerge is not None and vmerge.get(T_VAL, "continue") == "continue"
                if tc.find(f".//{T_TBL}") is not None:
                    self.skip("表格中嵌套的表格（已展开为文字）")
                paras = tuple(p for block in self.blocks(tc, toc) for p in flatten(block))
                cells.append(Cell(() if continuation else paras, repeat=continuation))
                cells.extend(Cell((), repeat=True) for _ in range(span - 1))
            rows.append(tuple(cells))
        self.break_pending = False  # a break inside a cell does not break the page after the table
        return Table(tuple(rows), break_before)

    def paragraphs(self, p: Any, toc: bool = False) -> Iterator[Para]:
        """One Word paragraph → one or more Para (a manual line or page break starts a new one)."""
        ppr = p.find(T_PPR)
        style_id = ""
        jc = outline = None
        num_id: str | None = None
        ilvl: int | None = None
        page_break: bool | None = None
        section_break = False
        if ppr is not None:
            for child in ppr.iterchildren():
                tag = child.tag
                if tag == _q(W, "pStyle"):
                    style_id = child.get(T_VAL) or ""
                elif tag == _q(W, "jc"):
                    jc = child.get(T_VAL) or ""
                elif tag == _q(W, "outlineLvl"):
                    value = child.get(T_VAL) or ""
                    outline = int(value) if value.isdigit() else None
                elif tag == _q(W, "numPr"):
                    n = child.find(_q(W, "numId"))
                    i = child.find(_q(W, "ilvl"))
                    if n is not None:
                        num_id = n.get(T_VAL)
                    if i is not None and (i.get(T_VAL) or "").isdigit():
                        ilvl = int(i.get(T_VAL))
                elif tag == _q(W, "pageBreakBefore"):
                    page_break = bool(_on(child))
                elif tag == _q(W, "sectPr"):
                    kind = child.find(_q(W, "type"))
                    section_break = kind is None or kind.get(T_VAL) != "continuous"
        if ppr is not None and ppr.find(f"{T_RPR}/{_q(W, 'del')}") is not None and next(p.iter(T_T), None) is None:
            return  # a paragraph deleted with tracked changes: Word shows neither it nor its number
        style = self.styles.get(style_id or self.default_style) or StyleInfo(size=self.default_size)
        if jc is None:
            jc = style.jc
        if outline is None:
            outline = style.outline
        heading = style.heading or (outline + 1 if outline is not None and outline < 9 else 0)
        toc = toc or style.toc or any(f[1] for f in self.fields)
        break_before = self.break_pending or (style.page_break if page_break is None else page_break)
        self.break_pending = False
        label, list_kind, list_level, list_value = self._number(num_id, ilvl, style, style_id)
        ctx = _Context(bool(style.bold), bool(style.italic), toc=toc)
        lines: list[list[Span]] = [[]]
        line_breaks = [break_before]
        for item in self.inline(p, ctx):
            if item is LINE or item is PAGE:
                lines.append([])
                line_breaks.append(item is PAGE)
            else:
                lines[-1].append(item)
        size = max(ctx.sizes) if ctx.sizes else style.size
        toc = ctx.toc
        if ctx.toc_link and not toc:
            text = "".join(s.text for line in lines for s in line if s.kind in ("text", "link")).strip()
            toc = len(text) <= 80 and bool(re.search(r"(?:\d+|[IVXivx]+)$", text))
        # A page break at the very end (or a section break) breaks before the next block.
        while len(lines) > 1 and not any(s.text.strip() or s.kind not in ("text",) for s in lines[-1]):
            if line_breaks[-1]:
                self.break_pending = True
            lines.pop()
            line_breaks.pop()
        if toc:
            self.toc_entries += 1
        base = Para(
            (),
            style=style.name,
            centred=jc in ("center", "distribute"),
            align=jc,
            heading=heading,
            title_style=style.title,
            toc=toc,
            size=size,
        )
        for index, spans in enumerate(lines):
            if index == 0:
                yield Para(
                    tuple(spans), base.style, base.centred, base.align, size, heading, style.title,
                    list_kind, list_level, list_value, label, line_breaks[0], False, toc,
                )  # fmt: skip
            else:
                yield Para(
                    tuple(spans), base.style, base.centred, base.align, size, 0 if not line_breaks[index] else heading,
                    style.title, "", 0, 0, "", line_breaks[index], not line_breaks[index], toc,
                )  # fmt: skip
        yield from ctx.boxes
        if section_break:
            self.break_pending = True

    def _number(
        self, num_id: str | None, ilvl: int | None, style: StyleInfo, style_id: str
    ) -> tuple[str, str, int, int]:
        """(label, list kind, level, value) of Word's automatic numbering for one paragraph."""
        if num_id is None:
            num_id = style.num_id
        if not num_id or num_id == "0":
            if style.name.lower().startswith("list bullet"):
                return "", "bullet", 0, 0
            return "", "", 0, 0
        if ilvl is None:
            ilvl = style.ilvl if style.ilvl is not None else self.numbering.level_for_style(num_id, style_id)
        label: Label | None = self.counter.next(num_id, ilvl or 0)
        if label is None:
            return "", "", 0, 0
        if label.fmt == "bullet":
            return "", "bullet", label.level, 0
        shown = label.text if label.suffix == "nothing" else label_with_gap(label.text)
        if label.simple and not style.heading:
            return shown, "number", label.level, label.value
        return shown, "", 0, 0

    # -- inline level

    def inline(self, element: Any, ctx: _Context) -> Iterator[Span]:
        """Spans in order; LINE and PAGE stand for a manual line break and a page break."""
        for child in element.iterchildren():
            tag = child.tag
            if tag == T_R:
                yield from self.run(child, ctx)
            elif tag == _q(W, "hyperlink"):
                url = ""
                rid = child.get(_q(R, "id"))
                if rid and rid in self.part.rels and self.part.rels[rid].reltype == RT_HYPERLINK:
                    url = self.part.rels[rid].target_ref
                spans = list(self.inline(child, ctx))
                text = "".join(s.text for s in spans if s.kind == "text")
                if child.get(_q(W, "anchor"), "").startswith("_Toc"):
                    ctx.toc_link = True
                if url and text.strip() and all(s.kind == "text" for s in spans):
                    yield Span("link", text, spans[0].bold if spans else ctx.bold, False, url)
                else:
                    yield from spans
            elif tag in PASS_THROUGH or tag == _q(W, "sdt"):
                yield from self.inline(child, ctx)
            elif tag == _q(MC, "AlternateContent"):
                chosen = child.find(_q(MC, "Choice"))
                chosen = chosen if chosen is not None else child.find(_q(MC, "Fallback"))
                if chosen is not None:
                    yield from self.inline(chosen, ctx)
            elif tag in (_q(M, "oMath"), _q(M, "oMathPara")):
                self.skip("公式（正文中已标出“【原文此处有公式……】”）")
                yield Span("marker", MARK_EQUATION)
            elif tag == _q(W, "ruby"):
                yield from self._ruby(child, ctx)

    def _ruby(self, ruby: Any, ctx: _Context) -> Iterator[Span]:
        base = ruby.find(_q(W, "rubyBase"))
        if base is not None:
            yield from self.inline(base, ctx)
        self.skip("注音（拼音标注已去掉，保留了汉字）")

    def run(self, r: Any, ctx: _Context) -> Iterator[Span]:
        bold, italic = ctx.bold, ctx.italic
        r_pr = r.find(T_RPR)
        size = 0.0
        if r_pr is not None:
            style = r_pr.find(_q(W, "rStyle"))
            if style is not None:
                char_style = self.styles.get(style.get(T_VAL) or "")
                if char_style is not None:
                    bold = char_style.bold if char_style.bold is not None else bold
                    italic = char_style.italic if char_style.italic is not None else italic
                    size = char_style.size if char_style.size != self.default_size else 0.0
            b = _on(r_pr.find(_q(W, "b")))
            bold = b if b is not None else bold
            i = _on(r_pr.find(_q(W, "i")))
            italic = i if i is not None else italic
            sz = r_pr.find(_q(W, "sz"))
            if sz is not None and (sz.get(T_VAL) or "").isdigit():
                size = int(sz.get(T_VAL)) / 2
            if _on(r_pr.find(_q(W, "vanish"))):
                if any((t.text or "").strip() for t in r.iter(T_T)):
                    self.hidden += 1
                return  # hidden text: Word does not show or print it
            if _on(r_pr.find(_q(W, "webHidden"))):
                return
        in_toc = any(f[1] for f in self.fields)
        for child in r.iterchildren():
            tag = child.tag
            if tag == T_T:
                text = child.text or ""
                if text:
                    if text.strip() and size:
                        ctx.sizes.append(size)
                    if in_toc:
                        ctx.toc = True
                    yield Span("text", text, bold, italic)
            elif tag == _q(W, "fldChar"):
                kind = child.get(_q(W, "fldCharType"))
                if kind == "begin":
                    self.fields.append(["", False])
                elif kind == "end" and self.fields:
                    self.fields.pop()
                in_toc = any(f[1] for f in self.fields)
            elif tag == _q(W, "instrText"):
                if self.fields:
                    self.fields[-1][0] += child.text or ""
                    if re.match(r"\s*TOC\b", self.fields[-1][0]):
                        self.fields[-1][1] = True
                        ctx.toc = True
                        in_toc = True
            elif tag in (_q(W, "tab"), _q(W, "ptab")):
                yield Span("text", "\t", bold, italic)  # a space in Markdown; a column gap for TOC lines
            elif tag in (_q(W, "br"), _q(W, "cr")):
                kind = child.get(_q(W, "type"))
                if kind == "page":
                    yield PAGE
                elif kind != "column":
                    yield LINE
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
                yield from self.picture(child, ctx)
            elif tag == _q(W, "object"):
                if child.find(f".//{_q(M, 'oMath')}") is not None or "Equation" in (
                    "".join(e.get("ProgID", "") for e in child.iter() if e.get("ProgID"))
                ):
                    self.skip("公式（正文中已标出“【原文此处有公式……】”）")
                    yield Span("marker", MARK_EQUATION)
                else:
                    self.skip("嵌入对象，如 Excel 表、Visio 图（正文中已标出“【原文此处有嵌入对象……】”）")
                    yield Span("marker", MARK_OBJECT)
            elif tag == _q(W, "ruby"):
                yield from self._ruby(child, ctx)
            elif tag == _q(W, "commentReference"):
                self.comments += 1
            elif tag in (_q(M, "oMath"), _q(M, "oMathPara")):
                self.skip("公式（正文中已标出“【原文此处有公式……】”）")
                yield Span("marker", MARK_EQUATION)

    def picture(self, element: Any, ctx: _Context) -> Iterator[Span]:
        if element.tag == _q(MC, "AlternateContent"):
            choice = element.find(_q(MC, "Choice"))
            element = choice if choice is not None else element.find(_q(MC, "Fallback"))
            if element is None:
                return
        boxes = list(element.iter(_q(W, "txbxContent")))
        for box in boxes:
            # Text in a text box: kept as paragraphs right after the one holding the box.
            if any(anc.tag == _q(W, "txbxContent") for anc in box.iterancestors()):
                continue
            paras = [replace_box(p) for block in self.blocks(box) for p in flatten(block)]
            if any(p.text.strip() for p in paras):
                self.skip("文本框（文字已作为段落放在原处，请核对位置）")
                ctx.boxes.extend(p for p in paras if p.text.strip() or has_media(p))

        def outside_boxes(tag: str) -> list[Any]:
            found = []
            for node in element.iter(tag):
                if not any(anc.tag == _q(W, "txbxContent") for anc in node.iterancestors()):
                    found.append(node)
            return found

        uris = {g.get("uri", "") for g in outside_boxes(_q(A, "graphicData"))}
        if any(u.endswith("/chart") for u in uris):
            self.skip("图表（正文中已标出“【原文此处有图表……】”）")
            yield Span("marker", MARK_CHART)
        if any(u.endswith("/diagram") for u in uris):
            self.skip("SmartArt 图形（正文中已标出“【原文此处有SmartArt图形……】”）")
            yield Span("marker", MARK_SMARTART)
        if any(u.endswith(("/chart", "/diagram")) for u in uris):
            return
        rids = [b.get(_q(R, "embed")) or b.get(_q(R, "link")) for b in outside_boxes(_q(A, "blip"))]
        rids += [d.get(_q(R, "id")) for d in outside_boxes(_q(V, "imagedata"))]
        described = next(element.iter(_q(WP, "docPr")), None)
        alt = ""
        if described is not None:
            alt = alt_text(described.get("descr") or "", described.get("title") or "")
        else:
            shape = next(element.iter(_q(V, "shape")), None)
            if shape is not None:
                alt = alt_text(shape.get("alt") or "")
        seen: set[str] = set()
        for rid in filter(None, rids):
            if rid in seen:
                continue
            seen.add(rid)
            part = self.part.related_parts.get(rid)
            if part is None or not hasattr(part, "blob"):
                self.skip("链接到外部文件的图片（正文中已标出）")
                yield Span("marker", MARK_IMAGE_LINK)
                continue
            if rid not in self.images:
                ext = image_extension(
                    part.blob,
                    getattr(part, "content_type", ""),
                    str(getattr(part, "partname", "")).rsplit(".", 1)[-1],
                )
                self.images[rid] = Image(part.blob, ext)
            yield Span("image", alt, ref=rid)

    def alt_chunk(self, element: Any) -> Iterator[Block]:
        """An imported chunk (web editors paste HTML this way): its text as paragraphs, else a marker."""
        part = self.part.related_parts.get(element.get(_q(R, "id")) or "")
        content_type = getattr(part, "content_type", "") if part is not None else ""
        if part is not None and content_type in ("text/html", "application/xhtml+xml", "text/plain"):
            text = part.blob.decode("utf-8", errors="replace")
            self.skip("嵌入的网页片段（已按文字导入，请核对格式）")
            for heading, line in html_paragraphs(text, content_type == "text/plain"):
                yield Para((Span("text", line),), heading=heading)
            return
        self.skip("嵌入的文档片段（正文中已标出）")
        yield Para((Span("marker", MARK_OBJECT),))

    # -- notes

    def notes(self, blob: bytes, prefix: str) -> dict[str, tuple[Para, ...]]:
        from lxml import etree

        root = etree.fromstring(blob)
        notes = {}
        for note in root:
            if note.get(_q(W, "type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            paras = tuple(p for block in self.blocks(note) for p in flatten(block))
            notes[prefix + (note.get(_q(W, "id")) or "")] = paras
        return notes


def html_paragraphs(text: str, plain: bool = False) -> list[tuple[int, str]]:
    """(heading level or 0, text) for each block of an HTML (or plain text) chunk."""
    from html.parser import HTMLParser

    if plain:
        return [(0, line.strip()) for line in text.splitlines() if line.strip()]
    blocks: list[tuple[int, str]] = []

    class Collect(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.level = 0
            self.skip = 0

        def flush(self) -> None:
            line = re.sub(r"\s+", " ", "".join(self.parts)).strip()
            if line:
                blocks.append((self.level, line))
            self.parts = []
            self.level = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in ("script", "style", "head", "title"):
                self.skip += 1
            elif tag in ("p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
                self.flush()
                if tag[0] == "h" and tag[1:].isdigit():
                    self.level = int(tag[1:])

        def handle_endtag(self, tag: str) -> None:
            if tag in ("script", "style", "head", "title"):
                self.skip = max(0, self.skip - 1)
            elif tag in ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"):
                self.flush()

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Collect()
    parser.feed(text)
    parser.close()
    parser.flush()
    return blocks


def replace_box(para: Para) -> Para:
    from dataclasses import replace

    return replace(para, box=True, break_before=False)


def flatten(block: Block) -> Iterator[Para]:
    if isinstance(block, Para):
        yield block
    else:
        for row in block.rows:
            for cell in row:
                yield from cell.paras


def has_media(para: Para) -> bool:
    return any(s.kind in ("image", "note", "marker") for s in para.spans)
