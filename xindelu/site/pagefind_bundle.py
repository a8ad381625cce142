"""Make Pagefind's bundle byte-reproducible.

Pagefind 1.5 writes its filter indexes (and the filter list in the language's meta file) from a
Rust HashMap, so every run orders them differently and names them by a different hash, even on
identical pages (Pagefind/pagefind#638: fragments were fixed, filters were not). Here each
filter file is decoded, its values sorted, re-encoded and renamed by the hash of its content;
the meta file and pagefind-entry.json are rewritten to match. Everything else passes unchanged.

The files are gzip("pagefind_dcd" + CBOR); only the CBOR subset Pagefind writes is handled
(unsigned integers, text, arrays, maps). Anything unexpected leaves the bundle as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

SIGNATURE = b"pagefind_dcd"
_FILTER_FILE = re.compile(r"^(?P<dir>.*/)filter/(?P<hash>[a-z-]+_[0-9a-f]+)\.pf_filter$")
_META_FILE = re.compile(r"^(?P<dir>.*/)pagefind\.(?P<hash>[a-z-]+_[0-9a-f]+)\.pf_meta$")


def canonical_bundle(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The same bundle with filter order and file names independent of the run."""
    try:
        return _canonical(files)
    except (ValueError, KeyError, IndexError, TypeError, OSError, EOFError):
        return dict(files)  # a format we do not know: better unstable than broken


def _canonical(files: Mapping[str, bytes]) -> dict[str, bytes]:
    out = dict(files)
    renamed: dict[str, str] = {}  # old filter hash → new
    for name, data in files.items():
        match = _FILTER_FILE.match(name)
        if not match:
            continue
        filter_name, values = _read(data)
        payload = _write([filter_name, sorted(values, key=lambda item: _key(item[0]))])
        lang = match["hash"].rsplit("_", 1)[0]
        new_hash = f"{lang}_{hashlib.sha1(payload).hexdigest()[:7]}"
        renamed[match["hash"]] = new_hash
        del out[name]
        out[f"{match['dir']}filter/{new_hash}.pf_filter"] = _pack(payload)
    if not renamed:
        return out
    meta_renamed: dict[str, str] = {}
    for name, data in files.items():
        match = _META_FILE.match(name)
        if not match:
            continue
        meta = _read(data)
        filters = meta[3]
        meta[3] = sorted(([label, renamed.get(old, old)] for label, old in filters), key=lambda f: _key(f[0]))
        payload = _write(meta)
        lang = match["hash"].rsplit("_", 1)[0]
        new_hash = f"{lang}_{hashlib.sha1(payload).hexdigest()[:10]}"
        meta_renamed[match["hash"]] = new_hash
        del out[name]
        out[f"{match['dir']}pagefind.{new_hash}.pf_meta"] = _pack(payload)
    for name, data in files.items():
        if name.endswith("/pagefind-entry.json"):
            entry = json.loads(data)
            for language in entry.get("languages", {}).values():
                language["hash"] = meta_renamed.get(language["hash"], language["hash"])
            out[name] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return out


def _key(value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else repr(value).encode()


def _read(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise ValueError("not a Pagefind file")
    value, end = _decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise ValueError("trailing bytes")
    return value


def _pack(payload: bytes) -> bytes:
    return gzip.compress(SIGNATURE + payload, compresslevel=9, mtime=0)


def _decode(data: bytes, i: int) -> tuple[Any, int]:
    head = data[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i : i + size], "big")
        i += size
    else:
        raise ValueError(f"unsupported CBOR item {head:#x}")
    if major == 0:
        return arg, i
    if major == 3:
        return data[i : i + arg].decode("utf-8"), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _decode(data, i)
            items.append(item)
        return items, i
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if arg < 1 << (8 * size):
            return bytes([major << 5 | info]) + arg.to_bytes(size, "big")
    raise ValueError("integer too large")


def _write(value: Any) -> bytes:
    if isinstance(value, bool) or value is None:
        raise ValueError("unsupported value")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("negative integer")
        return _head(0, value)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_write(item) for item in value)
    raise ValueError(f"unsupported value {type(value).__name__}")
