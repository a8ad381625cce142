"""Building Word files in tests: python-docx for the package, raw WordprocessingML for the
paragraphs, so a fixture can carry exactly the quirks of Word, WPS, Pages and Tencent Docs
exports (style ids like style0, outline levels without heading styles, numbering with
startOverride, covers laid out as tables, soft-break titles, ruby, text boxes, equations)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:o="urn:schemas-microsoft-com:office:office"'
)


def tiny_png() -> bytes:
    """A 2×2 red PNG, enough to be a real image part."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def run(text: str, *, bold: bool = False, size: float | None = None, italic: bool = False) -> str:
    props = ""
    if bold:
        props += "<w:b/>"
    if italic:
        props += "<w:i/>"
    if size:
        props += f'<w:sz w:val="{int(size * 2)}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    parts = []
    for i, piece in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        for j, chunk in enumerate(piece.split("\t")):
            if j:
                parts.append("<w:tab/>")
            if chunk:
                parts.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def para(
    text: str = "",
    *,
    bold: bool = False,
    size: float | None = None,
    centre: bool = False,
    style: str = "",
    num: tuple[int, int] | None = None,
    outline: int | None = None,
    page_break_before: bool = False,
    runs: str = "",
    align: str = "",
) -> str:
    """One <w:p>: text (\\n = soft line break, \\t = TAB) or raw runs."""
    ppr = ""
    if style:
        ppr += f'<w:pStyle w:val="{style}"/>'
    if page_break_before:
        ppr += "<w:pageBreakBefore/>"
    if num:
        ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    if centre or align:
        ppr += f'<w:jc w:val="{align or "center"}"/>'
    body = runs or (run(text, bold=bold, size=size) if text else "")
    return f"<w:p>{f'<w:pPr>{ppr}</w:pPr>' if ppr else ''}{body}</w:p>"


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'


def table(rows: list[list[str]]) -> str:
    """A plain table; each cell's text may hold several paragraphs separated by \\n\\n."""
    trs = []
    for row in rows:
        tcs = "".join(
            "<w:tc><w:tcPr><w:tcW w:w='2000' w:type='dxa'/></w:tcPr>"
            + "".join(para(p) for p in cell.split("\n\n"))
            + "</w:tc>"
            for cell in row
        )
        trs.append(f"<w:tr>{tcs}</w:tr>")
    return f"<w:tbl><w:tblPr><w:tblW w:w='0' w:type='auto'/></w:tblPr>{''.join(trs)}</w:tbl>"


def toc_sdt(entries: list[str]) -> str:
    """A Word TOC content control around a TOC field, as Word inserts it."""
    lines = []
    for i, entry in enumerate(entries):
        begin = (
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> TOC \\o "1-3" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            if i == 0
            else ""
        )
        end = '<w:r><w:fldChar w:fldCharType="end"/></w:r>' if i == len(entries) - 1 else ""
        lines.append(
            f'<w:p><w:pPr><w:pStyle w:val="TOC1"/></w:pPr>{begin}'
            f'<w:hyperlink w:anchor="_Toc{1000 + i}">{run(entry)}<w:r><w:tab/></w:r>{run(str(i + 1))}</w:hyperlink>{end}</w:p>'
        )
    return (
        '<w:sdt><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/><w:docPartUnique/></w:docPartObj></w:sdtPr>'
        f"<w:sdtContent>{para('目录', centre=True, bold=True)}{''.join(lines)}</w:sdtContent></w:sdt>"
    )


WPS_STYLES = (
    '<w:style w:type="paragraph" w:styleId="style0"><w:name w:val="Normal"/><w:rPr><w:sz w:val="32"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="style1"><w:name w:val="heading 1"/><w:basedOn w:val="style0"/>'
    '<w:pPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="44"/></w:rPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="style15"><w:name w:val="Body Text"/><w:basedOn w:val="style0"/></w:style>'
)


class Doc:
    """A document assembled from raw body XML on top of python-docx's default template."""

    def __init__(self) -> None:
        self.doc = Document()
        self.body = self.doc.element.body
        for child in list(self.body):
            if not child.tag.endswith("sectPr"):
                self.body.remove(child)

    def add(self, *xml: str) -> Doc:
        for fragment in xml:
            element = parse_xml(f"<w:wrap {NS}>{fragment}</w:wrap>")
            for child in list(element):
                self.body.insert(len(self.body) - 1, child)
        return self

    def styles(self, xml: str) -> Doc:
        element = parse_xml(f"<w:wrap {NS}>{xml}</w:wrap>")
        for child in list(element):
            self.doc.styles.element.append(child)
        return self

    def numbering(self, xml: str) -> Doc:
        root = self.doc.part.numbering_part.element
        for child in list(root):
            root.remove(child)
        element = parse_xml(f"<w:wrap {NS}>{xml}</w:wrap>")
        for child in list(element):
            root.append(child)
        return self

    def part(self, partname: str, content_type: str, blob: bytes, reltype: str) -> str:
        part = Part(PackURI(partname), content_type, blob, self.doc.part.package)
        return self.doc.part.relate_to(part, reltype)

    def image(self, data: bytes, partname: str = "/word/media/image1.png", content_type: str = "image/png") -> str:
        return self.part(partname, content_type, data, RT.IMAGE)

    def header(self, text: str) -> Doc:
        blob = f"<w:hdr {NS}>{para(text)}</w:hdr>".encode()
        rid = self.part(
            "/word/header1.xml",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
            blob,
            RT.HEADER,
        )
        sect = self.body[-1]
        sect.insert(0, parse_xml(f'<w:headerReference {NS} w:type="default" r:id="{rid}"/>'))
        return self

    def save(self, path: Path) -> Path:
        self.doc.save(str(path))
        return path


def inline_picture(rid: str, descr: str = "", title: str = "") -> str:
    return (
        f'<w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/>'
        f'<wp:docPr id="1" name="图片 1" descr="{escape(descr)}" title="{escape(title)}"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="0" name="x"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/></pic:blipFill>'
        "<pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
    )


def text_box(text: str) -> str:
    """A floating text box as Word 2010+ writes it (mc:AlternateContent, wps shape, VML fallback)."""
    inner = para(text)
    return (
        '<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="2" name="文本框 2"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{inner}</w:txbxContent></wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{inner}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )


def graphic(uri_tail: str) -> str:
    """A chart (chart) or SmartArt (diagram) frame."""
    return (
        '<w:r><w:drawing><wp:inline><wp:docPr id="3" name="x"/><a:graphic>'
        f'<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/{uri_tail}"/>'
        "</a:graphic></wp:inline></w:drawing></w:r>"
    )


EQUATION = "<m:oMath><m:r><m:t>E=mc</m:t></m:r></m:oMath>"
OLE_OBJECT = '<w:r><w:object><o:OLEObject ProgID="Excel.Sheet.12"/></w:object></w:r>'


def ruby(base: str, reading: str) -> str:
    return (
        f'<w:r><w:ruby><w:rubyPr><w:rubyAlign w:val="center"/></w:rubyPr><w:rt>{run(reading)}</w:rt>'
        f"<w:rubyBase>{run(base)}</w:rubyBase></w:ruby></w:r>"
    )


def numbering_xml(abstracts: dict[int, list[tuple[str, str, int]]], nums: dict[int, tuple[int, dict[int, int]]]) -> str:
    """abstractNumId → [(numFmt, lvlText, start) per level; a numFmt ending in ! sets isLgl]; numId → (abstractNumId, {ilvl: startOverride})."""
    out = []
    for aid, levels in abstracts.items():
        lvls = "".join(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt.rstrip("!")}"/>'
            f'<w:lvlText w:val="{text}"/>{"<w:isLgl/>" if fmt.endswith("!") else ""}</w:lvl>'
            for i, (fmt, text, start) in enumerate(levels)
        )
        out.append(f'<w:abstractNum w:abstractNumId="{aid}">{lvls}</w:abstractNum>')
    for nid, (aid, overrides) in nums.items():
        ov = "".join(
            f'<w:lvlOverride w:ilvl="{i}"><w:startOverride w:val="{v}"/></w:lvlOverride>' for i, v in overrides.items()
        )
        out.append(f'<w:num w:numId="{nid}"><w:abstractNumId w:val="{aid}"/>{ov}</w:num>')
    return "".join(out)


def ole2(encrypted: bool = False) -> bytes:
    """Enough of an OLE2 compound file to be recognised: the magic and a directory entry name."""
    name = "EncryptedPackage" if encrypted else "WordDocument"
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + name.encode("utf-16-le") + b"\x00" * 64
