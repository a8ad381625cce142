"""Reading editors' files: bytes → text → front matter + body, with real line numbers.

Nothing here knows what an article is; it only turns a file into a mapping and a
body, or into ContentErrors that point at the right line of the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from xindelu.core.errors import ContentError

try:  # libyaml is ~7x faster; fall back to the pure-Python loader where it is missing
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class StrictLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe YAML without implicit timestamps.

    PyYAML turns 2026-02-30 into a ValueError (not a YAMLError) and 2026-04-08
    into a date; we keep dates as text and parse them ourselves so an impossible
    date gets a proper message.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # A key is a field name: `null:`, `true:` or `1:` is the text the editor typed (and is
        # then told it is no field of ours), never None, True or 1.
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and not key_node.style:  # plain, not quoted
                key_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
# YAML 1.1 reads yes/no/on/off as booleans, so `title: no` would not be text; keep only true/false (YAML 1.2).
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

_SIMPLE_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
# A plain scalar that means the same wherever YAML could put it: not starting with an indicator,
# no comment (" #"), no "key: value" inside, no tab, no flow punctuation.
_SIMPLE_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t\[\]{},]*")
_SIMPLE_ITEM = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\t\[\]{},:#]*")


# Characters YAML refuses (control characters) or breaks lines at (NEL, U+2028/9): not simple.
_NOT_SIMPLE_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


def simple_mapping(text: str) -> dict[str, Any] | None:
    """The common front matter (one ``key: plain text`` or ``key: [a, b]`` per line) without the
    YAML parser, which costs a fifth of an article's load; None for anything else, which goes
    to PyYAML. Scalars resolve through the loader's own implicit resolvers, so the result is
    what StrictLoader gives (test_source checks the equivalence)."""
    if _NOT_SIMPLE_CHARS.search(text):
        return None
    data: dict[str, Any] = {}
    for line in text.split("\n"):
        match = _SIMPLE_KEY.fullmatch(line.rstrip(" "))
        if match is None:
            return None
        key, value = match.group(1), match.group(2)
        if key in data or _plain_tag(key) != "tag:yaml.org,2002:str":
            return None
        if value is None or value == "":
            return None
        if value.startswith("[") and value.endswith("]"):
            inner = value[1:-1].strip()
            items = [item.strip() for item in inner.split(",")] if inner else []
            parsed = []
            for item in items:
                if not _SIMPLE_ITEM.fullmatch(item) or _plain_tag(item) != "tag:yaml.org,2002:str":
                    return None
                parsed.append(item)
            data[key] = parsed
            continue
        if not _SIMPLE_PLAIN.fullmatch(value) or ": " in value or " #" in value or value.endswith(":"):
            return None
        tag = _plain_tag(value)
        if tag == "tag:yaml.org,2002:str":
            data[key] = value
        elif tag == "tag:yaml.org,2002:bool":
            data[key] = value.lower() == "true"
        else:
            return None
    return data


def _plain_tag(value: str) -> str:
    resolvers = StrictLoader.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[:1], []) + resolvers.get(None, []):
        if regexp.match(value):
            return tag
    return "tag:yaml.org,2002:str"


_FENCE = "---"
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True)
class SourceFile:
    """A Markdown file split into its front matter and body.

    ``body_line`` is the 1-based file line where the body starts; ``key_lines``
    maps each top-level front-matter key to its 1-based file line.
    """

    path: str
    front_matter: Mapping[str, Any]
    body: str
    body_line: int
    key_lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, 1)


def decode_text(path: str, data: bytes) -> tuple[str | None, list[ContentError]]:
    """UTF-8 (BOM allowed, CRLF folded) or a clear error; never a garbled guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192]:
        return None, [
            ContentError(path, 0, "这不是文本文件（含有二进制内容）", "请确认文件内容，Markdown 文章须为 UTF-8 文本")
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = "请用记事本或 WPS 另存为“UTF-8”编码后再提交"
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            return None, [ContentError(path, line, "文件不是 UTF-8 编码，无法识别", hint)]
        return None, [
            ContentError(
                path,
                line,
                "文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 中文默认编码）",
                hint + f"，或运行 iconv -f GB18030 -t UTF-8 {Path(path).name}",
            )
        ]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def load_yaml(path: str, text: str, first_line: int = 1) -> tuple[Any, list[ContentError]]:
    """Parse YAML text that starts at ``first_line`` of ``path``."""
    simple = simple_mapping(text)
    if simple is not None:  # nothing in it could nest, alias or tag
        return simple, []
    deep_line = _deep_nesting_line(text)
    if deep_line:  # libyaml is quadratic in flow depth and its constructor can overflow the C stack
        return None, [
            ContentError(
                path, first_line + deep_line - 1, "YAML 嵌套层数过多", "请直接写文字或简单的列表，不要层层嵌套"
            )
        ]
    if "&" in text or "*" in text:
        anchor_line = _first_anchor_line(text)
        if anchor_line is not None:
            return None, [
                ContentError(
                    path,
                    first_line + anchor_line,
                    "不支持 YAML 锚点或别名（以 & 或 * 开头的值）",
                    "请把内容直接写出来；若值本身以 * 或 & 开头，请给它加引号",
                )
            ]
    try:
        data = yaml.load(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (_mark_line(text, mark) if mark else 0)
        problem, fix = _yaml_problem_zh(exc)
        return None, [ContentError(path, line, f"YAML 格式错误：{problem}", fix)]
    except yaml.YAMLError as exc:
        return None, [ContentError(path, _reader_line(text, exc, first_line), *_yaml_problem_zh(exc))]
    except RecursionError:  # the constructor recurses once per level of [ or {
        return None, [ContentError(path, first_line, "YAML 嵌套层数过多", "请直接写文字或简单的列表，不要层层嵌套")]
    except ValueError:  # an integer longer than Python converts (4300 digits)
        return None, [ContentError(path, first_line, "YAML 中有过长的数字", "请给这个值加引号，或改正它")]
    if _depth_exceeds(data, MAX_YAML_DEPTH):  # str() of such a value would recurse out of the stack later
        return None, [ContentError(path, first_line, "YAML 嵌套层数过多", "请直接写文字或简单的列表，不要层层嵌套")]
    return data, []


MAX_YAML_DEPTH = 32  # levels of list/mapping in the loaded value
_TEXT_NESTING = 200  # a cheap textual bound checked before parsing; the exact check follows the load
_FLOW_BRACKET = re.compile(r"[\[\]{}]")
_BLOCK_PREFIX = re.compile(r"^(?:[ \t]|[-?:][ \t])*", re.MULTILINE)


def _deep_nesting_line(text: str) -> int:
    """1-based line where the text may nest more than _TEXT_NESTING levels; 0 when it cannot."""
    if text.count("[") + text.count("{") > _TEXT_NESTING:
        depth = 0
        for match in _FLOW_BRACKET.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            if depth > _TEXT_NESTING:
                return text.count("\n", 0, match.start()) + 1
    if len(text) > _TEXT_NESTING:
        for match in _BLOCK_PREFIX.finditer(text):
            if match.end() - match.start() > _TEXT_NESTING:
                return text.count("\n", 0, match.start()) + 1
    return 0


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack.extend((item, depth + 1) for item in value)
    return False


_YAML_HINT = "检查冒号后是否有空格、缩进是否对齐、引号是否成对；含冒号等符号的值请加引号"


def _mark_line(text: str, mark: yaml.Mark) -> int:
    """0-based line of a YAML mark, counting only "\n": YAML also breaks lines at \r, \x85, U+2028
    and U+2029 (pasted from Word or the web), which would push ``mark.line`` past the real line."""
    return text.count("\n", 0, mark.index)


def _first_anchor_line(text: str) -> int | None:
    """0-based line of the first anchor or alias, None if there is none (or the YAML is broken)."""
    try:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return _mark_line(text, event.start_mark)
    except yaml.YAMLError:
        return None  # the real parse reports it
    return None


def _reader_line(text: str, exc: yaml.YAMLError, first_line: int) -> int:
    """The line of a ReaderError (a control character), which carries an index, not a mark."""
    position = getattr(exc, "position", None)
    return first_line + text.count("\n", 0, position) if isinstance(position, int) else first_line


def _yaml_problem_zh(exc: yaml.YAMLError) -> tuple[str, str]:
    """(problem, fix) in Chinese for the YAML errors editors actually make."""
    if isinstance(exc, yaml.reader.ReaderError):
        return (
            f"YAML 格式错误：含有不可见的控制字符（#x{exc.character:04x}）"
            if isinstance(exc.character, int)
            else "YAML 格式错误：含有无法识别的字符",
            "多半是从别处复制来的；请删去这一行重新输入",
        )
    if not isinstance(exc, yaml.MarkedYAMLError):
        return f"YAML 格式错误：{exc}", _YAML_HINT
    problem = exc.problem or ""
    known = (
        (
            "mapping values are not allowed",
            "此处不能出现“键: 值”",
            '值里含冒号时请给整个值加引号，如 title: "标题：副题"；并检查缩进',
        ),
        ("could not find expected ':'", "缺少冒号“:”", "每个字段写成“字段名: 值”，冒号后留一个空格"),
        (
            "found character '\\t' that cannot start any token",
            "使用了制表符（Tab）",
            "YAML 只能用空格缩进，请把 Tab 换成空格",
        ),
        ("found undefined alias", "使用了未定义的别名", "以 * 开头的值请加引号"),
        ("expected <block end>", "缩进不一致", "同一层的字段应左对齐"),
        ("found unexpected end of stream", "引号或括号没有闭合", "检查引号、方括号、花括号是否成对"),
        (
            "did not find expected ',' or ']'",
            "方括号“[”没有闭合，或列表项之间缺少逗号",
            "列表写成 [甲, 乙]；若值本身以“[”开头，请给整个值加引号",
        ),
        (
            "did not find expected ',' or '}'",
            "花括号“{”没有闭合，或项之间缺少逗号",
            "写成 {name: 湖南日报, date: 2026-04-10}；若值本身以“{”开头，请给整个值加引号",
        ),
        ("while scanning a quoted scalar", "引号没有闭合", "检查引号是否成对"),
        ("found duplicate anchor", "重复的锚点", "删去 & 开头的锚点"),
        ("found unhashable key", "字段名不能是列表或映射", "字段名只写文字，如 title"),
        ("found invalid Unicode character escape", "引号里的转义字符无效", "删去反斜杠“\\”，或改用单引号"),
    )
    for english, chinese, fix in known:
        if problem.startswith(english) or english in str(exc):
            return chinese, fix
    if "could not determine a constructor" in problem:
        return "不允许的 YAML 标签（!! 或 ! 开头）", "请删去以 ! 开头的标签，只写普通文字"
    return problem or str(exc), _YAML_HINT


def split_front_matter(path: str, text: str) -> tuple[SourceFile | None, list[ContentError]]:
    """Split ``---`` fenced YAML front matter from a Markdown body."""
    if not text.strip():
        return None, [ContentError(path, 1, "文件是空的", "请写入以 --- 开头的文章信息和正文，或删除此文件")]
    lines = text.split("\n")
    if lines[0].strip() != _FENCE:
        return None, [
            ContentError(
                path, 1, "文件开头缺少文章信息（front matter）", "第一行应为 ---，随后是 title: 等字段，再以 --- 结束"
            )
        ]
    for index in range(1, len(lines)):
        if lines[index].rstrip() == _FENCE:
            end = index
            break
    else:
        return None, [
            ContentError(path, 1, "文章信息（front matter）没有结束标记", "在字段之后、正文之前单独一行写 ---")
        ]
    front_text = "\n".join(lines[1:end])
    data, errors = load_yaml(path, front_text, first_line=2)
    if errors:
        return None, errors
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, [ContentError(path, 2, "文章信息应是“字段: 值”的形式", "每行写一个字段，如 title: 标题")]
    key_lines: dict[str, int] = {}
    for offset, line in enumerate(lines[1:end]):
        match = _TOP_KEY.match(line)
        if match and match.group(1) not in key_lines:
            key_lines[match.group(1)] = offset + 2
        elif match:  # YAML would silently keep the last one: a hidden second `status:` must not win
            name = match.group(1)
            errors.append(
                ContentError(
                    path, offset + 2, f"字段 {name} 写了两次（第 {key_lines[name]} 行已有）", "请删去多余的一行"
                )
            )
    if errors:
        return None, errors
    body = "\n".join(lines[end + 1 :])
    return SourceFile(path, data, body, end + 2, key_lines), []


def read_source(root: Path, file: Path, data: bytes | None = None) -> tuple[SourceFile | None, list[ContentError]]:
    """Read a Markdown file with front matter (``data``: its bytes, when already read);
    paths in errors are relative to ``root``."""
    rel = relative_name(root, file)
    text, errors = decode_text(rel, file.read_bytes() if data is None else data)
    if text is None:
        return None, errors
    return split_front_matter(rel, text)


def read_yaml_file(root: Path, file: Path) -> tuple[Any, list[ContentError]]:
    rel = relative_name(root, file)
    text, errors = decode_text(rel, file.read_bytes())
    if text is None:
        return None, errors
    if not text.strip():
        return None, [ContentError(rel, 1, "文件是空的", "请填写内容或删除此文件")]
    return load_yaml(rel, text)


def relative_name(root: Path, file: Path) -> str:
    base, name = str(root), str(file)
    if name.startswith(base + os.sep) and os.sep == "/":  # string work: pathlib's cost 0.25 s at 10,000 files
        return name[len(base) + 1 :]
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def key_lines_of(text: str) -> dict[tuple[Any, ...], int]:
    """Map each key path in a YAML document to its 1-based line (slow; for error paths only)."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> None:
        lines.setdefault(path, _mark_line(text, n.start_mark) + 1)
        if isinstance(n, yaml.MappingNode):
            for key, value in n.value:
                sub = (*path, key.value)
                lines[sub] = _mark_line(text, key.start_mark) + 1
                walk(value, sub)
        elif isinstance(n, yaml.SequenceNode):
            for i, item in enumerate(n.value):
                walk(item, (*path, i))

    if node is not None:
        walk(node, ())
    return lines
