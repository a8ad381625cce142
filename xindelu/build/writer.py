"""Write phase: the output tree, all or nothing.

The new tree is assembled in a temp dir beside output/: files whose bytes did not change
are hard-linked from the current tree (not rewritten, so their mtime stays), the others
written. Then two renames swap it in. On any failure the temp dir is removed and the
previous output/ stays exactly as it was. Files the build no longer produces are simply
not carried over (stale files pruned).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from xindelu.build.memo import Memo, MemoDelta, OutputEntry, SavedOutputs, output_rows
from xindelu.core.errors import ContentError, ContentErrors
from xindelu.core.hashing import digest
from xindelu.core.memory import cycle_collection_paused


@dataclass(frozen=True)
class WriteStats:
    written: int  # new or changed files
    unchanged: int  # same bytes as before, kept
    removed: int  # present before, no longer produced


def _safe_name(name: str) -> None:
    """Output keys come from slugs; refuse anything that could leave out_dir.

    On strings, not PurePosixPath: building 13,000 path objects cost a tenth of the writing."""
    if name.startswith("/") or any(part in ("", ".", "..") for part in name.split("/")):
        raise ContentErrors([ContentError(name, 0, f"输出路径“{name}”不安全", "这是程序错误，请报告维护者")])


def _existing_files(folder: Path) -> set[str]:
    found: set[str] = set()
    if not folder.is_dir():
        return found
    base = str(folder)
    for directory, _, files in os.walk(base):
        prefix = os.path.relpath(directory, base).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        for name in files:
            if not os.path.islink(os.path.join(directory, name)):
                found.add(prefix + name)
    return found


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)


# From this many files on, two processes write: creating 13,000 files and 10,000 folders is
# mostly kernel time, and a second writer nearly halved it here (1.2-1.8 s against 1.8-3.1 s).
PARALLEL_WRITES = 2000


def writes_new_tree(memo: Memo) -> bool:
    """Whether write_build writes the whole tree anew (write_outputs): a first build, or one
    after the memo or output/ was lost."""
    return not memo.outputs or not (memo.root / "output").is_dir()


class Staging:
    """A first build's new tree, begun while the build still makes its PDFs: the pages and the
    search index are written into it then (on the core the PDFs leave to this process), rather
    than after the book, when nothing else is left to do (0.3-0.7 s at 1,000 articles).
    write_outputs finishes the tree with the rest and swaps it in. Staging is only a head
    start: if it fails, or the outputs turn out to differ, the tree is dropped and written
    whole at the end, as without it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.tmp: Path | None = None
        self.placed: dict[str, bytes] = {}  # name → the bytes written (or linked) for it
        self.linked = 0  # of those, hard links to the same bytes in the current tree
        self.made: set[str] = {""}  # folders made in the new tree

    def tree(self) -> Path:
        """The new tree's folder beside out_dir, made on first use."""
        if self.tmp is None:
            self.out_dir.parent.mkdir(parents=True, exist_ok=True)
            self.tmp = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-", dir=self.out_dir.parent))
        return self.tmp

    def put(self, outputs: Mapping[str, bytes]) -> None:
        """Write ``outputs`` into the new tree now (one process: the cores are the PDFs')."""
        try:
            tmp, old = str(self.tree()), _existing_files(self.out_dir)
            for name in sorted(outputs):
                _safe_name(name)
                if _place(outputs, tmp, self.out_dir, old, self.made, name):
                    self.linked += 1
                self.placed[name] = outputs[name]
        except (OSError, ContentErrors):  # the write at the end says what the disk refused
            self.drop()

    def holds(self, outputs: Mapping[str, bytes], out_dir: Path) -> bool:
        """Whether the tree has, for the names it has, exactly the bytes of ``outputs`` for ``out_dir``."""
        return out_dir == self.out_dir and all(
            name in outputs and (data is outputs[name] or data == outputs[name]) for name, data in self.placed.items()
        )

    def swap_in(self) -> None:
        _swap(self.tree(), self.out_dir)
        self.tmp = None

    def drop(self) -> None:
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.tmp, self.placed, self.linked, self.made = None, {}, 0, {""}


@contextlib.contextmanager
def staging(memo: Memo) -> Iterator[Staging | None]:
    """A Staging for the block when write_build will write the whole tree (writes_new_tree);
    whatever is not swapped in is removed at its end."""
    if not writes_new_tree(memo):
        yield None
        return
    staged = Staging(memo.root / "output")
    try:
        yield staged
    finally:
        staged.drop()


@cycle_collection_paused()
def write_outputs(outputs: Mapping[str, bytes], out_dir: Path, staged: Staging | None = None) -> WriteStats:
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    old = _existing_files(out_dir)
    names = sorted(outputs)
    for name in names:
        _safe_name(name)
    if staged is None or not staged.holds(outputs, out_dir):
        if staged is not None:
            staged.drop()
        staged = Staging(out_dir)
    tmp = staged.tree()
    place = functools.partial(_place, outputs, str(tmp), out_dir, old, staged.made)
    try:
        # Forked after the bytes are rendered: the other writer shares them without copying.
        # (multiprocessing is imported here: a no-change build writes nothing and needs none of it)
        from xindelu.core.forked import cores, split_map

        names = [name for name in names if name not in staged.placed]
        workers = cores(2) if len(names) >= PARALLEL_WRITES else 1
        linked = split_map(place, names, workers)
        unchanged = linked.count(True) + staged.linked
        staged.swap_in()
    except OSError as exc:  # a full disk, no permission, a read-only mount: not a bug, say what happened
        staged.drop()
        raise ContentErrors([write_error(exc, out_dir)]) from exc
    except BaseException:
        staged.drop()
        raise
    return WriteStats(len(outputs) - unchanged, unchanged, len(old - set(outputs)))


def _place(outputs: Mapping[str, bytes], tmp_s: str, out_dir: Path, old: set[str], made: set[str], name: str) -> bool:
    """One file into the new tree: hard-linked from the current one when its bytes are the
    same (True), else written. Plain strings and os calls: pathlib's per-path work cost more
    than the writing at 13,000 files. A disk error is raised as the Chinese ContentErrors here,
    so that split_map brings it back from the other writer as it is."""
    data = outputs[name]
    folder = name.rpartition("/")[0]
    try:
        if folder not in made:
            os.makedirs(os.path.join(tmp_s, folder), exist_ok=True)  # exist_ok: safe with two writers
            made.add(folder)
        target = os.path.join(tmp_s, name)
        if name in old:
            previous = os.path.join(out_dir, name)
            if os.stat(previous).st_size == len(data) and _read(previous) == data:
                try:
                    os.link(previous, target)
                    return True
                except OSError:  # file systems without hard links: fall back to writing
                    pass
        _write_file(target, data)
    except OSError as exc:
        raise ContentErrors([write_error(exc, out_dir)]) from exc
    return False


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


_OS_ERRORS_ZH = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘是只读的",
    errno.EIO: "磁盘读写出错",
    errno.ENAMETOOLONG: "文件名过长",
}


def os_error_zh(exc: OSError) -> str:
    return _OS_ERRORS_ZH.get(exc.errno or 0, exc.strerror or str(exc))


def write_error(exc: OSError, out_dir: Path) -> ContentError:
    reason = os_error_zh(exc)
    return ContentError(
        out_dir.name + "/",
        0,
        f"写出文件失败：{reason}（{exc.strerror or exc}）；{out_dir.name}/ 保持上一次的内容，未作任何改动",
        "请腾出磁盘空间或检查文件夹权限后重新生成",
    )


def _swap(new: Path, out_dir: Path) -> None:
    """Put ``new`` in place of ``out_dir``; the old tree is removed only after the swap."""
    if not out_dir.exists():
        os.replace(new, out_dir)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, trash / "tree")
    try:
        os.replace(new, out_dir)
    except BaseException:
        os.replace(trash / "tree", out_dir)  # put the previous tree back
        shutil.rmtree(trash, ignore_errors=True)
        raise
    shutil.rmtree(trash, ignore_errors=True)


@cycle_collection_paused()
def write_build(
    outputs: Mapping[str, bytes],
    kept: frozenset[str],
    delta: MemoDelta,
    memo: Memo,
    save: bool = True,
    staged: Staging | None = None,
) -> tuple[WriteStats, Memo]:
    """Write a build made with ``memo``: only files whose bytes changed; stale ones removed.
    Returns what was done and the memo with ``delta`` committed (saved to .cache/ unless
    ``save`` is False: serve's quick pass leaves that to the full pass that follows; a stale
    .cache/ is only slower, never wrong, since every entry is checked against its file).

    The first build (or one after the memo was lost) goes through write_outputs, with the
    tree ``staged`` while the build made its PDFs (see Staging), if there is one. Later ones
    stage the changed files in a temp dir beside output/, then move them in (keeping a hard
    link to each file they replace) and move stale files aside; if anything fails, every
    move is undone, so output/ is the previous tree, file for file, and the memo is as it was
    (the ContentErrors raised name the disk's refusal). ``kept`` files are not touched, and
    unchanged ones keep their inode and mtime.
    """
    out_dir = (memo.root / "output").resolve()
    keys, digests = delta.keys, delta.digests

    def sha_of(name: str) -> str:
        return digests.get(name) or digest(outputs[name])

    if writes_new_tree(memo):
        stats = write_outputs(outputs, out_dir, staged)
        entries = {name: _entry(out_dir, name, keys.get(name, ""), sha_of(name)) for name in outputs}
        new = memo.committed(delta, entries)
        if save:
            new.save()
        return stats, new
    # Entries as plain rows (key, size, mtime_ns, sha), wrapped once at the end: a build that
    # keeps 35,000 files would otherwise make an OutputEntry of each (a sixth of a no-change run).
    rows = output_rows(memo.outputs)
    known: dict[str, tuple[str, int, int, str]] = {name: tuple(rows[name]) for name in kept}  # plain: saved as such
    changed: dict[str, str] = {}  # name → digest
    for name in sorted(outputs):
        _safe_name(name)
        sha = sha_of(name)
        if memo.holds(name, sha):
            previous = rows[name]
            known[name] = (keys.get(name, ""), previous[1], previous[2], sha)
        else:
            changed[name] = sha
    stale = sorted(name for name in memo.outputs if name not in known and name not in changed)
    if changed or stale:
        try:
            _move_in(outputs, changed, stale, out_dir)
        except OSError as exc:
            raise ContentErrors([write_error(exc, out_dir)]) from exc
    for name, sha in changed.items():
        known[name] = tuple(_entry(out_dir, name, keys.get(name, ""), sha))
    for name in kept:  # kept files were made from the same inputs; a key is only ever added
        if name in keys and known[name][0] != keys[name]:
            known[name] = (keys[name], *known[name][1:])
    new = memo.committed(delta, SavedOutputs(known))
    # A build that found nothing changed leaves .cache/ as it is (rewriting it was a tenth of such a run).
    same = not changed and not stale and delta.search is None and delta.templates is None
    same = same and (new.stamp, new.reads) == (memo.stamp, memo.reads)
    if save and not same:
        new.save(
            articles_changed=delta.articles is not None,
            search_changed=delta.search is not None,
            before=memo,
            templates_changed=delta.templates is not None,
        )
    return WriteStats(len(changed), len(known) - len(changed), len(stale)), new


def _move_in(outputs: Mapping[str, bytes], changed: Mapping[str, str], stale: list[str], out_dir: Path) -> None:
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.stage-", dir=out_dir.parent))
    undo: list[tuple[str, Path, Path]] = []  # ("back", backup, target) restores; ("new", _, target) removes
    try:
        (stage / "new").mkdir()
        for number, name in enumerate(changed):
            (stage / "new" / str(number)).write_bytes(outputs[name])
        backups = stage / "old"
        backups.mkdir()
        for number, name in enumerate(changed):
            target = out_dir.joinpath(*PurePosixPath(name).parts)
            backup = backups / f"c{number}"
            if target.exists():
                os.link(target, backup)
                undo.append(("back", backup, target))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                undo.append(("new", target, target))
            os.replace(stage / "new" / str(number), target)
        for number, name in enumerate(stale):
            target = out_dir.joinpath(*PurePosixPath(name).parts)
            if target.exists():
                backup = backups / f"s{number}"
                os.replace(target, backup)
                undo.append(("back", backup, target))
    except BaseException:
        for kind, source, target in reversed(undo):
            with contextlib.suppress(OSError):
                if kind == "back":
                    os.replace(source, target)
                else:
                    target.unlink(missing_ok=True)
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)
    for name in stale:  # a clean build has no empty folders
        for folder in out_dir.joinpath(*PurePosixPath(name).parts).parents:
            if folder == out_dir or not folder.is_dir() or any(folder.iterdir()):
                break
            folder.rmdir()


def _entry(out_dir: Path, name: str, key: str, sha: str) -> OutputEntry:
    stat = os.stat(os.path.join(out_dir, name))
    return OutputEntry(key, stat.st_size, stat.st_mtime_ns, sha)
