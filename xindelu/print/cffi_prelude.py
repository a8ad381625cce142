"""cffi's C parser told only of the type names a declaration uses.

WeasyPrint talks to Pango, HarfBuzz and fontconfig through cffi in ABI mode: its C
declarations are parsed (by pycparser) when it is imported, and so is every C type named as a
string afterwards (``ffi.new("PangoRectangle *")``, ``ffi.cast("int *", …)``), once per string.
Before each parse cffi 2.1 writes out ``typedef int NAME;`` for every type name it knows, so
that pycparser can tell type names from other identifiers: some 700 lines once WeasyPrint's
declarations are in, parsed again for a type string of two words. That was most of a PDF
process's serial start that is not WeasyPrint's own import: its warm-up named eleven new types
(0.04 s), and the patches' declarations and WeasyPrint's own later ``cdef`` calls paid it too.

Which names are typedefs matters to pycparser only where they appear in the text it parses,
so :func:`install` gives cffi's ``Parser._parse`` the typedef lines of the names the source
mentions, and none of the others; the rest of the method is cffi's own. The parse trees are
the ones cffi made before (tests/test_weasy_patches.py compares them).
"""

from __future__ import annotations

import re

EXPECTED_VERSION = "2.1"  # cffi's major.minor whose Parser._parse this mirrors
_MARK = "_xindelu_prelude"
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def install() -> bool:
    """Put the shorter prelude in cffi's parser (idempotent); False, changing nothing, when the
    installed cffi is not the version whose parser this mirrors."""
    import cffi
    from cffi import cparser

    if getattr(cparser.Parser._parse, _MARK, False):
        return True
    if ".".join(cffi.__version__.split(".")[:2]) != EXPECTED_VERSION:
        return False
    original = cparser.Parser._parse

    def _parse(self, csource):
        csource, macros = cparser._preprocess(csource)
        ctn = cparser._common_type_names(csource)
        used = set(_WORD.findall(csource))
        typenames = []
        for name in sorted(self._declarations):
            if name.startswith("typedef "):
                name = name[8:]
                if name in used:  # the only change: a type name the source does not use is left out
                    typenames.append(name)
                ctn.discard(name)
        typenames += sorted(ctn)
        lines = ['# 1 "<cdef automatic initialization code>"']
        lines += [f"typedef int {typename};" for typename in typenames]
        lines.append("typedef int __dotdotdotint__, __dotdotdotfloat__, __dotdotdot__;")
        lines.append(f'# 1 "{cparser.CDEF_SOURCE_STRING}"')
        lines.append(csource)
        lines.append("")
        fullcsource = "\n".join(lines)
        if cparser.lock is not None:
            cparser.lock.acquire()  # pycparser is not thread-safe
        try:
            ast = cparser._get_parser().parse(fullcsource)
        except cparser.pycparser.c_parser.ParseError as e:
            self.convert_pycparser_error(e, csource)
        finally:
            if cparser.lock is not None:
                cparser.lock.release()
        return ast, macros, csource

    _parse.__wrapped__ = original
    setattr(_parse, _MARK, True)
    cparser.Parser._parse = _parse
    return True
