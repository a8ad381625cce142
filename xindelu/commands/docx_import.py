"""`python build.py import FILE.docx|FOLDER`: Word submissions → article files (status: submitted).

Phases: docx_reader.read_docx (file → WordDocument: paragraphs with the formatting that carries
structure, Word's numbers as shown, markers for what cannot be converted) → build_draft (pure:
WordDocument + config → Draft: front matter, Markdown body, and what was guessed, defaulted,
dropped or not converted) → import_one / run_import (writes the article and its images, prints
the summary). docx_structure holds the rules for covers, TOC, title and headings; this module
holds the byline rules (they need the configured units), the Markdown writer and the command.

A recommendation form (a label/value table, as in the contest notices) is read by its labels.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from xindelu.build.pipeline import BuildOptions
from xindelu.commands.docx_reader import (
    OLD_FORMAT,
    SAVE_AS,
    Block,
    Cell,
    ImportFailure,
    Para,
    Span,
    Table,
    WordDocument,
    has_media,
    read_docx,
    sniff_container,
)
from xindelu.commands.docx_structure import (
    Front,
    body_size,
    clean,
    cover_title,
    date_line,
    find_title,
    generic_head,
    heading_kind,
    heading_levels,
    is_label_line,
    strip_front,
)
from xindelu.commands.new import yaml_value
from xindelu.content.config import SiteConfig, Unit, load_config
from xindelu.content.records import validate_article
from xindelu.core.errors import ContentErrors
from xindelu.core.markdown import render_markdown
from xindelu.core.source import split_front_matter
from xindelu.core.wordcount import count_zi

MARKER = "# 导入自："  # a YAML comment naming the source file, so a second run knows it was done
UNIT_NOTE = "# 原文单位："  # a YAML comment keeping a unit name that is not configured, for the editor to map

# ---------------------------------------------------------------- inference (pure)

_SPACE = " \t\u3000\u00a0"
_LABEL_LINE = re.compile(r"([^\s:：，。；]{1,12}?)\s*[:：]\s*")
_TRAILING_BYLINE = re.compile(r"^[（(]?\s*(?:本文)?作者(?:系|为|是)\s*(.+?)\s*[）)]?$")
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,3}·[\u4e00-\u9fff]{1,6}$")
__all__ = ["Cell", "ImportFailure", "build_draft", "read_docx", "run_import"]

FIELD_LABELS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("author", ("姓名", "作者", "作者姓名", "宣讲人", "选手姓名", "撰稿人", "撰稿", "执笔", "执笔人", "通讯员", "记者", "报告人", "汇报人", "学生姓名", "文")),
    ("unit", ("作者单位", "工作单位", "单位", "推荐单位", "所在单位", "报送单位", "单位名称", "供稿单位", "供稿", "部门")),
    ("position", ("职务", "所在基层党组织及职务", "党组织及职务", "职务职称", "职称", "职位")),
    ("title", ("题目", "标题", "作品名称", "讲稿题目", "宣讲题目", "文章标题")),
    ("body", ("讲稿提纲", "提纲", "内容", "正文", "讲稿", "作品内容", "主要内容", "宣讲内容", "稿件内容")),
    ("category", ("类别", "类型", "分类")),
    ("form", ("体裁", "形式")),
    ("private", ("性别", "联系电话", "电话", "手机", "手机号码", "身份证号", "身份证号码", "邮箱", "电子邮箱", "民族", "年龄", "出生年月", "政治面貌", "微信号", "备注")),
)  # fmt: skip


def label_field(label: str) -> str:
    """The field a form label stands for ('' if unknown): spaces, line breaks and （盖章） ignored."""
    clean = re.sub(r"[（(][^）)]*[）)]", "", re.sub(rf"[{_SPACE}\n]", "", label))
    if not clean:
        return ""
    for key, names in FIELD_LABELS:
        if clean in names:
            return key
    if len(clean) <= 12:
        for key, names in FIELD_LABELS:
            if any(clean.endswith(name) for name in names if len(name) >= 2):
                return key
    return ""


def labelled_values(text: str) -> list[tuple[str, str]]:
    """'作者单位：株洲市委宣传部 姓名：李四' → [('unit', '株洲市委宣传部'), ('author', '李四')]."""
    matches = list(_LABEL_LINE.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    pairs = []
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        key = label_field(match.group(1))
        if not key:
            return [] if i == 0 else pairs
        pairs.append((key, text[match.end() : end].strip(_SPACE)))
    return pairs


def match_unit(text: str, config: SiteConfig) -> Unit | None:
    """A configured unit named in ``text``: exact name or alias, then the longest that begins it, then contained."""
    clean = re.sub(rf"[{_SPACE}]", "", text)
    lookup = config.unit_lookup()
    if clean in lookup:
        return lookup[clean]
    names = sorted(lookup, key=len, reverse=True)
    for name in names:
        if len(name) >= 2 and clean.startswith(name):
            return lookup[name]
    for name in names:
        if len(name) >= 2 and name in clean:
            return lookup[name]
    return None


@dataclass(frozen=True)
class Draft:
    front: dict[str, Any]  # title, author (str or list), position, unit, category, form, date, status, slug
    body: str  # Markdown, image links as {{image:KEY}} until the slug is known
    images: tuple[str, ...]  # image keys in order of appearance
    guessed: tuple[str, ...]
    defaulted: tuple[str, ...]
    missing: tuple[str, ...]
    unconverted: tuple[str, ...]
    dropped: tuple[str, ...] = ()  # left out on purpose, one line each: cover, statement, TOC, headers


@dataclass
class _Facts:
    title: str = ""
    title_how: str = ""
    author: str = ""
    position: str = ""
    unit_text: str = ""
    category: str = ""
    form: str = ""
    notes: list[str] = field(default_factory=list)
    unconverted: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # left out on purpose: cover, TOC, statement, labels

    def take(self, key: str, value: str) -> None:
        value = value.strip(_SPACE)
        if key in ("author", "position", "category", "form") and value and not getattr(self, key):
            setattr(self, key, value)
        elif key == "unit" and value and not self.unit_text:
            self.unit_text = value
        elif key == "title" and value and not self.title:
            self.title, self.title_how = value, "“题目”一栏"


def build_draft(doc: WordDocument, config: SiteConfig, source_name: str, today: Any) -> Draft:
    """Everything an article file needs, guessed from the document; pure."""
    facts = _Facts(unconverted=list(doc.unconverted), dropped=list(doc.dropped))
    form_table = next((b for b in doc.blocks if isinstance(b, Table) and _is_form(b)), None)
    if form_table is not None:
        body_paras = _read_form(doc.blocks, form_table, facts)
        blocks: list[Block] = list(body_paras)
    else:
        blocks = _read_header(list(doc.blocks), facts, config)
    blocks = _trailing_byline(blocks, facts, config)
    if not facts.title:
        first = next((b for b in blocks if isinstance(b, Para) and b.text.strip()), None)
        if first is not None and _title_like(first.text) and form_table is not None:
            facts.title, facts.title_how = first.text.strip(_SPACE), "提纲的第一行"
            blocks.remove(first)
    body, image_keys = render_body(blocks, doc.notes, facts)
    return _front_matter(facts, body, image_keys, config, source_name, today)


def _is_form(table: Table) -> bool:
    """A recommendation form: labels with a body (讲稿提纲) cell, not a cover's 姓名/学号 grid."""
    labels = {label_field(cell.text) for row in table.rows for cell in row if cell.text and len(cell.text) <= 16}
    labels.discard("")
    if len(labels) < 2 or not labels & {"author", "body", "title"}:
        return False
    return "body" in labels or any(len(c.text) > 60 for row in table.rows for c in row)


def _read_form(blocks: Sequence[Block], table: Table, facts: _Facts) -> list[Para]:
    """A recommendation form: labels and values from the table (and label lines around it)."""
    body: list[Para] = []
    dropped: list[str] = []
    unused: list[str] = []
    for block in blocks:
        if isinstance(block, Para) and block is not None:
            for key, value in labelled_values(block.text.strip(_SPACE)):
                facts.take(key, value)
    for row in table.rows:
        cells = [c for c in row if not c.repeat]
        i = 0
        while i < len(cells):
            key = label_field(cells[i].text) if len(cells[i].text) <= 16 else ""
            value = cells[i + 1] if i + 1 < len(cells) else None
            if key and value is not None:
                if key == "body":
                    body.extend(value.paras)
                elif key == "private":
                    dropped.append(re.sub(rf"[{_SPACE}\n]", "", cells[i].text))
                else:
                    pairs = labelled_values(value.text)
                    facts.take(key, value.text.replace("\n", "") if not pairs else pairs[0][1])
                i += 2
            else:
                if cells[i].text and not key:
                    unused.append(cells[i].text.replace("\n", "")[:12])
                i += 1
    titles = [
        b.text.strip(_SPACE)
        for b in blocks[: blocks.index(table)]
        if isinstance(b, Para) and b.text.strip() and not labelled_values(b.text.strip(_SPACE))
    ]
    facts.notes.append("按推荐表读取" + (f"（表头“{''.join(titles)[:30]}”不是文章标题，未采用）" if titles else ""))
    if dropped:
        facts.notes.append(f"未导入个人信息：{'、'.join(dropped)}")
    if unused:
        facts.unconverted.append(f"表格中未识别的栏目：{'、'.join(unused)}")
    after = [b for b in blocks[blocks.index(table) + 1 :] if not (isinstance(b, Para) and not b.text.strip())]
    if after:
        facts.notes.append(f"表格后的说明文字 {len(after)} 段未导入")
    # A "题目：…" line at the top of the outline is the title.
    for para in list(body):
        if not para.text.strip():
            body.remove(para)
            continue
        pairs = labelled_values(para.text.strip(_SPACE))
        if pairs and pairs[0][0] == "title":
            facts.take("title", pairs[0][1])
            body.remove(para)
        break
    return body


def _title_like(text: str) -> bool:
    text = text.strip(_SPACE)
    return 0 < len(text) <= 40 and "。" not in text[:-1] and not text.endswith(("。", "；", "，", "："))


# ---------------------------------------------------------------- title and byline

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛"
    "邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝"
    "路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝封"
)
_COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "令狐",
    "长孙",
    "宇文",
    "夏侯",
    "司徒",
    "端木",
)
_NOT_NAMES = frozenset(
    [
        "前言",
        "引言",
        "摘要",
        "目录",
        "附件",
        "说明",
        "总结",
        "结语",
        "背景",
        "概述",
        "通知",
        "方案",
        "报告",
        "讲话",
        "发言",
        "序言",
        "后记",
        "致谢",
        "正文",
        "简介",
        "简报",
        "意见",
        "决定",
        "通报",
        "纪要",
        "汇报",
        "提纲",
        "体会",
        "心得",
        "感悟",
        "思考",
        "启示",
        "经验",
        "做法",
        "成效",
        "问题",
        "建议",
        "措施",
        "对策",
        "目标",
        "任务",
        "要求",
        "原则",
        "意义",
        "內容",
        "内容",
        "主题",
        "标题",
        "题目",
        "时间",
        "地点",
        "对象",
        "范围",
        "方法",
        "步骤",
        "安排",
        "保障",
        "附录",
    ]
)
_UNIT_SUFFIX = re.compile(
    r"(?:委员会|党委|党组|党工委|工委|政府|人大|政协|纪委|监委|宣传部|组织部|统战部|委|局|厅|办|办公室|部|院|校|学校|"
    r"大学|学院|中学|小学|幼儿园|研究所|所|中心|公司|集团|银行|街道|镇|乡|村|社区|支部|总支|医院|协会|学会|联合会|"
    r"站|队|处|科|馆|团|报社|电视台|法院|检察院|分局|县|区|市|州|省|分公司|事务所|合作社|党校|讲师团)$"
)
_POSITION_SUFFIX = re.compile(
    r"(?:书记|主任|局长|部长|科长|处长|厅长|县长|区长|市长|州长|镇长|乡长|村长|校长|院长|所长|站长|队长|组长|主席|委员|"
    r"常委|干部|职工|教师|老师|教授|讲师|研究员|馆员|医师|护士|学生|经理|董事长|干事|科员|专员|会计|律师|工程师|辅导员|"
    r"队员|党员|代表|社长|台长|主编|编辑|记者|通讯员|秘书长|调研员|行长|监事|助理|主管|员工|支书|网格员|宣讲员|"
    r"团长|会长|理事长|理事|秘书|科员|职员|村医|民警|法官|检察官|指导员|教导员|政委)$"
)
_ROLE = re.compile(
    r"^(?:本报|本台|本网)?(?:特约)?(?:记者|通讯员|撰稿人?|撰文|执笔人?|文|作者|供稿|实习生|整理)\s*[/／:：|｜\s]\s*"
)
_ROLE_SPLIT = re.compile(
    r"(?:本报|本台|本网)?(?:特约)?(?:记者|通讯员|实习生|撰稿|执笔|整理|摄影|摄|报道|供图|图|文)[:：/／]?"
)
_CREDIT = re.compile(
    r"^[（(]?\s*(?:责任编辑|责编|编辑|审核|审校|校对|审稿|初审|复审|终审|来源|摄影|图片|图|排版|监制|美编)\s*[:：/／]"
)


def looks_like_unit(part: str) -> bool:
    """'某某县农业农村局', not '做新时代的好干部' (a unit name has no particles or verbs of a sentence)."""
    return (
        3 <= len(part) <= 30
        and bool(_UNIT_SUFFIX.search(part))
        and not re.search(r"[的了着吗呢吧要做让把被是！？!?]", part)
    )


def is_name(part: str) -> bool:
    part = part.strip(_SPACE)
    if not _NAME.match(part) or part in _NOT_NAMES:
        return False
    if "·" in part:
        return True
    return part[0] in _SURNAMES or part[:2] in _COMPOUND_SURNAMES


def _merge_spaced(parts: list[str]) -> list[str]:
    """'张  三' (a two-character name spread to the width of three) is one name."""
    if parts and all(len(p) == 1 for p in parts) and 2 <= len(parts) <= 4:
        return ["".join(parts)]
    return parts


def parse_byline(text: str, config: SiteConfig, loose: bool = False) -> dict[str, str] | None:
    """The author/unit/position a byline line gives, or None when the line is not a byline.

    Handles '张三、李四' / '张三，李四' / '张三 李四'; '株洲市委宣传部 张三'; '张三（株洲市委宣传部）';
    '（作者单位：…）'; '作者：…'; '作者系…'; '文/张三'; '通讯员 张三 李四'. ``loose`` (a centred or
    right-aligned line right under the title) also takes two- and three-character names whose
    surname is not in the list of common ones.
    """
    t = clean(text)
    if not t or len(t) > 64 or t.endswith(("。", "：", ":")):
        return None
    inner = re.fullmatch(r"[（(\[【](.+)[）)\]】]", t)
    if inner:
        t = clean(inner.group(1))
    match = re.match(r"^(?:本文)?作者(?:系|为|是)\s*(.+)$", t)
    if match:
        return {"unit": match.group(1), "position_full": match.group(1)}
    role = _ROLE.match(t)
    if role:
        rest = t[role.end() :]
        names = [n for n in re.split(rf"[{_SPACE}、，,；;]+", _ROLE_SPLIT.sub(" ", rest)) if n]
        names = _merge_spaced(names)
        if names and all(is_name(n) for n in names):
            return {"author": "、".join(names)}
        mixed = parse_byline(rest, config, loose) if rest and not _ROLE.match(rest) else None
        if mixed and "author" in mixed:
            return mixed
        unit = match_unit(rest, config)
        if unit is not None or looks_like_unit(rest):
            return {"unit": rest}
        return mixed
    pairs = labelled_values(t)
    if pairs:
        if all(k in ("author", "unit", "position", "private") for k, _ in pairs) and pairs[0][0] != "private":
            found: dict[str, str] = {}
            for key, value in pairs:
                if key == "private":
                    continue  # a phone number next to the name stays out of the article
                if key == "author":
                    names = _merge_spaced([n for n in re.split(rf"[{_SPACE}、，,]+", value) if n])
                    value = "、".join(names)
                if value:
                    found.setdefault(key, value)
            return found or None
        return None
    parts = [p for p in re.split(rf"[{_SPACE}、，,；;（）()]+", t) if p and not re.fullmatch(r"[\d\-－+]{7,}", p)]
    parts = _merge_spaced(parts)
    found = {}
    names: list[str] = []
    for part in parts:
        if len(part) <= 3 and is_name(part) and match_unit(part, config) is None:
            names.append(part)
        elif match_unit(part, config) is not None:
            found.setdefault("unit", part)
        elif _POSITION_SUFFIX.search(part) and len(part) >= 2:
            if "position" in found:
                found["position"] += part
            else:
                found["position"] = part
        elif looks_like_unit(part):
            found.setdefault("unit", part)
        elif is_name(part) or (loose and _NAME.match(part) and len(part) <= 3 and part not in _NOT_NAMES):
            names.append(part)
        else:
            return None
    if names:
        found["author"] = "、".join(names)
    if not names and "unit" not in found:
        return None
    return found


def _signature(text: str, config: SiteConfig, facts: _Facts) -> dict[str, str] | None:
    """A closing signature ('株洲市委宣传部 张三', '张三'): only when it names a person, and the
    byline at the top named nobody or the same people."""
    found = parse_byline(text, config)
    if not found or "author" not in found or not _plain_names(found["author"]):
        return None
    return found if facts.author in ("", found["author"]) else None


def _plain_names(names: str) -> bool:
    """Names of two or three characters (or with a compound surname): a closing line such as
    '谢谢大家' is not a signature."""
    return all(len(n) <= 3 or n[:2] in _COMPOUND_SURNAMES for n in names.split("、"))


def _apply_byline(found: dict[str, str], facts: _Facts) -> None:
    if "position_full" in found:
        if not facts.unit_text:
            facts.unit_text = found["unit"]
        if not facts.position:
            facts.position = found["position_full"]
        return
    for key in ("author", "unit", "position"):
        if key in found:
            facts.take(key, found[key])


def _read_header(blocks: list[Block], facts: _Facts, config: SiteConfig) -> list[Block]:
    """Cover, statement, TOC, title and byline from the top of the document; returns the body."""
    front = Front()
    rest = strip_front(blocks, front)

    def bylineish(para: Para) -> bool:
        found = parse_byline(para.full_text, config)
        if found is None:
            return False
        # Set like a title (bold, large), a line is a title even when it could be a name or a unit
        # ("王者归来", "凝心聚力开新局" ends in 局).
        if para.all_bold or para.title_style or para.heading:
            return "author" in found and ("unit" in found or len(clean(para.full_text)) != 4)
        return True

    index, after = find_title(rest, front, bylineish)
    base = body_size(rest)
    if index < 0 or generic_head(front.title):
        title = cover_title(front, base)
        if title:
            facts.title, facts.title_how = title, "封面上的标题"
            if index >= 0 and generic_head(front.title):
                index, after = -1, 0
        elif index >= 0:
            facts.title, facts.title_how = front.title, front.title_how
    else:
        facts.title, facts.title_how = front.title, front.title_how
    for label, value in front.fields:
        if label in ("姓名", "学生姓名", "作者", "作者姓名", "报告人", "汇报人") and value:
            facts.take("author", value)
        elif label in ("单位", "部门", "作者单位", "工作单位") and value:
            facts.take("unit", value)
        elif label == "职务" and value:
            facts.take("position", value)
    facts.dropped.extend(front.notes)
    if not facts.author:
        # A title page set apart by a page break carries the byline too.
        for para in front.cover_paras:
            text = clean(para.full_text)
            found = parse_byline(text, config, loose=para.centred) if not generic_head(text) else None
            if found and "author" in found:
                _apply_byline(found, facts)
    if index < 0:
        return rest[front.skip_to :]
    # Lines before the title: a unit or a name is a byline, a field was read above; anything else is named.
    others = []
    for block in rest[:index]:
        if (
            not isinstance(block, Para)
            or not clean(block.full_text)
            or (block in front.before_title and is_label_line(block.full_text))
        ):
            continue
        found = parse_byline(block.full_text, config)
        if found is not None:
            _apply_byline(found, facts)
        elif block in front.before_title and not any(clean(block.full_text).startswith(k) for k, _ in front.fields):
            others.append(clean(block.full_text)[:20])
    if others:
        facts.dropped.append(f"标题前的 {len(others)} 行（“{'”“'.join(others[:3])}”）")
    pictures = sum(1 for b in rest[:index] if isinstance(b, Para) and any(s.kind == "image" for s in b.spans))
    if pictures:
        facts.dropped.append(f"标题前的图片 {pictures} 张（如红头、徽标）")
    # The byline: up to six short lines right under the title.
    j = after
    taken = 0
    while j < len(rest) and taken < 6:
        block = rest[j]
        if not isinstance(block, Para):
            break
        text = clean(block.full_text)
        if not text:
            j += 1
            continue
        if date_line(text):
            facts.dropped.append(f"标题下的日期“{text}”")
            j += 1
            continue
        if heading_kind(text):
            break
        found = parse_byline(text, config, loose=block.centred or block.align in ("right", "end"))
        if found is None:
            break
        _apply_byline(found, facts)
        j += 1
        taken += 1
    return rest[j:]


def _trailing_byline(blocks: list[Block], facts: _Facts, config: SiteConfig) -> list[Block]:
    """Closing lines '（作者系…）', '通讯员 张三', '作者单位：…', '编辑：…': into the front matter, out of the body."""
    remove: list[int] = []
    index = len(blocks) - 1
    checked = 0
    while index >= 0 and checked < 4:
        block = blocks[index]
        if not isinstance(block, Para):
            break
        text = clean(block.full_text)
        if not text:
            index -= 1
            continue
        checked += 1
        if _CREDIT.match(text):
            facts.dropped.append(f"文末署名“{text[:20]}”")
            remove.append(index)
            index -= 1
            continue
        match = _TRAILING_BYLINE.match(text)
        if match and len(text) <= 64:
            if not facts.unit_text:
                facts.unit_text = match.group(1)
            if not facts.position:
                facts.position = match.group(1)
            facts.notes.append(f"文末“{text[:12]}……”一行已移入作者信息")
            remove.append(index)
            index -= 1
            continue
        stripped = text.strip("（()）")
        found = parse_byline(text, config) if (_ROLE.match(stripped) or labelled_values(stripped)) else None
        if found is None and len(text) <= 30:
            found = _signature(text, config, facts)
        if found is not None:
            _apply_byline(found, facts)
            facts.notes.append(f"文末“{text[:12]}”一行已移入作者信息")
            remove.append(index)
            index -= 1
            continue
        if date_line(text) and not remove and checked == 1:
            # A date under a signature goes with it; a date alone stays.
            previous = next(
                (b for b in reversed(blocks[:index]) if not isinstance(b, Para) or clean(b.full_text)), None
            )
            if isinstance(previous, Para) and _signature(previous.full_text, config, facts):
                facts.dropped.append(f"文末署名下的日期“{text}”")
                remove.append(index)
                index -= 1
                continue
        break
    removed = set(remove)
    kept = [b for i, b in enumerate(blocks) if i not in removed]
    if not facts.author:
        # A news release names its writers in the first line: "本报讯（通讯员 张三 李四）…" — they are the
        # authors; the sentence stays as written.
        first = next((b for b in kept if isinstance(b, Para) and clean(b.full_text)), None)
        match = (
            re.match(r"^.{0,16}讯\s*[（(]([^）)]{2,40})[）)]", clean(first.full_text)) if first is not None else None
        )
        if match:
            found = parse_byline(match.group(1), config)
            if found and "author" in found:
                facts.take("author", found["author"])
                facts.notes.append(f"作者取自导语“{match.group(0)[-24:]}”")
    # A notice's signature (unit, then date) names the unit; it stays in the text.
    if not facts.unit_text:
        tail = [clean(b.full_text) for b in kept[-3:] if isinstance(b, Para) and clean(b.full_text)]
        if len(tail) >= 2 and date_line(tail[-1]) and len(tail[-2]) <= 30 and match_unit(tail[-2], config):
            facts.unit_text = tail[-2]
            facts.notes.append(f"单位取自文末落款“{tail[-2]}”")
    return kept


# ---------------------------------------------------------------- Markdown


def render_body(blocks: Sequence[Block], notes: dict[str, tuple[Para, ...]], facts: _Facts) -> tuple[str, list[str]]:
    out: list[str] = []
    note_numbers: dict[str, int] = {}
    images: list[str] = []
    paras = [b if isinstance(b, Para) else Para(()) for b in blocks]
    levels = heading_levels(paras)
    list_lines: list[str] = []  # the open Markdown list
    list_kind = ""
    last_value: dict[int, int] = {}
    delimiter = "."

    def close_list() -> None:
        nonlocal list_kind, delimiter
        if not list_lines:
            delimiter = "."
        if list_lines:
            out.append("\n".join(list_lines))
            list_lines.clear()
        list_kind = ""
        last_value.clear()

    for block, level in zip(blocks, levels, strict=True):
        if isinstance(block, Table):
            close_list()
            out.append(_table(block, note_numbers, images, facts))
            continue
        text = _inline(block.spans, note_numbers, images)
        if not text.strip() and not has_media(block):
            continue  # an empty paragraph, even one Word shows a number on
        if level:
            close_list()
            out.append("#" * level + " " + _escape(block.label) + _plain_heading(block.spans))
            continue
        kind = block.list_kind
        if kind == "number" and block.list_level in last_value and block.list_value != last_value[block.list_level] + 1:
            if block.list_level == 0:
                # Markdown numbers a list's items one by one: a restart begins a new list, with the
                # other delimiter so that it does not merge with the one before.
                close_list()
                delimiter = ")" if delimiter == "." else "."
            else:
                kind = ""  # keep Word's number as text
        if kind == "number" and block.list_level not in last_value and block.list_level > 0 and list_kind != "number":
            kind = ""
        if kind:
            if list_kind and list_kind != kind and block.list_level == 0:
                close_list()
            if kind == "number":
                marker = f"{block.list_value}{delimiter}"
                last_value[block.list_level] = block.list_value
                for deeper in [k for k in last_value if k > block.list_level]:
                    del last_value[deeper]
            else:
                marker = "-"
            if not list_lines and block.list_level > 0:
                list_lines.append(f"{marker} {text}")
            else:
                list_lines.append("    " * block.list_level + f"{marker} {text}")
            list_kind = list_kind or kind
            continue
        close_list()
        label = _escape(block.label)
        out.append(_escape_block_start(label + text))
    close_list()
    definitions = []
    for key, number in note_numbers.items():
        paras_ = notes.get(key)
        if paras_ is None:
            facts.unconverted.append(f"找不到脚注 {key[1:]} 的内容")
            continue
        text = " ".join(_inline(p.spans, {}, images).strip() for p in paras_ if p.text.strip() or has_media(p))
        definitions.append(f"[^{number}]: {text}")
    if definitions:
        out.append("\n".join(definitions))
    return "\n\n".join(out) + "\n", images


def _plain_heading(spans: Sequence[Span]) -> str:
    text = "".join(s.text for s in spans if s.kind in ("text", "link", "marker")).strip(_SPACE)
    return _escape(text).rstrip("#")


_ESCAPE = re.compile(r"([\\`*_\[\]])")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text).replace("<", "&lt;")


def _escape_block_start(text: str) -> str:
    """A paragraph that Markdown would read as a heading, list, quote or rule stays a paragraph."""
    text = re.sub(r"^(\d+)([.)])(\s)", r"\1\\\2\3", text)
    text = re.sub(r"^([#>+\-=|])", r"\\\1", text)
    return text


def _inline(spans: Sequence[Span], note_numbers: dict[str, int], images: list[str]) -> str:
    # Merge neighbours with the same formatting, then write emphasis around the inner text only.
    merged: list[Span] = []
    for span in spans:
        if (
            merged
            and span.kind == "text"
            and merged[-1].kind == "text"
            and ((merged[-1].bold, merged[-1].italic) == (span.bold, span.italic) or not span.text.strip())
        ):
            merged[-1] = replace(merged[-1], text=merged[-1].text + span.text)
        else:
            merged.append(span)
    parts: list[str] = []
    for span in merged:
        if span.kind == "note":
            number = note_numbers.setdefault(span.ref, len(note_numbers) + 1)
            parts.append(f"[^{number}]")
        elif span.kind == "image":
            if span.ref not in images:
                images.append(span.ref)
            parts.append(f"![{_escape(span.text)}]({{{{image:{span.ref}}}}})")
        elif span.kind == "marker":
            parts.append(span.text)
        elif span.kind == "link":
            parts.append(f"[{_escape(span.text.strip())}]({span.ref.replace(')', '%29').replace(' ', '%20')})")
        else:
            parts.append(_emphasis(span))
    text = "".join(parts).replace("\t", " ")
    return text.strip(_SPACE)


def _emphasis(span: Span) -> str:
    core = span.text.strip(_SPACE)
    if not core or not (span.bold or span.italic):
        return _escape(span.text)
    lead = span.text[: len(span.text) - len(span.text.lstrip(_SPACE))]
    tail = span.text[len(span.text.rstrip(_SPACE)) :]
    mark = "***" if span.bold and span.italic else "**" if span.bold else "*"
    return f"{lead}{mark}{_escape(core)}{mark}{tail}"


def _para_inline(para: Para, note_numbers: dict[str, int], images: list[str]) -> str:
    """A paragraph's text with its Word number ("（三）", "2.", "•") in front, as Word shows it."""
    label = "• " if para.list_kind == "bullet" else para.label
    return _escape(label) + _inline(para.spans, note_numbers, images)


def _table(table: Table, note_numbers: dict[str, int], images: list[str], facts: _Facts) -> str:
    rows = [list(row) for row in table.rows if row]
    width = max((len(r) for r in rows), default=0)
    if width <= 1:  # a one-column "box" around text: its paragraphs are just paragraphs
        return "\n\n".join(
            _escape_block_start(_para_inline(p, note_numbers, images))
            for r in rows
            for c in r
            for p in c.paras
            if p.text.strip() or has_media(p)
        )
    if any(c.repeat for r in rows for c in r):
        facts.unconverted.append("合并单元格（已拆开，请核对表格）")

    def cell(c: Cell) -> str:
        text = "<br>".join(_para_inline(p, note_numbers, images) for p in c.paras if p.text.strip() or has_media(p))
        return text.replace("|", "\\|").replace("\n", " ") or " "

    lines = []
    for i, row in enumerate(rows):
        cells = [cell(c) for c in row] + [" "] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if i == 0:
            lines.append("|" + " --- |" * width)
    return "\n".join(lines)


# ---------------------------------------------------------------- front matter


def _front_matter(
    facts: _Facts, body: str, image_keys: list[str], config: SiteConfig, source_name: str, today: Any
) -> Draft:
    guessed, defaulted, missing = [], [], []
    front: dict[str, Any] = {}
    stem = Path(source_name).stem
    if facts.title:
        front["title"] = facts.title
        guessed.append(f"标题“{facts.title}”（{facts.title_how}）")
    else:
        title = re.sub(r"[_\s]+", " ", re.sub(r"^[\d\s._-]+", "", stem)).strip() or stem
        front["title"] = title
        defaulted.append(f"标题“{title}”（文中找不到标题，取自文件名，请核对）")
    authors = [a for a in re.split(rf"[、，,{_SPACE}]+", facts.author) if a]
    if authors:
        front["author"] = authors[0] if len(authors) == 1 else authors
        guessed.append(f"作者 {'、'.join(authors)}")
    else:
        missing.append("作者（author）")
    unit = match_unit(facts.unit_text, config) if facts.unit_text else None
    where = "文中"
    if unit is None:
        for part in [*re.split(r"[-_—－\s]+", stem), stem]:
            unit = match_unit(part, config) if part else None
            if unit:
                where, facts.unit_text = "文件名", part
                break
    if unit is not None:
        front["unit"] = unit.name
        how = "" if where == "文中" and facts.unit_text == unit.name else f"，由{where}“{facts.unit_text}”判断"
        guessed.append(f"单位 {unit.name}{how}")
    elif facts.unit_text:
        front["unit_note"] = facts.unit_text
        missing.append(
            f"单位（unit）：原文“{facts.unit_text}”不是已登记的单位或别名，已写成注释“{UNIT_NOTE}{facts.unit_text}”"
            "，请改填 site_config.yaml 中登记的单位，或在 unit_groups 里为它加别名"
        )
    else:
        missing.append("单位（unit）")
    position = facts.position
    if where == "文中" and unit is not None and facts.unit_text and facts.unit_text not in (unit.name, *unit.aliases):
        if not position:
            position = facts.unit_text
        elif facts.unit_text not in position and position != facts.unit_text:
            position = facts.unit_text + position
    if position:
        front["position"] = position
        guessed.append(f"职务 {position}")
    category = next((c.name for c in config.categories if facts.category and c.name in facts.category), "")
    if category:
        front["category"] = category
        guessed.append(f"类别 {category}")
    elif config.categories:
        front["category"] = config.categories[0].name
        defaulted.append(f"类别 {config.categories[0].name}（无法从文中判断，请核对）")
    zi = count_zi(render_markdown(re.sub(r"!\[[^\]]*\]\(\{\{image:[^}]*\}\}\)", "", body)).text)
    form = next((f for f in config.forms if facts.form and f.name in facts.form), None)
    if form is not None:
        guessed.append(f"体裁 {form.name}（文中注明；正文 {zi} 字）")
    else:
        fitting = [f for f in sorted(config.forms, key=lambda f: f.max_zi) if zi <= f.max_zi]
        if fitting:
            form = fitting[0]
            guessed.append(f"体裁 {form.name}（正文 {zi} 字，不超过 {form.max_zi} 字）")
        elif config.forms:
            form = max(config.forms, key=lambda f: f.max_zi)
            defaulted.append(f"体裁 {form.name}（正文 {zi} 字，超过所有体裁的上限 {form.max_zi} 字，需删减）")
    if form is not None:
        front["form"] = form.name
    front["date"] = today.isoformat()
    defaulted.append(f"日期 {today.isoformat()}（导入当天，发布前请改为发布日期）")
    front["status"] = "submitted"
    return Draft(
        front,
        body,
        tuple(image_keys),
        tuple(guessed + facts.notes),
        tuple(defaulted),
        tuple(missing),
        tuple(facts.unconverted),
        tuple(facts.dropped),
    )


def render_article(draft: Draft, slug: str, source_name: str, image_names: dict[str, str]) -> str:
    """The article file text: front matter (blank required fields left as commented placeholders) + body."""
    front = draft.front
    lines = ["---", f"{MARKER}{source_name}"]
    placeholders = {
        "author": "# 未能识别作者，请填写，如 author: 张三",
        "unit": "# 未能识别单位，请填写已登记的单位名称或简称，如 unit: 长沙",
    }
    for key in ("title", "author", "position", "unit", "category", "form", "date", "status"):
        value = front.get(key)
        if value is None:
            if key in placeholders:
                lines.append(f"{key}:   {placeholders[key]}")
            if key == "unit" and front.get("unit_note"):
                lines.append(f"{UNIT_NOTE}{front['unit_note']}")
            continue
        if isinstance(value, list):
            lines.append(f"{key}: [" + ", ".join(yaml_value(v) for v in value) + "]")
        elif key == "date":
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {yaml_value(str(value))}")
    lines.append(f"slug: {slug}")
    lines.append("---")
    body = re.sub(r"\{\{image:([^}]*)\}\}", lambda m: image_names.get(m.group(1), m.group(1)), draft.body)
    return "\n".join(lines) + "\n" + body


# ---------------------------------------------------------------- the command


@dataclass(frozen=True)
class Outcome:
    status: str  # "written", "skipped", "failed"
    lines: tuple[str, ...]


def docx_files(paths: Sequence[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(.docx files to import, [(other file, why not)]) from the files and folders given."""
    found: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*"), key=lambda p: p.as_posix()):
                if not child.is_file() or child.name.startswith((".", "~$")):
                    continue
                if child.suffix.lower() == ".docx":
                    found.append(child)
                elif child.suffix.lower() in (".doc", ".wps", ".wpt", ".dot", ".rtf", ".pdf", ".txt", ".odt"):
                    refused.append((child, _not_docx(child)))
        elif not path.exists():
            near = path.with_suffix(".docx") if path.suffix.lower() != ".docx" else None
            hint = f"是否指 {near.name}？" if near is not None and near.is_file() else "请检查路径"
            refused.append((path, f"找不到这个文件或文件夹 — {hint}"))
        elif path.suffix.lower() != ".docx" or path.name.startswith("~$"):
            refused.append((path, _not_docx(path)))
        else:
            found.append(path)
    return found, refused


def _not_docx(path: Path) -> str:
    if path.name.startswith("~$"):
        return "这是 Word 打开文件时留下的临时文件，不是稿件 — 可以忽略"
    sniffed = sniff_container(path) if path.is_file() else None
    if sniffed:
        return sniffed
    if path.suffix.lower() in (".doc", ".wps", ".wpt", ".dot"):
        return OLD_FORMAT.format(ext=path.suffix.lower())
    kind = {".pdf": "PDF", ".rtf": "RTF 格式", ".odt": "OpenDocument 格式（.odt）", ".txt": "纯文本"}
    what = kind.get(path.suffix.lower(), f"“{path.suffix or '无扩展名'}”文件")
    return f"这是{what}，不能直接导入 — " + SAVE_AS


def import_slug(title: str) -> str:
    """A slug from a title: pinyin for Chinese, words for Latin text ('Annual_Report-2026' →
    annual-report-2026), at most 60 characters, always cut between whole syllables or words."""
    words: list[str] = []
    for chunk in re.findall(r"[\u3400-\u9fff]+|[A-Za-z0-9]+", title):
        if re.match(r"[\u3400-\u9fff]", chunk):
            try:
                from pypinyin import lazy_pinyin
            except ImportError:  # pragma: no cover - pypinyin is a declared dependency
                continue
            words.extend(re.sub(r"[^a-z0-9]", "", w.lower()) for w in lazy_pinyin(chunk))
        else:
            words.extend(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", chunk))
    slug = ""
    for word in filter(None, words):
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 60:
            break
        slug = candidate
    return slug or "article"


def import_one(path: Path, options: BuildOptions, config: SiteConfig) -> Outcome:
    name = path.name
    try:
        doc = read_docx(path)
        draft = build_draft(doc, config, name, options.today)
    except ImportFailure as exc:
        return Outcome("failed", (f"{name}: {exc}",))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as exc:
        # A file built in a way no rule expected must not stop the other files of the batch.
        return Outcome(
            "failed",
            (
                f"{name}: 无法转换这个文件（{type(exc).__name__}） — 请用 Word 或 WPS 打开后另存为新的 .docx 再导入；"
                "仍不行时请把文件交给维护人员",
            ),
        )
    year_dir = options.root / "content" / "articles" / draft.front["date"][:4]
    base_slug = import_slug(draft.front["title"])
    slug, previous = _free_slug(year_dir, options.root, base_slug, name)
    if previous is not None:
        rel = previous.relative_to(options.root).as_posix()
        return Outcome("skipped", (f"{name}: 已导入过（{rel}），跳过，原文件未改动",))
    image_names = {}
    for number, key in enumerate(draft.images, 1):
        image_names[key] = f"{slug}-{number}.{doc.images[key].ext}"
    target = year_dir / f"{slug}.md"
    rel = target.relative_to(options.root).as_posix()
    text = render_article(draft, slug, name, image_names)
    year_dir.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        return Outcome("failed", (f"{name}: {rel} 已存在，没有覆盖 — 请稍后重试",))
    lines = [f"{name} → {rel}"]
    for key, image_name in image_names.items():
        image_path = year_dir / image_name
        if image_path.exists():
            lines.append(f"  图片 {image_name} 已存在，保留原图")
            continue
        image_path.write_bytes(doc.images[key].data)
        if doc.images[key].ext in ("emf", "wmf", "tif", "tiff"):
            draft = replace(
                draft,
                unconverted=(
                    *draft.unconverted,
                    f"图片 {image_name} 是浏览器不能显示的格式，请另存为 PNG 或 JPG 后替换",
                ),
            )
    if draft.guessed:
        lines.append("  识别：" + "；".join(draft.guessed))
    if draft.defaulted:
        lines.append("  默认：" + "；".join(draft.defaulted))
    if draft.missing:
        lines.append("  未能识别：" + "；".join(draft.missing) + " — 已留空，请在文件中填写")
    if image_names:
        lines.append(f"  图片：{len(image_names)} 张，已复制到 {year_dir.relative_to(options.root).as_posix()}/")
    if draft.dropped:
        lines.append("  未导入：" + "；".join(draft.dropped))
    if draft.unconverted:
        lines.append("  未能转换：" + "；".join(draft.unconverted))
    lines.extend(_remaining_problems(rel, text, config, slug))
    return Outcome("written", tuple(lines))


def _free_slug(year_dir: Path, root: Path, base: str, source_name: str) -> tuple[str, Path | None]:
    """A slug not used by any article, or the file this same source was imported to before."""
    articles = root / "content" / "articles"
    for n in range(1, 1000):
        slug = base if n == 1 else f"{base}-{n}"
        taken = sorted(articles.rglob(f"{slug}.md")) if articles.is_dir() else []
        if not taken:
            return slug, None
        for existing in taken:
            head = existing.read_text("utf-8", errors="replace")[:2000]
            if f"{MARKER}{source_name}\n" in head:
                return slug, existing
    raise ImportFailure("找不到可用的网址名")  # pragma: no cover


def _remaining_problems(rel: str, text: str, config: SiteConfig, slug: str) -> list[str]:
    source, errors = split_front_matter(rel, text)
    if source is not None:
        _, errors = validate_article(source, config, slug)
    return [f"  check 会报告：{e.format()}" for e in errors]


def run_import(options: BuildOptions, paths: Sequence[Path], *, out: Callable[[str], None] | None = None) -> int:
    """Import every .docx named or found in the folders; 0 when all went in, 1 when any failed."""
    say = out or (lambda text: sys.stdout.write(text + "\n"))
    try:
        config = load_config(options.root)
    except ContentErrors as exc:
        for error in exc.errors:
            sys.stderr.write(error.format() + "\n")
        return 1
    files, refused = docx_files([p if p.is_absolute() else Path.cwd() / p for p in paths])
    counts = {"written": 0, "skipped": 0, "failed": 0}
    for path in files:
        outcome = import_one(path, options, config)
        counts[outcome.status] += 1
        for line in outcome.lines:
            if outcome.status == "failed":
                sys.stderr.write(line + "\n")
            else:
                say(line)
    for path, why in refused:
        if path.name.startswith("~$"):
            continue
        counts["failed"] += 1
        sys.stderr.write(f"{path.name}: {why}\n")
    total = sum(counts.values())
    if total == 0:
        sys.stderr.write("没有找到 .docx 文件 — 请给出 Word 文件或装有 Word 文件的文件夹\n")
        return 1
    say(
        f"共 {total} 个文件：导入 {counts['written']} 篇，跳过 {counts['skipped']} 篇（已导入过），"
        f"失败 {counts['failed']} 个。"
        + ("下一步：打开新文件核对标题、作者、单位、类别，再运行 python build.py check。" if counts["written"] else "")
    )
    return 1 if counts["failed"] else 0
