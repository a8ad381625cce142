"""Site search: our own static index of the published articles, exact for Chinese.

Every overlapping pair of characters (any characters but spaces: Chinese, Latin, digits,
punctuation) is a term with its positions, and every single character a term with its count
per article. A query is looked up by the pairs that cover it, and an occurrence is a position
where they all sit at the right offsets, so the hits are exactly the articles whose title or
text contains the query, with exact occurrence counts, and nothing else is downloaded to
know it (layouts/site/static/search.js does the querying).

The index is made from the site model (title and plain text of each published article), not
from HTML pages, and it is a pure function of the current articles, so an incremental build
gives the same bytes as a clean one:

- articles fall in ``groups`` by a hash of their slug; inside a group they are numbered
  newest first (as the site lists them) and their texts laid end to end, so a position is
  an offset in the group's text;
- terms fall in ``shards`` by a hash (FNV-1a of the code points); a shard file holds, for
  every group, a block with the group's postings of the shard's terms;
- the memo keeps every group's encoded blocks under the digest of its articles' indexed
  texts: after an edit only the edited article's group is re-tokenised and re-encoded (about
  1/64 of the work at 10,000 articles) and the shards are concatenated again.

Files under site/search/: meta.json (layout, facets), docs.bin (per group, per article: its
newest-first rank in the site as a delta from the one before, title length, text length,
facet combination), s/<k>.bin (shards) and d/<g>-<r>.json
(title, link, date and text of one article, fetched only for the hits shown).

Numbers are unsigned LEB128 varints. A shard: G, then G block lengths, then the blocks. A
block: the number of terms, then per term (key delta, length of its postings), then the
postings. A key is the code point of a single character, or c0·2²¹ + c1 for a pair. A pair's
postings are its positions in the group's text, delta-coded; a character's are pairs of
(article delta, count·2 + 1 if it occurs in the title).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from xindelu.core.forked import cores, split_map
from xindelu.core.hashing import digest

if TYPE_CHECKING:
    from xindelu.site.model import ArticleView, Site

VERSION = 1
PREFIX = "site/search/"
PAIR = 1 << 21  # a pair's key is c0 * PAIR + c1; a single character's key is below PAIR

# ---------------------------------------------------------------------------------------------
# Normalisation: full-width ASCII forms to ASCII, Latin capitals to small, every kind of white
# space (and control characters) to a space. One code point to one code point, so positions in
# the normalised text are positions in the original; search.js folds the same way.

SPACES = (0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF)


def _fold_table() -> dict[int, int]:
    table = {cp: 0x20 for cp in (*range(0x21), *range(0x7F, 0xA0), *SPACES)}
    table.update({cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)})
    for cp, target in list(table.items()):
        if 0x41 <= target <= 0x5A:
            table[cp] = target + 32
    table.update({cp: cp + 32 for cp in range(0x41, 0x5B)})
    return table


FOLD = _fold_table()


def normalize(text: str) -> str:
    """The text as the index sees it (same length, code point for code point)."""
    return text.translate(FOLD)


def query_parts(query: str) -> list[str]:
    """A query's parts: spaces mean AND."""
    return [part for part in normalize(query).split(" ") if part]


def _fold_codes(codes: np.ndarray) -> np.ndarray:
    """normalize() on an array of code points."""
    c = codes.astype(np.int64)
    wide = (c >= 0xFF01) & (c <= 0xFF5E)
    c[wide] -= 0xFEE0
    upper = (c >= 0x41) & (c <= 0x5A)
    c[upper] += 32
    space = (c <= 0x20) | ((c >= 0x7F) & (c < 0xA0)) | np.isin(c, SPACES)
    c[space] = 0x20
    return c


# ---------------------------------------------------------------------------------------------
# Plain text of an article: one block per paragraph, heading, list item, table cell; footnote
# marks and their "↩" links dropped. Blocks are never glued together, so no match and no
# excerpt runs from a heading into its paragraph.

_DROP = re.compile(
    r'<sup id="fnref[^"]*">.*?</sup>|<a class="footnote-backref"[^>]*>.*?</a>|<(script|style)\b.*?</\1>',
    re.S | re.I,
)
_BLOCK = re.compile(
    r"</?(?:p|h[1-6]|li|ul|ol|dl|dt|dd|blockquote|div|section|figure|figcaption|table|thead|tbody|tfoot|tr|td|th"
    r"|caption|pre|hr|br)\b[^>]*>",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")


def text_blocks(body_html: str) -> list[str]:
    """The article's text, block by block, runs of white space inside a block made one space."""
    blocks = []
    for part in _BLOCK.split(_DROP.sub("", body_html)):
        if "<" in part:
            part = _TAG.sub("", part)
        if "&" in part:
            part = html.unescape(part)
        text = " ".join(part.split())  # other odd characters become spaces in normalize()
        if text:
            blocks.append(text)
    return blocks


def plain_title(title: str) -> str:
    return " ".join(title.split())


def indexed_text(title: str, blocks: Sequence[str]) -> str:
    """Title and blocks separated by spaces: no term spans two of them."""
    return " ".join((plain_title(title), *blocks))


# ---------------------------------------------------------------------------------------------
# Layout: a pure function of the number of articles.


def layout(count: int) -> tuple[int, int]:
    """(groups, shards). About 150 articles a group; shards of ~10 KB at ~2 KB of index an article."""
    groups = 1
    while groups < 64 and groups * 256 <= count:
        groups *= 2
    shards = 8
    while shards < 2048 and shards * 4 < count:
        shards *= 2
    return groups, shards


def group_of(slug: str, groups: int) -> int:
    return zlib.crc32(slug.encode("utf-8")) % groups


def shard_of(text: str, shards: int) -> int:
    """FNV-1a over the term's code points (search.js computes the same)."""
    h = 2166136261
    for ch in text:
        h = ((h ^ ord(ch)) * 16777619) & 0xFFFFFFFF
    return h % shards


# ---------------------------------------------------------------------------------------------
# Varints


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 128:
        out.append(value & 127 | 128)
        value >>= 7
    out.append(value)
    return bytes(out)


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LEB128 of every value (non-negative int64): the bytes, and each value's start offset (plus the end)."""
    v = values.astype(np.uint64)
    size = np.ones(len(v), dtype=np.int64)
    for shift in range(7, 64, 7):
        more = v >= (np.uint64(1) << np.uint64(shift))
        if not more.any():
            break
        size += more
    offsets = np.zeros(len(v) + 1, dtype=np.int64)
    np.cumsum(size, out=offsets[1:])
    out = np.zeros(int(offsets[-1]), dtype=np.uint8)
    rest = v.copy()
    for k in range(int(size.max()) if len(v) else 0):
        live = size > k
        byte = (rest[live] & np.uint64(127)).astype(np.uint8)
        byte[size[live] > k + 1] |= 128
        out[offsets[:-1][live] + k] = byte
        rest >>= np.uint64(7)
    return out, offsets


# ---------------------------------------------------------------------------------------------
# One group: its articles' texts → one block per shard.


@dataclass(frozen=True)
class DocMemo:
    """One article's share of the index: its text file and the lengths docs.bin records."""

    text_key: str  # digest of title and body: what the postings are made of
    file_key: str  # digest of what its d/ file shows
    file: bytes  # d/<g>-<r>.json
    length: int  # of its indexed text
    title_length: int
    sha: str = ""  # digest of ``file``, as the writer records it


@dataclass(frozen=True)
class DocInput:
    title: str
    path: str
    date: str
    body_html: str
    text_key: str
    file_key: str
    old: DocMemo | None  # the memo's entry for this slug, if any


@dataclass(frozen=True)
class GroupInput:
    key: str  # digest of everything the blocks are made of
    docs: tuple[DocInput, ...]  # in local order
    shards: int
    encode: bool  # False: only some text files are stale, the blocks are reused


def prepare_group(group: GroupInput) -> tuple[tuple[DocMemo, ...], tuple[bytes, ...] | None]:
    """Every article's DocMemo, and the group's blocks when ``group.encode`` (in a forked worker
    on a cold build: the text extraction is a third of the work)."""
    memos, texts = [], []
    for doc in group.docs:
        old = doc.old
        if old is not None and old.file_key == doc.file_key:
            memo = old
            blocks = json.loads(old.file)["x"] if group.encode else ()
        else:
            if old is not None and old.text_key == doc.text_key:
                blocks = json.loads(old.file)["x"]
            else:
                blocks = text_blocks(doc.body_html)
            file = _json({"t": doc.title, "u": doc.path, "d": doc.date, "x": blocks})
            text = indexed_text(doc.title, blocks)
            memo = DocMemo(doc.text_key, doc.file_key, file, len(text), len(plain_title(doc.title)), digest(file))
        memos.append(memo)
        if group.encode:
            texts.append((indexed_text(doc.title, blocks), memo.title_length))
    return tuple(memos), encode_group(texts, group.shards) if group.encode else None


def encode_group(texts: Sequence[tuple[str, int]], shards: int) -> tuple[bytes, ...]:
    """The block for every shard of a group's articles: (indexed text, title length) in local order."""
    if not texts:
        return (b"\0",) * shards
    joined = " ".join(text for text, _ in texts)
    codes = _fold_codes(np.frombuffer(joined.encode("utf-32-le"), dtype="<u4"))
    lengths = np.array([len(text) for text, _ in texts], dtype=np.int64)
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1] + 1, out=starts[1:])
    titles = np.array([tlen for _, tlen in texts], dtype=np.int64)

    # Pairs: positions grouped by key, ascending.
    first, second = codes[:-1], codes[1:]
    where = np.flatnonzero((first != 0x20) & (second != 0x20))
    pair_keys = first[where] * PAIR + second[where]
    if len(joined) < (1 << 21):
        packed = np.sort((pair_keys.astype(np.uint64) << np.uint64(21)) | where.astype(np.uint64))
        pair_keys = (packed >> np.uint64(21)).astype(np.int64)
        where = (packed & np.uint64((1 << 21) - 1)).astype(np.int64)
    else:  # a group text longer than 2 million characters: keys and positions sorted apart
        order = np.lexsort((where, pair_keys))
        pair_keys, where = pair_keys[order], where[order]
    pair_new = np.ones(len(pair_keys), dtype=bool)
    pair_new[1:] = pair_keys[1:] != pair_keys[:-1]
    deltas = where.copy()
    deltas[1:] -= where[:-1]
    deltas[pair_new] = where[pair_new]
    pair_bytes, pair_offsets = _varints(deltas)
    pair_terms = np.flatnonzero(pair_new)
    pair_term_keys = pair_keys[pair_terms]
    pair_term_starts = pair_offsets[pair_terms]

    # Single characters: (article delta, count * 2 + in title) per article containing it.
    chars_at = np.flatnonzero(codes != 0x20)
    doc = np.searchsorted(starts, chars_at, side="right") - 1
    in_title = (chars_at - starts[doc]) < titles[doc]
    char_doc = codes[chars_at] << 20 | doc
    pairs, counts = np.unique(char_doc, return_counts=True)
    title_pairs = np.unique(char_doc[in_title])
    values = counts * 2 + np.isin(pairs, title_pairs, assume_unique=True)
    chars, docs = pairs >> 20, pairs & ((1 << 20) - 1)
    char_new = np.ones(len(chars), dtype=bool)
    char_new[1:] = chars[1:] != chars[:-1]
    doc_deltas = docs.copy()
    doc_deltas[1:] -= docs[:-1]
    doc_deltas[char_new] = docs[char_new]
    char_bytes, char_offsets = _varints(np.column_stack((doc_deltas, values)).ravel())
    char_terms = np.flatnonzero(char_new)
    char_term_keys = chars[char_terms]
    char_term_starts = char_offsets[char_terms * 2]

    # All terms (characters first: their keys are smaller), their postings in one stream.
    stream = np.concatenate((char_bytes, pair_bytes))
    keys = np.concatenate((char_term_keys, pair_term_keys))
    begins = np.concatenate((char_term_starts, pair_term_starts + len(char_bytes)))
    ends = np.append(begins[1:], len(stream))
    sizes = ends - begins
    shard = _shard_codes(keys, shards)
    order = np.argsort(shard, kind="stable")  # by shard, then by key
    keys, begins, sizes, shard = keys[order], begins[order], sizes[order], shard[order]
    shard_new = np.ones(len(keys), dtype=bool)
    shard_new[1:] = shard[1:] != shard[:-1]
    key_deltas = keys.copy()
    key_deltas[1:] -= keys[:-1]
    key_deltas[shard_new] = keys[shard_new]
    directory, directory_offsets = _varints(np.column_stack((key_deltas, sizes)).ravel())
    total = int(sizes.sum())
    gathered_at = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=gathered_at[1:])
    gather = np.repeat(begins - gathered_at[:-1], sizes) + np.arange(total, dtype=np.int64)
    postings = stream[gather].tobytes()
    directory_bytes = directory.tobytes()

    firsts = np.searchsorted(shard, np.arange(shards + 1))
    blocks = []
    for s in range(shards):
        a, b = int(firsts[s]), int(firsts[s + 1])
        if a == b:
            blocks.append(b"\0")
            continue
        blocks.append(
            varint(b - a)
            + directory_bytes[directory_offsets[2 * a] : directory_offsets[2 * b]]
            + postings[gathered_at[a] : gathered_at[b]]
        )
    return tuple(blocks)


def _shard_codes(keys: np.ndarray, shards: int) -> np.ndarray:
    """shard_of() for term keys, vectorised."""
    mask = np.uint64(0xFFFFFFFF)
    prime = np.uint64(16777619)
    single = keys < PAIR
    first = np.where(single, keys, keys // PAIR).astype(np.uint64)
    h = ((np.uint64(2166136261) ^ first) * prime) & mask
    second = (keys % PAIR).astype(np.uint64)
    h2 = ((h ^ second) * prime) & mask
    h = np.where(single, h, h2)
    return (h % np.uint64(shards)).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The whole index


@dataclass(frozen=True)
class SearchMemo:
    """What the next build may reuse: every group's blocks under the key of its articles'
    texts, and every article's text file and lengths (DocMemo) by slug."""

    layout: tuple[int, int] = (0, 0)
    groups: Mapping[int, tuple[str, tuple[bytes, ...]]] = field(default_factory=dict)
    docs: Mapping[str, DocMemo] = field(default_factory=dict)
    shards: Mapping[int, str] = field(default_factory=dict)  # digest of each shard file's bytes


def _digest(*parts: str) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    for part in parts:
        h.update(part.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


# Below this many groups to encode, forking a second process costs more than it saves.
PARALLEL_GROUPS = 4


@dataclass(frozen=True)
class SearchFiles:
    """The index files: bytes of those not ``on_disk``, names of those that are, and the
    digest of every one (the writer's, so it need not hash 50 MB again at 10,000 articles)."""

    outputs: dict[str, bytes]
    kept: frozenset[str]
    digests: dict[str, str]


def search_outputs(site: Site, previous: SearchMemo | None) -> tuple[dict[str, bytes], SearchMemo]:
    """The index files of the site's published articles ("site/search/…" → bytes), and the memo
    for the next build. Writes nothing; the same articles give the same bytes, whatever the memo."""
    files, memo = search_files(site, previous)
    return files.outputs, memo


def search_files(
    site: Site, previous: SearchMemo | None, on_disk: Callable[[str, str], bool] = lambda name, sha: False
) -> tuple[SearchFiles, SearchMemo]:
    """search_outputs, less the files ``on_disk(name, digest)`` says are there with those bytes.

    A shard whose every block is the memo's is known by the memo's digest, without being
    joined; an edit changes a fifth of them. The bytes are the same whatever the memo."""
    views = site.articles
    groups, shards = layout(len(views))
    old_docs = previous.docs if previous is not None else {}
    old_groups = previous.groups if previous is not None and previous.layout == (groups, shards) else {}
    members: list[list[tuple[str, int]]] = [[] for _ in range(groups)]  # (slug, position in views)
    for i, view in enumerate(views):
        slug = view.entry.article.slug
        members[group_of(slug, groups)].append((slug, i))

    inputs: list[GroupInput] = []
    for member in members:  # newest first, as in the site: docs.bin stores rank deltas
        docs = []
        h = hashlib.sha1(f"{VERSION}:{shards}".encode(), usedforsecurity=False)
        for slug, i in member:
            entry = views[i].entry
            a = entry.article
            text_key = _digest(a.title, a.body_html)
            docs.append(
                DocInput(a.title, entry.path, entry.date_zh, a.body_html, text_key,
                         _digest(text_key, entry.path, entry.date_zh), old_docs.get(slug))
            )  # fmt: skip
            h.update(f"{slug}\0{text_key}\0".encode())
        key = h.hexdigest()
        encode = old_groups.get(len(inputs), ("", ()))[0] != key
        inputs.append(GroupInput(key, tuple(docs), shards, encode))
    todo = [
        g
        for g, group in enumerate(inputs)
        if group.encode or any(d.old is None or d.old.file_key != d.file_key for d in group.docs)
    ]
    work = [inputs[g] for g in todo]
    workers = cores(2) if sum(group.encode for group in work) >= PARALLEL_GROUPS else 1
    made = dict(zip(todo, split_map(prepare_group, work, workers), strict=True))
    blocks: dict[int, tuple[str, tuple[bytes, ...]]] = {}
    doc_memos: dict[str, DocMemo] = {}
    for g, group in enumerate(inputs):
        memos, encoded = made.get(g, (tuple(d.old for d in group.docs), None))
        blocks[g] = (group.key, encoded if encoded is not None else old_groups[g][1])
        for (slug, _), memo in zip(members[g], memos, strict=True):
            doc_memos[slug] = memo  # type: ignore[assignment]

    outputs: dict[str, bytes] = {}
    kept: set[str] = set()
    digests: dict[str, str] = {}

    def add(name: str, data: bytes, sha: str = "") -> str:
        digests[name] = sha = sha or digest(data)
        if on_disk(name, sha):
            kept.add(name)
        else:
            outputs[name] = data
        return sha

    old_shards = previous.shards if old_groups else {}
    # The groups whose blocks are the memo's own objects (not encoded again): their parts are.
    same = [g in old_groups and blocks[g][1] is old_groups[g][1] for g in range(groups)]
    shard_shas: dict[int, str] = {}
    for s in range(shards):
        name = f"{PREFIX}s/{s}.bin"
        parts = [blocks[g][1][s] for g in range(groups)]
        sha = old_shards.get(s, "")
        if sha and not all(same[g] or parts[g] == old_groups[g][1][s] for g in range(groups)):
            sha = ""  # a block changed: the memo's digest is not this shard's
        if sha and on_disk(name, sha):  # known without being joined
            digests[name] = shard_shas[s] = sha
            kept.add(name)
        else:
            joined = varint(groups) + b"".join(varint(len(p)) for p in parts) + b"".join(parts)
            shard_shas[s] = add(name, joined, sha)

    facets, combo_of = _facets(site)
    combos: dict[tuple[int, ...], int] = {}
    table = bytearray()
    for g, member in enumerate(members):
        table += varint(len(member))
        last = 0
        for local, (slug, i) in enumerate(member):
            memo = doc_memos[slug]
            combo = combos.setdefault(combo_of(views[i]), len(combos))
            table += varint(i - last) + varint(memo.title_length) + varint(memo.length) + varint(combo)
            last = i
            add(f"{PREFIX}d/{g}-{local}.json", memo.file, memo.sha)
    add(f"{PREFIX}docs.bin", bytes(table))
    meta = _json(
        {
            "version": VERSION,
            "groups": groups,
            "shards": shards,
            "count": len(views),
            "facets": facets,
            "combos": [list(c) for c in combos],
        }
    )
    add(f"{PREFIX}meta.json", meta)
    files = SearchFiles(outputs, frozenset(kept), digests)
    return files, SearchMemo((groups, shards), blocks, doc_memos, shard_shas)


def _json(value: object) -> bytes:
    """Compact JSON with <, > and & escaped: an article's text never reads as markup, even
    to a tool that opens the file as HTML (the page escapes it again when it shows it)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e").encode("utf-8")


def _facets(site: Site):
    """The filters (unit, category, form, every configured dimension) and each article's values
    as indexes into them (0: none)."""
    config = site.config
    facets = [
        {"label": "单位", "values": [u.name for u in config.units]},
        {"label": "类别", "values": [c.name for c in config.categories]},
        {"label": "体裁", "values": [f.name for f in config.forms]},
        *({"label": d.label, "values": [v.name for v in d.values]} for d in config.dimensions),
    ]
    index = [{name: n + 1 for n, name in enumerate(f["values"])} for f in facets]
    keys = [d.key for d in config.dimensions]

    def combo_of(view: ArticleView) -> tuple[int, ...]:
        a = view.entry.article
        extra = dict(a.extra)
        names = [a.unit.name, a.category.name, a.form.name, *(extra.get(k, "") for k in keys)]
        return tuple(index[n].get(name, 0) for n, name in enumerate(names))

    return facets, combo_of
