"""xindelu.weasy_patches: one registry installs every WeasyPrint patch, and refuses another WeasyPrint."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint

from xindelu.core.errors import ContentErrors
from xindelu.print import pdf, weasy_patches

PACKAGE = Path(weasy_patches.__file__).parent.parent


def test_a_pdf_render_refuses_another_weasyprint_version_in_chinese(monkeypatch) -> None:
    weasy_patches.install()  # even with every patch in place, another version is refused
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    with pytest.raises(ContentErrors) as caught:
        pdf.render_document("<p>中文</p>", "file:///tmp/")
    (error,) = caught.value.errors
    assert "WeasyPrint 是 71.0 版" in error.message and "70.0" in error.message
    assert "pip install weasyprint==70.0" in error.hint


def test_a_changed_signature_is_refused_before_anything_is_patched(monkeypatch) -> None:
    import weasyprint.layout as layout

    weasy_patches.uninstall()
    try:
        monkeypatch.setattr(layout, "make_all_pages", lambda context, root_box, html: [])
        with pytest.raises(ContentErrors, match="make_all_pages"):
            weasy_patches.install()
        assert not any(weasy_patches.is_installed(group) for group in weasy_patches.GROUPS)
    finally:
        monkeypatch.undo()
        weasy_patches.install()
    assert all(weasy_patches.is_installed(group) for group in weasy_patches.GROUPS)


def test_hooks_are_scoped_to_their_block() -> None:
    assert weasy_patches.current_hooks() == weasy_patches.Hooks()
    with weasy_patches.hooks(defer_fonts=True, external_targets={"a": 3}):
        assert weasy_patches.current_hooks().defer_fonts
        with weasy_patches.hooks():
            assert not weasy_patches.current_hooks().defer_fonts
        assert dict(weasy_patches.current_hooks().external_targets) == {"a": 3}
    assert weasy_patches.current_hooks() == weasy_patches.Hooks()


def test_only_the_registry_assigns_weasyprint_attributes() -> None:
    """No module but xindelu.weasy_patches sets an attribute of a weasyprint module or class."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "weasy_patches.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        weasy_names = {
            alias.asname or alias.name.split(".")[0]
            for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
            if ((node.module if isinstance(node, ast.ImportFrom) else None) or alias.name).startswith("weasyprint")
        }
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                for part in ast.walk(target):
                    named = isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                    if named and part.value.id in weasy_names:
                        offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id in weasy_names:
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


def _run(code: str, *path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*map(str, path), str(PACKAGE.parent)])}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)


def test_weasyprint_is_imported_without_ctypes_library_search() -> None:
    """The search runs ldconfig and a compiler per library name: a fifth of a second per import."""
    code = """
import ctypes.util
searched = []
spy = lambda name: searched.append(name) or None
ctypes.util.find_library = spy
from xindelu.print import weasy_patches
module = weasy_patches.weasyprint()
assert module.HTML(string="<p>字</p>").render().pages, "renders"
assert ctypes.util.find_library is spy, "put back"
print(searched)
"""
    run = _run(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_a_weasyprint_that_needs_the_search_is_imported_again_with_it(tmp_path: Path) -> None:
    """Where only the search finds a library, the first try fails quietly and the second works."""
    fake = tmp_path / "weasyprint"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "import ctypes.util\n"
        "if ctypes.util.find_library('c') is None:\n"
        "    print('WeasyPrint could not import some external libraries')\n"
        "    raise OSError('cannot load library')\n"
        "__version__ = 'fake'\n",
        encoding="utf-8",
    )
    code = "from xindelu.print import weasy_patches; print(weasy_patches._import_weasyprint().__version__)"
    run = _run(code, tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "fake"


def test_fonttools_subsetter_and_instancer_are_imported_when_first_used() -> None:
    """WeasyPrint imports them at its start for fonts our books do not have; they stand deferred
    in sys.modules, and work as themselves once used: by name, and through the function
    WeasyPrint took from the instancer with ``from … import``."""
    code = """
import sys
from xindelu.print import weasy_patches
module = weasy_patches.weasyprint()
assert module.HTML(string="<p>字</p>").write_pdf().startswith(b"%PDF"), "draws"
deferred = {name for name, mod in sys.modules.items() if isinstance(mod, weasy_patches.DeferredModule)}
assert deferred == {"fontTools.subset", "fontTools.varLib.instancer"}, deferred
assert "fontTools.varLib" not in sys.modules
import weasyprint.pdf.fonts as fonts
options = fonts.subset.Options(retain_gids=True)  # the first use imports it
import fontTools.subset as real
assert not isinstance(real, weasy_patches.DeferredModule) and type(options) is real.Options
assert fonts.subset.Subsetter is real.Subsetter
from fontTools.ttLib import TTFont
def outcome(function):
    try:
        function(TTFont(), {})
    except Exception as exc:
        return type(exc).__name__, str(exc)
    return None
forwarded = outcome(fonts.instantiateVariableFont)
from fontTools.varLib.instancer import instantiateVariableFont
assert instantiateVariableFont is not fonts.instantiateVariableFont
assert forwarded == outcome(instantiateVariableFont) and forwarded is not None, forwarded
print("ok")
"""
    run = _run(code)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"


_LINES = """
<style>
  @page { size: 120mm 160mm; margin: 15mm }
  p { text-align: justify; font-size: 11pt }
  .en { font-family: serif; letter-spacing: 0.02em }
  pre { font-size: 9pt }
  li::after { content: leader(dotted) " 7" }
  u { text-decoration: underline }
</style>
<p>学习贯彻党的创新理论，要在学懂弄通做实上下功夫。“学而思、学而信”，在推动工作上见实效；
<u>以学促干</u>，把学习成果转化为推动高质量发展的具体举措，做到知行合一、学用相长。</p>
<p class="en">Justified Latin text with spaces is widened by word spacing when it is drawn, so
its lines are laid out again for drawing rather than taken as they were broken.</p>
<pre>第一行
  第二行，保留空格
第三行</pre>
<ol><li>目录条目一</li><li>目录条目二，较长的标题</li></ol>
<p>末行有间隔号：马克思·恩格斯选集，“引号”与——破折号……省略号。</p>
<div dir="rtl"><p>从右起排的段落，末行较短。</p></div>
""" + ("<p>再一段：" + "认真学习，" * 60 + "</p>")


def test_a_line_is_drawn_from_the_layout_it_was_broken_with(monkeypatch) -> None:
    """keep_for_drawing / reuse_for_drawing: the same bytes as every line laid out again to be
    drawn, with fewer Pango layouts made (CJK and Latin justification, pre, leaders, underlines)."""
    from weasyprint.text import line_break

    module = weasy_patches.weasyprint()  # WeasyPrint's own API below: nothing installs the patches again
    document = module.HTML(string=_LINES)
    made = []
    setup = line_break.Layout.setup
    monkeypatch.setattr(line_break.Layout, "setup", lambda self, style: made.append(1) or setup(self, style))
    kept = document.write_pdf()
    kept_layouts = len(made)
    made.clear()
    monkeypatch.setattr(line_break.Layout, "deactivate", line_break.Layout.deactivate.__wrapped__)
    monkeypatch.setattr(line_break.Layout, "reactivate", line_break.Layout.reactivate.__wrapped__)
    again = document.write_pdf()
    assert kept == again
    assert kept_layouts < len(made) - 10


def test_break_rules_split_no_run_of_glyphs() -> None:
    """keep_for_drawing draws a paragraph's last line from the layout it was broken with, its
    allow_breaks attributes (xindelu.print.cjk_typeset's break rules) still on it: on the Pango
    installed they change no run of glyphs, so the line draws as from a layout without them."""
    import contextlib

    from weasyprint.text.ffi import ffi, gobject, pango
    from weasyprint.text.fonts import FontConfiguration

    weasy_patches.weasyprint()
    with contextlib.suppress(Exception):  # declared already
        ffi.cdef("PangoFontDescription *pango_font_description_from_string (const char *str);")
    context = ffi.gc(pango.pango_font_map_create_context(FontConfiguration().font_map), gobject.g_object_unref)
    text = "马克思·恩格斯选集（第一卷）".encode()

    def runs(ranges: list[tuple[int, int]]) -> list[list[int]]:
        layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_font_description(
            layout, pango.pango_font_description_from_string(b"Noto Serif CJK SC 12")
        )
        pango.pango_layout_set_text(layout, text, -1)
        attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        for start, end in ranges:
            attr = pango.pango_attr_allow_breaks_new(False)
            attr.start_index, attr.end_index = start, end
            pango.pango_attr_list_insert(attrs, attr)
        pango.pango_layout_set_attributes(layout, attrs)
        found, run = [], pango.pango_layout_get_line_readonly(layout, 0).runs
        while run != ffi.NULL:
            glyphs = run.data.glyphs
            found.append([glyphs.glyphs[i].glyph for i in range(glyphs.num_glyphs)])
            run = run.next
        return found

    plain = runs([])
    assert sum(map(len, plain)) == len(text.decode())
    assert runs([(6, 12)]) == plain
    assert runs([(3, 9), (18, 24), (36, 42)]) == plain


def test_the_patches_c_functions_are_declared_in_one_parse(monkeypatch) -> None:
    """cffi parses every typedef it knows again with each declaration: the patches' C functions
    are given to it at once, and the join's own check asks it nothing once they are declared."""
    from weasyprint.text.ffi import ffi

    from xindelu.print import fontmerge

    weasy_patches.weasyprint()
    parsed = []
    cdef = ffi.cdef
    monkeypatch.setattr(ffi, "cdef", lambda *args, **kwargs: parsed.append(args) or cdef(*args, **kwargs))
    weasy_patches.uninstall()
    try:
        weasy_patches.install()
    finally:
        weasy_patches.install()
    assert len(parsed) == 1
    assert "pango_attr_allow_breaks_new" in parsed[0][0] and "hb_blob_create_from_file" in parsed[0][0]
    fontmerge._declare()
    assert len(parsed) == 1


def test_cffi_parses_as_it_does_with_every_type_name_declared() -> None:
    """xindelu.print.cffi_prelude: cffi's parser, told only of the type names a source uses,
    makes the parse tree it makes when told of all of them (WeasyPrint's 700), for
    declarations, type strings and a typedef of a name already known."""
    import io

    from cffi import cparser
    from weasyprint.text.ffi import ffi

    from xindelu.print import cffi_prelude, cjk_typeset, fontmerge

    weasy_patches.weasyprint()
    assert cffi_prelude.install() and cparser.Parser._parse is not cparser.Parser._parse.__wrapped__
    parser = ffi._parser  # the parser holding WeasyPrint's declarations

    def tree(parse, source: str) -> tuple[str, int]:
        ast, _macros, _source = parse(parser, source)
        declarations = list(ast.ext)
        prelude = next(i for i, d in enumerate(declarations) if getattr(d, "name", "") == "__dotdotdot__")
        out = io.StringIO()
        for declaration in declarations[prelude + 1 :]:  # what cffi reads (it skips its prelude)
            declaration.show(buf=out, showcoord=True)
        return out.getvalue(), prelude

    sources = [
        *cjk_typeset.DECLARATIONS,
        *fontmerge.DECLARATIONS,
        "void __dummy(\nPangoRectangle *\n);",  # what ffi.new("PangoRectangle *") parses
        "void __dummy(\nhb_codepoint_t[12]\n);",
        "void __dummy(\nPangoLogAttr[]\n);",
        "typedef struct { int width; PangoGlyphInfo info; gboolean flag; } XdlProbe;",
        "typedef int PangoGlyph;",  # a name cffi knows, declared again
        "int xdl_probe (PangoLayout *layout, const char *text, int length, size_t n, ...);",
    ]
    for source in sources:
        fast, fast_prelude = tree(cparser.Parser._parse, source)
        slow, slow_prelude = tree(cparser.Parser._parse.__wrapped__, source)
        assert fast == slow, source
        assert fast_prelude < 20 < slow_prelude  # the typedef lines given before the source
