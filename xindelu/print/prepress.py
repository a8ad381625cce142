"""The anthology's print edition made PDF/X-4 for a publisher's prepress (after WeasyPrint).

WeasyPrint 70 writes the colours it is given (the print stylesheet gives DeviceCMYK only)
but no usable PDF/X file: its crop marks lie inside the bleed (its MediaBox is the BleedBox)
and are RGB, and it has no way to pad a book to whole sheets. :func:`make_pdfx` takes the
finished PDF and, with pikepdf:

* enlarges every MediaBox by ``MARK_ROOM`` beyond the BleedBox and strokes the crop marks
  there in black alone (K), outside the bleed, on the trim lines; TrimBox and BleedBox stay
  exact;
* pads the book with blank pages to a multiple of ``page_multiple``;
* removes annotations (a printer's file has none);
* adds the output intent (the CMYK profile embedded), the PDF/X-4 declaration in the
  document information and in XMP metadata, and ``/Trapped /False``.

Same input, same bytes: nothing depends on the clock, and the /ID is derived from the content.

Pictures are made CMYK before layout (:func:`cmyk_image`, called by the print edition's URL
fetcher), each with its site path in a JPEG comment, so that :func:`image_resolutions` can
name a picture printed below 300 ppi.
"""

from __future__ import annotations

import functools
import html as html_lib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from xindelu.core.errors import ContentError, ContentErrors

PT_PER_MM = 72 / 25.4
MARK_OFFSET_MM = 1.0  # gap between the bleed edge and the start of a mark
MARK_LENGTH_MM = 5.0
MARK_ROOM_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 1.0  # MediaBox beyond the BleedBox
MARK_WIDTH_PT = 0.25
MIN_PPI = 300
PDFX_VERSION = "PDF/X-4"
# A JPEG comment that names the picture's place in the site (content/…/photo.jpg).
IMAGE_TAG = b"xdl-source:"


@dataclass(frozen=True)
class Profile:
    """An ICC output profile: its bytes and its description (the output condition)."""

    data: bytes
    description: str
    path: str


def prepare(profile: Profile) -> None:
    """What make_pdfx does first for any book, done now: import its modules (pikepdf, uuid)
    and compress the output profile. A chunked book's process calls this while its workers
    lay out the first chunks; otherwise the book's end waits for it (0.05 s)."""
    import hashlib  # noqa: F401
    import uuid  # noqa: F401

    import pikepdf  # noqa: F401

    _compressed_profile(profile.data)


@functools.cache
def _compressed_profile(data: bytes) -> bytes:
    import zlib

    return zlib.compress(data, 9)


def load_profile(path: str, root: Path | None = None) -> Profile:
    """Read the CMYK output profile of site_config.yaml; ContentErrors (Chinese) if unusable."""
    from PIL import ImageCms

    file = Path(path)
    if not file.is_absolute() and root is not None:
        file = root / file
    where = ContentError("site_config.yaml", 0, "", "")
    try:
        data = file.read_bytes()
        profile = ImageCms.ImageCmsProfile(io.BytesIO(data))
    except OSError:
        raise ContentErrors(
            [
                ContentError(
                    where.path,
                    0,
                    f"找不到文集印刷版的 CMYK 特性文件 {path}（anthology.output_profile）",
                    "请运行 make site 安装默认文件（Debian 软件包 libgs-common），或改为印刷厂提供的 .icc 文件的路径",
                )
            ]
        ) from None
    except ImageCms.PyCMSError:
        raise ContentErrors(
            [ContentError(where.path, 0, f"{path} 不是有效的 ICC 特性文件", "请换用印刷厂提供的 CMYK .icc 文件")]
        ) from None
    if profile.profile.xcolor_space.strip() != "CMYK":
        raise ContentErrors(
            [
                ContentError(
                    where.path,
                    0,
                    f"{path} 是 {profile.profile.xcolor_space.strip()} 特性文件，印刷版要 CMYK 特性文件",
                    "请换用印刷厂提供的 CMYK .icc 文件",
                )
            ]
        )
    description = (profile.profile.profile_description or file.stem).strip()
    return Profile(data, description, str(path))


# ---------------------------------------------------------------- pictures


def cmyk_image(data: bytes, source: str, profile: Profile) -> bytes:
    """A picture as a CMYK JPEG through ``profile`` (sRGB assumed for untagged RGB), with
    ``source`` (its path in the site) in a JPEG comment. Greyscale stays greyscale (DeviceGray
    is allowed in PDF/X and prints on black alone); transparency is flattened onto white."""
    from PIL import Image, ImageCms

    with Image.open(io.BytesIO(data)) as opened:
        image = opened
        image.load()
    if image.mode in ("P", "PA", "LA", "RGBA", "1", "I", "I;16", "F") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.getchannel("A"))
    if image.mode not in ("L", "CMYK"):
        embedded = image.info.get("icc_profile")
        source_profile = ImageCms.ImageCmsProfile(io.BytesIO(embedded)) if embedded else ImageCms.createProfile("sRGB")
        image = ImageCms.profileToProfile(
            image.convert("RGB"),
            source_profile,
            ImageCms.ImageCmsProfile(io.BytesIO(profile.data)),
            renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
            outputMode="CMYK",
        )
    out = io.BytesIO()
    dpi = image.info.get("dpi")
    extra = {"dpi": dpi} if dpi else {}
    image.save(out, "JPEG", quality=95, subsampling=0, comment=IMAGE_TAG + source.encode("utf-8"), **extra)
    return out.getvalue()


@dataclass(frozen=True)
class ImageUse:
    page: int  # 1-based
    source: str  # the picture's path in the site, "" when unknown
    pixels: tuple[int, int]
    size_mm: tuple[float, float]

    @property
    def ppi(self) -> float:
        return min(
            self.pixels[0] / (self.size_mm[0] / 25.4) if self.size_mm[0] else float("inf"),
            self.pixels[1] / (self.size_mm[1] / 25.4) if self.size_mm[1] else float("inf"),
        )


def _jpeg_source(image) -> str:
    """The site path a picture's JPEG comment names (see cmyk_image)."""
    import pikepdf

    if image.get("/Filter") != pikepdf.Name.DCTDecode:
        return ""
    raw = image.read_raw_bytes()
    at = raw.find(IMAGE_TAG, 0, 4096)
    if at < 0:
        return ""
    end = raw.find(b"\xff", at)
    return raw[at + len(IMAGE_TAG) : end if end > 0 else None].decode("utf-8", "replace")


def _multiply(a: tuple[float, ...], b: tuple[float, ...]) -> tuple[float, ...]:
    return (
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    )


def walk_images(pdf) -> Iterator[ImageUse]:
    """Every image drawn on every page, with the size it is printed at (CTM tracked, forms too)."""
    import pikepdf

    def visit(stream, resources, ctm, page_no, depth) -> Iterator[ImageUse]:
        xobjects = resources.get("/XObject") if resources is not None else None
        if not xobjects:
            return
        stack = []
        for operands, operator in pikepdf.parse_content_stream(stream, "q Q cm Do"):
            op = str(operator)
            if op == "q":
                stack.append(ctm)
            elif op == "Q":
                ctm = stack.pop() if stack else ctm
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif op == "Do":
                xobject = xobjects.get(operands[0])
                if xobject is None:
                    continue
                subtype = xobject.get("/Subtype")
                if subtype == pikepdf.Name.Image:
                    width = (ctm[0] ** 2 + ctm[1] ** 2) ** 0.5 / PT_PER_MM
                    height = (ctm[2] ** 2 + ctm[3] ** 2) ** 0.5 / PT_PER_MM
                    pixels = (int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0)))
                    yield ImageUse(page_no, _jpeg_source(xobject), pixels, (round(width, 1), round(height, 1)))
                elif subtype == pikepdf.Name.Form and depth < 8:
                    matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    yield from visit(
                        xobject, xobject.get("/Resources", resources), _multiply(matrix, ctm), page_no, depth + 1
                    )

    for number, page in enumerate(pdf.pages, 1):
        if not _has_images(page.obj.get("/Resources")):
            continue  # most pages: no picture, nothing to parse
        yield from visit(page.obj, page.obj.get("/Resources"), (1, 0, 0, 1, 0, 0), number, 0)


def _has_images(resources, depth: int = 0) -> bool:
    import pikepdf

    if resources is None or depth > 8:
        return False
    for xobject in (resources.get("/XObject") or {}).values():
        subtype = xobject.get("/Subtype")
        if subtype == pikepdf.Name.Image:
            return True
        if subtype == pikepdf.Name.Form and _has_images(xobject.get("/Resources"), depth + 1):
            return True
    return False


def image_warnings(data: bytes, label: str) -> list[ContentError]:
    """One Chinese warning per picture printed below MIN_PPI in ``data`` (a PDF)."""
    import pikepdf

    warnings = []
    seen = set()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for use in walk_images(pdf):
            if use.ppi >= MIN_PPI or (use.source, use.size_mm) in seen:
                continue
            seen.add((use.source, use.size_mm))
            need = tuple(round(mm / 25.4 * MIN_PPI) for mm in use.size_mm)
            warnings.append(
                ContentError(
                    use.source or label,
                    0,
                    f"图片在{label}第 {use.page} 页印出 {use.size_mm[0]:g}×{use.size_mm[1]:g} 毫米，"
                    f"只有 {use.ppi:.0f} ppi，低于印刷要求的 {MIN_PPI} ppi，印出来会模糊",
                    f"请换用至少 {need[0]}×{need[1]} 像素的原图（现在 {use.pixels[0]}×{use.pixels[1]}）",
                    warning=True,
                )
            )
    return warnings


# ---------------------------------------------------------------- PDF/X-4


def _mark_stream(trim: tuple[float, float, float, float], bleed: tuple[float, float, float, float]) -> bytes:
    """Eight crop marks, black alone: on the trim lines, from outside the bleed box outwards."""
    x0, y0, x1, y1 = trim
    bx0, by0, bx1, by1 = bleed
    gap, length = MARK_OFFSET_MM * PT_PER_MM, MARK_LENGTH_MM * PT_PER_MM
    segments = []
    for x in (x0, x1):
        for y_edge, sign in ((by0, -1), (by1, 1)):
            start = y_edge + sign * gap
            segments.append((x, start, x, start + sign * length))
    for y in (y0, y1):
        for x_edge, sign in ((bx0, -1), (bx1, 1)):
            start = x_edge + sign * gap
            segments.append((start, y, start + sign * length, y))
    path = "".join(f"{a:.3f} {b:.3f} m {c:.3f} {d:.3f} l\n" for a, b, c, d in segments)
    return f"q 0 0 0 1 K {MARK_WIDTH_PT} w 0 J [] 0 d\n{path}S Q\n".encode("ascii")


def _box(page, name: str) -> tuple[float, float, float, float]:
    value = page.obj.get(name) or page.obj.get("/MediaBox")
    return tuple(float(v) for v in value)  # type: ignore[return-value]


def _xmp(info: dict[str, str], document_id: str) -> bytes:
    def text(key: str) -> str:
        return html_lib.escape(info.get(key, ""))

    created = _xmp_date(info.get("/CreationDate", ""))
    modified = _xmp_date(info.get("/ModDate", "")) or created
    authors = text("/Author")
    creator = f"<dc:creator><rdf:Seq><rdf:li>{authors}</rdf:li></rdf:Seq></dc:creator>" if authors else ""
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
 xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{text("/Title")}</rdf:li></rdf:Alt></dc:title>
{creator}
<xmp:CreateDate>{created}</xmp:CreateDate>
<xmp:ModifyDate>{modified}</xmp:ModifyDate>
<xmp:MetadataDate>{modified}</xmp:MetadataDate>
<xmp:CreatorTool>{text("/Creator")}</xmp:CreatorTool>
<pdf:Producer>{text("/Producer")}</pdf:Producer>
<pdf:Trapped>False</pdf:Trapped>
<xmpMM:DocumentID>uuid:{document_id}</xmpMM:DocumentID>
<xmpMM:InstanceID>uuid:{document_id}</xmpMM:InstanceID>
<xmpMM:VersionID>1</xmpMM:VersionID>
<xmpMM:RenditionClass>default</xmpMM:RenditionClass>
<pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return packet.encode("utf-8")


def _xmp_date(pdf_date: str) -> str:
    """D:20260101000000Z → 2026-01-01T00:00:00Z."""
    digits = pdf_date.removeprefix("D:")[:14]
    if len(digits) < 14 or not digits.isdigit():
        return ""
    d = digits
    return f"{d[0:4]}-{d[4:6]}-{d[6:8]}T{d[8:10]}:{d[10:12]}:{d[12:14]}Z"


def pdfx_finished(data: bytes, pages: int, profile: Profile, page_multiple: int = 4) -> tuple[bytes, int]:
    """A print edition of ``pages`` pages → make_pdfx's PDF and its page count with the padding:
    the finishing step a chunked book runs in the process that joins the edition."""
    return make_pdfx(data, profile, page_multiple), pages + (-pages % max(1, page_multiple))


def make_pdfx(data: bytes, profile: Profile, page_multiple: int = 4) -> bytes:
    """A print-edition PDF → PDF/X-4 (see the module docstring)."""
    import hashlib
    import uuid
    import zlib

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        room = MARK_ROOM_MM * PT_PER_MM
        pages = list(pdf.pages)
        if not pages:
            return data
        last = pages[-1]
        missing = -len(pages) % max(1, page_multiple)
        for _ in range(missing):
            blank = pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=pikepdf.Array(last.obj.MediaBox),
                BleedBox=pikepdf.Array(last.obj.get("/BleedBox", last.obj.MediaBox)),
                TrimBox=pikepdf.Array(last.obj.get("/TrimBox", last.obj.MediaBox)),
                Resources=pikepdf.Dictionary(),
                Contents=pdf.make_stream(b""),
            )
            pdf.pages.append(pikepdf.Page(pdf.make_indirect(blank)))
        marks: dict[tuple, pikepdf.Object] = {}  # one mark stream per page geometry
        for page in pdf.pages:
            bleed = _box(page, "/BleedBox")
            trim = _box(page, "/TrimBox")
            key = (trim, bleed)
            if key not in marks:
                marks[key] = pdf.make_stream(zlib.compress(_mark_stream(trim, bleed)), Filter=pikepdf.Name.FlateDecode)
            page.obj.BleedBox = pikepdf.Array(bleed)
            page.obj.TrimBox = pikepdf.Array(trim)
            page.obj.MediaBox = pikepdf.Array([bleed[0] - room, bleed[1] - room, bleed[2] + room, bleed[3] + room])
            for name in ("/CropBox", "/ArtBox", "/Annots"):
                if name in page.obj:
                    del page.obj[name]
            group = page.obj.get("/Group")
            if group is not None and group.get("/CS") == pikepdf.Name.DeviceRGB:
                group.CS = pikepdf.Name.DeviceCMYK
            # Marks last, in their own q … Q: whatever state the page leaves, they are K lines.
            page.contents_add(marks[key], prepend=False)
        for name in ("/AcroForm", "/OpenAction"):
            if name in pdf.Root:
                del pdf.Root[name]
        icc = pdf.make_stream(_compressed_profile(profile.data))
        icc.Filter = pikepdf.Name.FlateDecode
        icc.N = 4
        pdf.Root.OutputIntents = pikepdf.Array(
            [
                pikepdf.Dictionary(
                    Type=pikepdf.Name.OutputIntent,
                    S=pikepdf.Name.GTS_PDFX,
                    OutputConditionIdentifier=pikepdf.String(profile.description),
                    OutputCondition=pikepdf.String(profile.description),
                    Info=pikepdf.String(profile.description),
                    RegistryName=pikepdf.String("http://www.color.org"),
                    DestOutputProfile=icc,
                )
            ]
        )
        info = {str(k): str(v) for k, v in pdf.docinfo.items()}
        pdf.docinfo[pikepdf.Name.GTS_PDFXVersion] = pikepdf.String(PDFX_VERSION)
        pdf.docinfo[pikepdf.Name.Trapped] = pikepdf.Name("/False")
        # The document id of the XMP: from the content, so the same book keeps it.
        digest = hashlib.md5(data, usedforsecurity=False).digest()
        document_id = str(uuid.UUID(bytes=digest))
        metadata = pdf.make_stream(_xmp(info, document_id))  # not compressed: prepress tools read it as is
        metadata.Type = pikepdf.Name.Metadata
        metadata.Subtype = pikepdf.Name.XML
        pdf.Root.Metadata = metadata
        out = io.BytesIO()
        pdf.save(
            out,
            force_version="1.6",  # PDF/X-4 is PDF 1.6
            deterministic_id=True,
            compress_streams=False,
        )
    return out.getvalue()
