"""The one place that patches WeasyPrint: which functions, checked how, installed when.

The print layer changes a few WeasyPrint 70 internals (Chinese justification and line
breaking in xindelu.cjk_typeset; layout speed-ups and the chunked book's hooks in
xindelu.weasy_hooks; font data and deferred subsets in xindelu.fontmerge; shortcuts that
change no byte in xindelu.weasy_shortcuts). They are all
listed in :data:`PATCHES` and installed together, once, by :func:`weasyprint` — the only way
the print layer gets at WeasyPrint — after checking that WeasyPrint is the version they were
written for and that every function patched or relied on has the parameters expected. A
WeasyPrint of another version is refused with a Chinese error rather than left to lay a book
out wrongly.

State a patch needs from the render in progress (a book chunk's pagination callback, the
folios of anchors in other chunks, whether fonts are deferred) is not kept in module
globals: :func:`hooks` scopes it to a ``with`` block (a context variable), and the patches
read it through :func:`current_hooks`.
"""

from __future__ import annotations

import contextlib
import contextvars
import ctypes.util
import importlib
import inspect
import io
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType

from xindelu.core.errors import ContentError, ContentErrors
from xindelu.print import cffi_prelude, cjk_typeset, fontmerge, weasy_hooks, weasy_shortcuts, weasy_tapes

# The WeasyPrint every patch was written against and checked with.
EXPECTED_VERSION = "70.0"
_MARK = "_xindelu_patch"


@dataclass(frozen=True)
class Hooks:
    """What the patches read of the render in progress (defaults: a plain render)."""

    # make_all_pages → paginated(pages, context, html), before the margin boxes are made
    paginated: Callable[[list, object, object], None] | None = None
    # anchor → folio, for target-counter() of anchors laid out in another document
    external_targets: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    # write a deferral record in place of each font subset (xindelu.fontmerge)
    defer_fonts: bool = False
    # (colour space, *channels) of a colour laid out → the colour drawn instead (an edition
    # drawn from another's layout: xindelu.print.pdf.Redraw)
    colors: Mapping[tuple, object] = field(default_factory=lambda: MappingProxyType({}))
    # "record": keep a tape of each text box drawn; "replay": draw a box from its tape
    # (xindelu.print.weasy_tapes: an edition drawn from another's layout)
    tapes: str = ""


_PLAIN = Hooks()
_HOOKS: contextvars.ContextVar[Hooks | None] = contextvars.ContextVar("xindelu_weasy_hooks", default=None)


def current_hooks() -> Hooks:
    """The hooks of the render in progress (what the patched functions read)."""
    return _HOOKS.get() or _PLAIN


@contextlib.contextmanager
def hooks(**values: object) -> Iterator[Hooks]:
    """Within the block, the patches see these hooks (see Hooks); afterwards the previous ones."""
    token = _HOOKS.set(Hooks(**values))  # type: ignore[arg-type]
    try:
        yield current_hooks()
    finally:
        _HOOKS.reset(token)


@contextlib.contextmanager
def hooks_also(**changes: object) -> Iterator[Hooks]:
    """Within the block, the hooks in force with ``changes`` (``hooks`` starts from plain ones)."""
    with hooks(**{**vars(current_hooks()), **changes}) as now:
        yield now


@dataclass(frozen=True)
class Patch:
    group: str  # "cjk" (typesetting), "layout", "draw", "fonts", "speed" (xindelu.weasy_shortcuts)
    module: str
    path: str  # attribute path in the module: "justify_line", "Layout.set_text"
    parameters: tuple[str, ...]
    factory: Callable[[Callable, Callable[[], Hooks]], Callable]


def _plain(make: Callable[[Callable], Callable]) -> Callable[[Callable, Callable[[], Hooks]], Callable]:
    return lambda original, _hooks: make(original)


PATCHES: tuple[Patch, ...] = (
    *(Patch("speed", module, path, params, factory) for module, path, params, factory in weasy_shortcuts.BENEATH),
    *(Patch("cjk", module, path, params, _plain(make)) for module, path, params, make in cjk_typeset.PATCHES),
    Patch(
        "layout",
        "weasyprint.layout.page",
        "resolve_percentages",
        ("box", "containing_block"),
        weasy_hooks.skip_empty_margin_boxes,
    ),
    Patch(
        "layout",
        "weasyprint.layout",
        "make_all_pages",
        ("context", "root_box", "html", "pages"),
        weasy_hooks.after_pagination,
    ),
    Patch(
        "layout",
        "weasyprint.css.targets",
        "TargetCollector.lookup_target",
        ("self", "anchor_token", "source_box", "css_token", "parse_again"),
        weasy_hooks.external_targets,
    ),
    Patch("layout", "weasyprint.text.line_break", "Layout.deactivate", ("self",), weasy_hooks.keep_for_drawing),
    Patch(
        "layout", "weasyprint.text.line_break", "Layout.reactivate", ("self", "style"), weasy_hooks.reuse_for_drawing
    ),
    Patch("draw", "weasyprint.pdf.stream", "Stream.set_color", ("self", "color", "stroke"), weasy_hooks.mapped_colors),
    Patch(
        "draw",
        "weasyprint.draw",
        "draw_text",
        ("stream", "textbox", "offset_x", "text_overflow", "block_ellipsis"),
        weasy_tapes.taped_text,
    ),
    Patch("draw", "weasyprint.document", "draw_page", ("page", "stream"), weasy_tapes.taped_page),
    Patch(
        "fonts", "weasyprint.pdf.fonts", "get_hb_object_data", ("hb_object", "ot_color", "glyph"), fontmerge.face_view
    ),
    Patch(
        "fonts", "weasyprint.pdf.fonts", "Font.subset", ("self", "to_unicode", "hinting"), fontmerge.bytes_after_subset
    ),
    Patch(
        "fonts",
        "weasyprint.pdf.fonts",
        "Font.__init__",
        ("self", "pango_font", "description", "font_size"),
        fontmerge.remember_file,
    ),
    Patch("fonts", "weasyprint.pdf.fonts", "Font.clean", ("self", "to_unicode", "hinting"), fontmerge.defer_subset),
    *(Patch("speed", module, path, params, factory) for module, path, params, factory in weasy_shortcuts.PATCHES),
)
# Functions the wrappers call or mirror without patching them: checked the same way.
USED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    *cjk_typeset.USED,
    ("weasyprint.layout.page", "make_margin_boxes", ("context", "page", "state")),
    ("weasyprint.css.targets", "anchor_name_from_token", ("anchor_token",)),
    # an edition drawn from another's layout (xindelu.print.pdf._redraw)
    (
        "weasyprint.layout.background",
        "layout_box_backgrounds",
        ("page", "box", "get_image_from_uri", "layout_children", "style"),
    ),
    (
        "weasyprint.images",
        "get_image_from_uri",
        ("cache", "url_fetcher", "options", "url", "forced_mime_type", "context", "orientation"),
    ),
    ("weasyprint.css.computed_values", "length", ("style", "name", "value", "font_size", "pixels_only")),
    ("weasyprint.document", "Page.__init__", ("self", "page_box")),
    # what a tape stands for (xindelu.print.weasy_tapes)
    ("weasyprint.draw.text", "draw_first_line", ("stream", "textbox", "text_overflow", "block_ellipsis", "matrix")),
    ("weasyprint.pdf.stream", "Stream.add_font", ("self", "pango_font")),
)
GROUPS = tuple(dict.fromkeys(patch.group for patch in PATCHES))


def _resolve(module_name: str, path: str) -> tuple[object, str, object]:
    owner: object = importlib.import_module(module_name)
    *parents, name = path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    return owner, name, getattr(owner, name, None)


def _refusal(message: str) -> ContentErrors:
    return ContentErrors(
        [
            ContentError(
                "WeasyPrint",
                0,
                message,
                f"请安装 WeasyPrint {EXPECTED_VERSION}（pip install weasyprint=={EXPECTED_VERSION}，或重新运行 make site），"
                "或用 python build.py build --no-pdf 只生成网页",
            )
        ]
    )


def check_version(version: str) -> None:
    """ContentErrors (Chinese) unless WeasyPrint is EXPECTED_VERSION."""
    if version != EXPECTED_VERSION:
        raise _refusal(
            f"本机的 WeasyPrint 是 {version} 版，心得录排版 PDF 所依赖的 WeasyPrint 内部函数是按 "
            f"{EXPECTED_VERSION} 版写的，换了版本可能排错（两端不齐、标点出现在行首），已停止生成 PDF"
        )


def check(version: str) -> None:
    """ContentErrors (Chinese) unless WeasyPrint is EXPECTED_VERSION with every function as expected."""
    check_version(version)
    for module_name, path, parameters in (*((p.module, p.path, p.parameters) for p in PATCHES), *USED):
        _, _, function = _resolve(module_name, path)
        function = _unpatched(function)
        if not callable(function):
            raise _refusal(f"WeasyPrint {version} 中没有 {module_name}.{path}，排版补丁无法安装，已停止生成 PDF")
        found = tuple(inspect.signature(function).parameters)
        if found != parameters:
            raise _refusal(
                f"WeasyPrint {version} 的 {module_name}.{path} 参数是 {found}，排版补丁要求 {parameters}，已停止生成 PDF"
            )


def is_installed(group: str = "cjk") -> bool:
    """Whether the patches of ``group`` are in place."""
    return all(p in _layers(_resolve(p.module, p.path)[2]) for p in PATCHES if p.group == group)


def _stack(function: object) -> tuple[list[tuple[Patch, Callable]], object]:
    """The (patch, wrapper) layers ``function`` is made of, innermost first, and WeasyPrint's
    own function under them (see _rebuild)."""
    layers = []
    while (patch := getattr(function, _MARK, None)) is not None:
        layers.insert(0, (patch, function))
        function = function.__wrapped__
    return layers, function


def _layers(function: object) -> list[Patch]:
    return [patch for patch, _ in _stack(function)[0]]


def _unpatched(function: object) -> object:
    return _stack(function)[1]


def _rebuild(patches: set[Patch]) -> None:
    """Give each attribute the patches of ``patches`` that are on it, and no others.

    An attribute may have several patches (a speed shortcut stands in for WeasyPrint's own
    function beneath another group's wrapper of it): they wrap each other in PATCHES order, the
    first innermost, whichever groups are installed, so a group leaves and comes back as a layer.
    """
    for module_name, path in dict.fromkeys((p.module, p.path) for p in PATCHES):
        owner, name, function = _resolve(module_name, path)
        on = [p for p in PATCHES if (p.module, p.path) == (module_name, path) and p in patches]
        stack, function = _stack(function)
        kept = 0  # the inner layers that stay as they are
        while kept < min(len(stack), len(on)) and stack[kept][0] == on[kept]:
            kept += 1
        if kept == len(stack) == len(on):
            continue
        function = stack[kept - 1][1] if kept else function
        for patch in on[kept:]:
            wrapper = patch.factory(function, current_hooks)
            setattr(wrapper, _MARK, patch)
            function = wrapper
        setattr(owner, name, function)


class DeferredModule(ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet; the first use of any of its
    names imports it and hands the name over. ``functions`` are names taken with
    ``from module import name`` at import time: each is a function that imports on its first call.
    """

    def __init__(self, name: str, functions: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        self.__dict__["_real"] = None
        for function in functions:
            self.__dict__[function] = self._forward(function)

    def load(self) -> ModuleType:
        """The module itself, imported now if it was not yet."""
        real = self.__dict__["_real"]
        if real is None:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = self.__dict__["_real"] = importlib.import_module(self.__name__)
        return real

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):  # what the import system asks of any module: not a reason to load
            raise AttributeError(name)
        return getattr(self.load(), name)

    def _forward(self, function: str) -> Callable:
        def call(*args: object, **kwargs: object) -> object:
            return getattr(self.load(), function)(*args, **kwargs)

        call.__name__ = function
        return call


# fontTools' subsetter and variable-font instancer: WeasyPrint 70 imports both when it starts
# (110 of fontTools' 150 modules: 0.1-0.2 s of every process that makes a PDF, a quarter of
# WeasyPrint's import) and calls them only for fonts it cannot hand to HarfBuzz as they are
# (variable fonts; a HarfBuzz without hb-subset). They are imported when first used.
DEFERRED_MODULES: dict[str, tuple[str, ...]] = {
    "fontTools.subset": (),
    "fontTools.varLib.instancer": ("instantiateVariableFont",),
}


def _import_weasyprint() -> ModuleType:
    """``import weasyprint``, without ctypes' library search on Linux, and with the modules
    of DEFERRED_MODULES imported only when used.

    WeasyPrint opens each native library by trying a list of names, and cffi asks
    ``ctypes.util.find_library`` about each name it cannot open as it is; on Linux that runs
    ``ldconfig`` and a C compiler in subprocesses, a fifth of a second at every import (a third
    of the import). The list always holds the sonames (``libpango-1.0.so.0``), which dlopen finds
    at once. Only when they are missing is the import run again with the search.
    """
    cffi_prelude.install()
    if "weasyprint" in sys.modules or not sys.platform.startswith("linux"):
        import weasyprint as module

        return module
    for name, functions in DEFERRED_MODULES.items():
        if name not in sys.modules:
            sys.modules[name] = DeferredModule(name, functions)
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its own advice, printed before it fails
            import weasyprint as module
    except OSError:  # no soname opened (an unusual install): import again, searching
        for name in [name for name in sys.modules if name == "weasyprint" or name.startswith("weasyprint.")]:
            del sys.modules[name]
        ctypes.util.find_library = search
        import weasyprint as module
    finally:
        ctypes.util.find_library = search
    return module


def install(groups: tuple[str, ...] = GROUPS) -> None:
    """Check WeasyPrint, then install the patches of ``groups`` not yet installed (idempotent)."""
    module = _import_weasyprint()

    check_version(module.__version__)  # every time: a render never runs on another version
    there = _installed()
    if all(p in there for p in PATCHES if p.group in groups):
        return
    check(module.__version__)
    _declare()
    cjk_typeset.check_glyph_info()
    _rebuild(there | {p for p in PATCHES if p.group in groups})


def _declare() -> None:
    """The C functions the patches call beyond WeasyPrint's own, declared to its cffi in one
    parse: cffi parses every typedef it knows again with each declaration it is given (about
    5 ms each, on the start of every process that makes a PDF)."""
    from weasyprint.text.ffi import ffi

    declarations = (*cjk_typeset.DECLARATIONS, *fontmerge.DECLARATIONS, *weasy_tapes.DECLARATIONS)
    ffi.cdef("\n".join(declarations), override=True)  # identical to WeasyPrint's, where it has one


def _installed() -> set[Patch]:
    return {patch for p in PATCHES for patch in _layers(_resolve(p.module, p.path)[2])}


def uninstall(groups: tuple[str, ...] = GROUPS) -> None:
    """Put back WeasyPrint's own functions (tests compare with and without)."""
    _rebuild({p for p in _installed() if p.group not in groups})


@contextlib.contextmanager
def installed(groups: tuple[str, ...] = GROUPS) -> Iterator[None]:
    """Install ``groups`` for the block, then restore what was there before."""
    before = {group: is_installed(group) for group in groups}
    install(groups)
    try:
        yield
    finally:
        uninstall(tuple(group for group, was in before.items() if not was))


def weasyprint() -> ModuleType:
    """WeasyPrint, with every patch installed: how the print layer imports it.

    The first call checks the version and installs; later calls cost an attribute lookup.
    Raises ContentErrors when WeasyPrint is not the expected version.
    """
    module = _import_weasyprint()
    install()
    return module
