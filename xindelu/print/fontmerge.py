"""One font subset per face in a chunked book, instead of one per chunk.

WeasyPrint 70 embeds, in every document it writes, a subset of each font with the glyphs
that document uses. A book joined from 40 chunks carried 40 subsets of each face: 80% of a
1,000-article book's 15 MB. In the chunk workers, :func:`defer_subset` makes WeasyPrint write a
*deferral* in place of a font file: a short JSON record of the face (its file, index, size
and mtime) and of the glyph ids used. WeasyPrint subsets with ``RETAIN_GIDS``, so glyph ids
in the page streams are those of the whole face, and one subset of the union of every
chunk's glyphs serves all chunks. :func:`merge_fonts` makes that subset in the joining
process and points every chunk's font descriptor at it. Deferrals are written only while
``hooks().defer_fonts`` (xindelu.weasy_patches.hooks, set by the chunk workers).

The record lives in the chunk PDF itself, so cached chunks carry it too. If a face's file
changed since a chunk was laid out (a font package upgrade), its glyph ids may mean other
glyphs: :class:`FontsChanged` tells the caller to lay the book out afresh.

Fonts WeasyPrint does more with than subset (variable fonts, colour or bitmap fonts, fonts
with missing glyphs or used in forms) are embedded as WeasyPrint does it.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

MARK = b"xdl-deferred-font:"


class FontsChanged(Exception):
    """A deferred face's file is not the one the chunk was laid out with."""


# The C functions the deferral and the join call beyond WeasyPrint's own declarations;
# xindelu.weasy_patches declares them (with the other modules') in one pass.
DECLARATIONS = (
    "FcPattern * pango_fc_font_get_pattern (PangoFcFont *font);",
    "hb_blob_t * hb_blob_create_from_file (const char *file_name);",
    "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);",
    "void hb_face_destroy (hb_face_t *face);",
)


def _declare() -> None:
    """DECLARATIONS, unless declared already (a cffi parse costs 5 ms, and a join asks again)."""
    from weasyprint.text.ffi import ffi, harfbuzz

    try:
        harfbuzz.hb_blob_create_from_file  # noqa: B018 (declared: every one of them is)
    except AttributeError:
        ffi.cdef("\n".join(DECLARATIONS), override=True)


def _font_file(pango_font) -> str | None:
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    pattern = pangoft2.pango_fc_font_get_pattern(ffi.cast("PangoFcFont *", pango_font))
    if pattern == ffi.NULL:
        return None
    value = ffi.new("FcChar8 **")
    if fontconfig.FcPatternGetString(pattern, b"file", 0, value) != 0:  # FcResultMatch
        return None
    return os.fsdecode(ffi.string(ffi.cast("char *", value[0])))


def file_identity(path: str) -> tuple[int, int]:
    """Size and modification time of a font file: what tells that it is still the same file."""
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def remember_file(original: Callable, hooks: Callable) -> Callable:
    """``Font.__init__``: while fonts are deferred, note the file of the face."""

    @functools.wraps(original)
    def __init__(self, pango_font, description, font_size):
        original(self, pango_font, description, font_size)
        self._xdl_file = _font_file(pango_font) if hooks().defer_fonts else None

    return __init__


def _deferrable(font, to_unicode) -> bool:
    path = getattr(font, "_xdl_file", None)
    return bool(
        to_unicode
        and path
        and not path.startswith(tempfile.gettempdir())  # @font-face files live in a temp folder
        and os.path.isfile(path)
        and not font.missing
        and not font.bitmap
        and "fvar" not in font.tables
        and not (font.png or font.svg or font.colr)
    )


def defer_subset(original: Callable, hooks: Callable) -> Callable:
    """``Font.clean``: while fonts are deferred, a deferral record in place of the font file."""

    @functools.wraps(original)
    def clean(self, to_unicode, hinting):
        if not (hooks().defer_fonts and _deferrable(self, to_unicode)):
            return original(self, to_unicode, hinting)
        size, mtime_ns = file_identity(self._xdl_file)
        record = {
            "file": self._xdl_file,
            "index": self.index,
            "size": size,
            "mtime_ns": mtime_ns,
            "hinting": bool(hinting),
            "gids": sorted(to_unicode),
        }
        # WeasyPrint picks FontFile3/CIDFontType0 or FontFile2/CIDFontType2 from the first
        # four bytes: those of the subset to come.
        kind = b"OTTO" if "CFF " in self.tables or "CFF2" in self.tables else b"\x00\x01\x00\x00"
        self.file_content = kind + MARK + json.dumps(record, separators=(",", ":")).encode()
        return None

    return clean


def face_view(original: Callable, hooks: Callable) -> Callable:
    """WeasyPrint 70's ``Font`` copies the whole font file into Python bytes for every font of
    every document (``get_hb_object_data(hb_face)``): 45 MB for the two Noto CJK collections,
    only to replace it with the subset (made from the HarfBuzz face, not from the copy).
    Here a face's data is a read-only view of HarfBuzz's blob instead, kept alive with it.
    """

    @functools.wraps(original)
    def get_hb_object_data(hb_object, ot_color=None, glyph=None):
        if ot_color is not None or glyph is not None:
            return original(hb_object, ot_color, glyph)
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_blob(hb_object)
        length = ffi.new("unsigned int *")
        data = harfbuzz.hb_blob_get_data(blob, length)
        if data == ffi.NULL:
            harfbuzz.hb_blob_destroy(blob)
            return None
        owner = ffi.gc(data, lambda _, blob=blob: harfbuzz.hb_blob_destroy(blob))
        return memoryview(ffi.buffer(owner, int(length[0]))).toreadonly()

    return get_hb_object_data


def bytes_after_subset(original: Callable, hooks: Callable) -> Callable:
    """``Font.subset``: what is embedded must be bytes: a view still there after subsetting becomes bytes."""

    @functools.wraps(original)
    def subset(self, to_unicode, hinting):
        original(self, to_unicode, hinting)
        if isinstance(self.file_content, memoryview):
            self.file_content = self.file_content.tobytes()

    return subset


# ---------------------------------------------------------------- the join


@dataclass
class _Face:
    file: str
    index: int
    size: int
    mtime_ns: int
    hinting: bool
    gids: set[int]
    holders: list  # (font descriptor, key of its font file, the file's reference) of each deferral


def _subset(face: _Face) -> bytes:
    """The subset of ``face`` with its glyphs, made by WeasyPrint's own subsetting code."""
    import weasyprint.pdf.fonts as fonts
    from weasyprint.text.ffi import ffi, harfbuzz

    try:
        identity = file_identity(face.file)
    except OSError as exc:
        raise FontsChanged(face.file) from exc
    if identity != (face.size, face.mtime_ns):
        raise FontsChanged(face.file)
    blob = ffi.gc(harfbuzz.hb_blob_create_from_file(os.fsencode(face.file)), harfbuzz.hb_blob_destroy)
    hb_face = ffi.gc(harfbuzz.hb_face_create(blob, face.index), harfbuzz.hb_face_destroy)
    # A Font with what its subsetting reads, without the Pango font __init__ wants.
    font = fonts.Font.__new__(fonts.Font)
    font.hb_face, font.index, font.missing, font.family = hb_face, face.index, {}, os.path.basename(face.file)
    font.file_content = fonts.get_hb_object_data(hb_face)
    font.subset(dict.fromkeys(sorted(face.gids)), face.hinting)
    data = font.file_content
    return data.tobytes() if isinstance(data, memoryview) else bytes(data)


def _resources(writer):
    """Every resource dictionary of the pages, and of the forms they draw, once each."""
    seen: set[int] = set()
    stack = [page.get("/Resources") for page in writer.pages]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        key = resources.indirect_reference.idnum if resources.indirect_reference else id(resources)
        resources = resources.get_object()
        if key in seen:
            continue
        seen.add(key)
        yield resources
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                stack.append(xobject["/Resources"])


def _deferrals(writer):
    """(font descriptor, its font-file key, the file's reference, the deferral record), once per deferral."""
    seen: set[int] = set()
    for resources in _resources(writer):
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts") or [font]:
                descriptor = descendant.get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                for key in ("/FontFile3", "/FontFile2"):
                    ref = descriptor.get(key)
                    if ref is None or ref.idnum in seen:
                        continue
                    seen.add(ref.idnum)
                    data = ref.get_object().get_data()
                    if data[4 : 4 + len(MARK)] == MARK:
                        yield descriptor, key, ref, json.loads(data[4 + len(MARK) :])


def merge_fonts(writer) -> int:
    """Replace every deferral in ``writer`` (a pypdf PdfWriter) by one subset per face; the number of faces."""
    from pypdf.generic import DecodedStreamObject, NameObject, NumberObject

    _declare()
    faces: dict[tuple[str, int], _Face] = {}
    for descriptor, key, ref, record in _deferrals(writer):
        fields = (record["file"], record["index"], record["size"], record["mtime_ns"], record["hinting"])
        face = faces.setdefault(fields[:2], _Face(*fields, set(), []))
        if (record["size"], record["mtime_ns"]) != (face.size, face.mtime_ns):
            raise FontsChanged(face.file)
        face.gids.update(record["gids"])
        face.holders.append((descriptor, key, ref))
    # HarfBuzz subsets in C with the GIL released (cffi): the faces are subset side by side,
    # on the cores the end of the book leaves idle, and added in their order as before.
    with ThreadPoolExecutor(max_workers=max(1, min(len(faces), os.cpu_count() or 1))) as pool:
        subsets = list(pool.map(_subset, faces.values()))
    for face, data in zip(faces.values(), subsets, strict=True):
        stream = DecodedStreamObject()
        stream.set_data(data)
        key = face.holders[0][1]  # one face, one kind: CFF (FontFile3) or TrueType (FontFile2)
        if key == "/FontFile3":
            stream[NameObject("/Subtype")] = NameObject("/OpenType")
        else:
            stream[NameObject("/Length1")] = NumberObject(len(data))
        shared = writer._add_object(stream.flate_encode())
        for descriptor, key, ref in face.holders:
            descriptor[NameObject(key)] = shared
            writer._objects[ref.idnum - 1] = None  # the placeholder is not written
    return len(faces)
