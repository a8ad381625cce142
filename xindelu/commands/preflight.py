"""Preflight of the print PDFs (``python build.py preflight``): what a printer's prepress checks.

For each PDF under ``output/print/``: the PDF/X declaration and the output intent (the
anthology's print edition), any RGB colour, black text that is not black alone (K), pictures
below 300 ppi at their printed size, fonts that are not embedded, and the page count against
``anthology.page_multiple``. The report is Chinese; the exit code 1 when anything is wrong.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xindelu.core.errors import ContentError

# Operators that set a colour, and the text-showing ones.
_RGB_OPS = {"rg", "RG"}
_TEXT_OPS = {"Tj", "TJ", "'", '"'}
_OPERATORS = "q Q rg RG g G k K cs CS sc scn SC SCN Tj TJ ' \" Do BT ET Tr"


@dataclass
class ColourScan:
    """What the content streams of one PDF paint with."""

    rgb_operators: int = 0  # rg/RG, or sc/scn in an RGB colour space
    rgb_images: int = 0
    rgb_pages: list[int] = field(default_factory=list)  # 1-based
    text_operators: int = 0
    text_by_colour: Counter = field(default_factory=Counter)  # ("cmyk", c, m, y, k) / ("rgb", …) / ("gray", g)
    text_not_k_pages: list[int] = field(default_factory=list)  # dark text not on black alone

    @property
    def text_not_k(self) -> int:
        return sum(n for colour, n in self.text_by_colour.items() if is_dark_not_k(colour))


def is_dark_not_k(colour: tuple) -> bool:
    """Black or dark grey text not printed on black alone: RGB or grey black, or rich black."""
    space, *values = colour
    if space == "cmyk":
        c, m, y, k = values
        return k >= 0.5 and (c > 0 or m > 0 or y > 0) and max(c, m, y) < 0.5  # dark neutral with colour inks
    if space == "rgb":
        return max(values) < 0.5 and max(values) - min(values) < 0.1  # a near-black neutral
    if space == "gray":
        return values[0] < 0.5
    return False


def _space_kind(name, resources) -> str:
    """A colour space operand → "rgb", "cmyk", "gray" or "other"."""
    import pikepdf

    direct = {"/DeviceRGB": "rgb", "/DeviceCMYK": "cmyk", "/DeviceGray": "gray", "/CalRGB": "rgb", "/CalGray": "gray"}
    if str(name) in direct:
        return direct[str(name)]
    spaces = resources.get("/ColorSpace") if resources is not None else None
    space = spaces.get(name) if spaces is not None else None
    if space is None:
        return "other"
    if isinstance(space, pikepdf.Name):
        return direct.get(str(space), "other")
    if isinstance(space, pikepdf.Array) and len(space) and space[0] == pikepdf.Name.ICCBased:
        return {3: "rgb", 4: "cmyk", 1: "gray"}.get(int(space[1].get("/N", 0)), "other")
    if isinstance(space, pikepdf.Array) and len(space) and str(space[0]) in direct:
        return direct[str(space[0])]
    return "other"


def scan_colours(pdf) -> ColourScan:
    """Every colour operator and text-showing operator of every page (forms included)."""
    import pikepdf

    scan = ColourScan()

    def visit(stream, resources, page_no: int, fill: tuple, depth: int) -> None:
        stack: list[tuple] = []
        fill_space = stroke_space = "gray"
        rgb_before = scan.rgb_operators
        for operands, operator in pikepdf.parse_content_stream(stream, _OPERATORS):
            op = str(operator)
            if op == "q":
                stack.append((fill, fill_space, stroke_space))
            elif op == "Q":
                if stack:
                    fill, fill_space, stroke_space = stack.pop()
            elif op in _RGB_OPS:
                scan.rgb_operators += 1
                if op == "rg":
                    fill = ("rgb", *(round(float(v), 3) for v in operands))
            elif op == "g":
                fill = ("gray", round(float(operands[0]), 3))
            elif op == "k":
                fill = ("cmyk", *(round(float(v), 3) for v in operands))
            elif op == "cs":
                fill_space = _space_kind(operands[0], resources)
            elif op == "CS":
                stroke_space = _space_kind(operands[0], resources)
            elif op in ("sc", "scn"):
                if fill_space == "rgb":
                    scan.rgb_operators += 1
                numbers = [round(float(v), 3) for v in operands if not isinstance(v, pikepdf.Name)]
                if fill_space in ("rgb", "cmyk", "gray"):
                    fill = (fill_space, *numbers)
            elif op in ("SC", "SCN"):
                if stroke_space == "rgb":
                    scan.rgb_operators += 1
            elif op in _TEXT_OPS:
                scan.text_operators += 1
                scan.text_by_colour[fill] += 1
                if is_dark_not_k(fill) and page_no not in scan.text_not_k_pages:
                    scan.text_not_k_pages.append(page_no)
            elif op == "Do" and resources is not None and depth < 8:
                xobject = (resources.get("/XObject") or {}).get(operands[0])
                if xobject is None:
                    continue
                if xobject.get("/Subtype") == pikepdf.Name.Image:
                    if _space_kind(xobject.get("/ColorSpace", pikepdf.Name.DeviceGray), resources) == "rgb":
                        scan.rgb_images += 1
                        if page_no not in scan.rgb_pages:
                            scan.rgb_pages.append(page_no)
                elif xobject.get("/Subtype") == pikepdf.Name.Form:
                    group = xobject.get("/Group")
                    if group is not None and group.get("/CS") == pikepdf.Name.DeviceRGB:
                        scan.rgb_operators += 1
                    visit(xobject, xobject.get("/Resources", resources), page_no, fill, depth + 1)
        if scan.rgb_operators > rgb_before and page_no not in scan.rgb_pages:
            scan.rgb_pages.append(page_no)

    for number, page in enumerate(pdf.pages, 1):
        group = page.obj.get("/Group")
        if group is not None and group.get("/CS") == pikepdf.Name.DeviceRGB:
            scan.rgb_operators += 1
        visit(page.obj, page.obj.get("/Resources"), number, ("gray", 0.0), 0)
    return scan


def unembedded_fonts(pdf) -> list[str]:
    """Base names of the fonts that have no font file."""
    names: set[str] = set()
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        for font in ((page.obj.get("/Resources") or {}).get("/Font") or {}).values():
            if font.objgen in seen and font.objgen != (0, 0):
                continue
            seen.add(font.objgen)
            if str(font.get("/Subtype")) == "/Type3":
                continue
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is None or not ({"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys())):
                    names.add(str(font.get("/BaseFont", "?")).lstrip("/"))
    return sorted(names)


@dataclass(frozen=True)
class PdfxInfo:
    info_version: str
    xmp_version: str
    trapped: str
    intents: tuple[tuple[str, int, str], ...]  # (subtype, profile components, condition)


def pdfx_info(pdf) -> PdfxInfo:
    """The PDF/X declaration in the document information and the XMP, /Trapped, the output intents."""
    info_version = str(pdf.docinfo.get("/GTS_PDFXVersion", ""))
    trapped = str(pdf.docinfo.get("/Trapped", ""))
    xmp_version = ""
    if "/Metadata" in pdf.Root:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8", "replace")
        start = xmp.find("<pdfxid:GTS_PDFXVersion>")
        if start >= 0:
            xmp_version = xmp[start + len("<pdfxid:GTS_PDFXVersion>") : xmp.find("<", start + 5)]
    intents = []
    for intent in pdf.Root.get("/OutputIntents") or []:
        profile = intent.get("/DestOutputProfile")
        components = int(profile.get("/N", 0)) if profile is not None else 0
        intents.append((str(intent.get("/S", "")), components, str(intent.get("/OutputConditionIdentifier", ""))))
    return PdfxInfo(info_version, xmp_version, trapped, tuple(intents))


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


def check_pdf(data: bytes, name: str, *, pdfx: bool, page_multiple: int | None) -> list[Finding]:
    """The findings for one PDF. ``pdfx``: it must be PDF/X-4 with a CMYK output intent."""
    import pikepdf

    from xindelu.print.prepress import MIN_PPI, walk_images

    findings: list[Finding] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pages = len(pdf.pages)
        if pdfx:
            x = pdfx_info(pdf)
            declared = x.info_version == x.xmp_version == "PDF/X-4"
            findings.append(
                Finding(
                    declared,
                    f"PDF/X 声明：文档信息 {x.info_version or '无'}，XMP {x.xmp_version or '无'}"
                    + ("" if declared else "（应为 PDF/X-4）"),
                )
            )
            findings.append(Finding(x.trapped == "/False", f"陷印标记 /Trapped：{x.trapped or '无'}"))
            cmyk = [i for i in x.intents if i[0] == "/GTS_PDFX" and i[1] == 4]
            findings.append(
                Finding(
                    bool(cmyk),
                    f"输出意图：{cmyk[0][2]}（CMYK 特性文件已嵌入）"
                    if cmyk
                    else "没有嵌入 CMYK 特性文件的 PDF/X 输出意图",
                )
            )
            annotated = sum(1 for page in pdf.pages if page.obj.get("/Annots"))
            findings.append(Finding(annotated == 0, f"注释（链接等）：{annotated} 页有" if annotated else "没有注释"))
        scan = scan_colours(pdf)
        rgb = scan.rgb_operators + scan.rgb_images
        findings.append(
            Finding(
                rgb == 0,
                "没有 RGB 颜色"
                if rgb == 0
                else f"RGB 颜色 {scan.rgb_operators} 处、RGB 图片 {scan.rgb_images} 张，在第 {_pages(scan.rgb_pages)} 页",
            )
        )
        not_k = scan.text_not_k
        findings.append(
            Finding(
                not_k == 0,
                f"黑色文字全部单黑（K），共 {scan.text_operators} 段文字"
                if not_k == 0
                else f"{not_k} 段黑色文字不是单黑（四色黑或 RGB 黑），在第 {_pages(scan.text_not_k_pages)} 页",
            )
        )
        low = [use for use in walk_images(pdf) if use.ppi < MIN_PPI]
        images = sum(1 for _ in walk_images(pdf))
        findings.append(
            Finding(
                not low,
                f"图片 {images} 张，分辨率都不低于 {MIN_PPI} ppi"
                if not low
                else "；".join(
                    f"第 {u.page} 页图片{('（' + u.source + '）') if u.source else ''} 只有 {u.ppi:.0f} ppi"
                    for u in low
                ),
            )
        )
        missing = unembedded_fonts(pdf)
        findings.append(Finding(not missing, "字体全部嵌入" if not missing else "未嵌入的字体：" + "、".join(missing)))
        if page_multiple:
            findings.append(
                Finding(
                    pages % page_multiple == 0,
                    f"共 {pages} 页，是 {page_multiple} 的倍数"
                    if pages % page_multiple == 0
                    else f"共 {pages} 页，不是 {page_multiple} 的倍数（差 {-pages % page_multiple} 页）",
                )
            )
    return findings


def _pages(numbers: list[int]) -> str:
    shown = "、".join(str(n) for n in numbers[:8])
    return shown + ("等" if len(numbers) > 8 else "")


def preflight(root: Path, page_multiple: int) -> tuple[list[str], int]:
    """Report lines for every PDF in output/print/ and the number of violations.

    The anthology's print edition (``*-print.pdf``) must also be PDF/X-4 and a whole number
    of ``page_multiple`` pages; the bulletins are checked for colour, pictures and fonts.
    """
    lines: list[str] = []
    problems = 0
    for file in iter_print_pdfs(root):
        is_book = file.name.endswith("-print.pdf")
        findings = check_pdf(
            file.read_bytes(), file.name, pdfx=is_book, page_multiple=page_multiple if is_book else None
        )
        lines.append(f"{file.relative_to(root).as_posix()}：")
        for finding in findings:
            lines.append(f"  {'✓' if finding.ok else '✗'} {finding.text}")
            problems += 0 if finding.ok else 1
    return lines, problems


def iter_print_pdfs(root: Path) -> Iterator[Path]:
    folder = root / "output" / "print"
    yield from sorted(folder.glob("*.pdf")) if folder.is_dir() else ()


def run_preflight(root: Path) -> int:
    """``python build.py preflight``: the report on standard output; 0 when all is well, else 1."""
    import sys

    from xindelu.content.config import load_config
    from xindelu.core.errors import ContentErrors

    try:
        config = load_config(root)
    except ContentErrors as exc:
        for error in exc.errors:
            sys.stderr.write(error.format() + "\n")
        return 1
    if not any(iter_print_pdfs(root)):
        sys.stderr.write(
            ContentError("output/print", 0, "还没有生成印刷用 PDF，无从检查", "请先运行 python build.py build").format()
            + "\n"
        )
        return 1
    lines, problems = preflight(root, config.anthology.page_multiple)
    sys.stdout.write("\n".join(lines) + "\n")
    if problems:
        sys.stdout.write(f"印前检查：{problems} 项不合格，请按上面打 ✗ 的各项改正后重新生成。\n")
        return 1
    sys.stdout.write("印前检查：全部合格。\n")
    return 0
