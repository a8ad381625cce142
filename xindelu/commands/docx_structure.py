"""What the paragraphs of a submission are: cover, statement, TOC, title, byline, headings.

Pure functions over the reader's plain data (docx_reader.Para / Table). Chinese offices format
by hand, so the rules read what a person sees: a page-broken block of short lines before the
text is a cover; the first prominent line (larger, bold, centred, a Title/Heading style or an
outline level) after it is the title; short lines naming people and units next to the title
are the byline; typed numbers (一、 （一） 1.1 第一章 第一条) give the heading hierarchy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xindelu.commands.docx_reader import Block, Para, Table, flatten, has_media

SPACE = " \t\u3000\u00a0"
_SPACES = re.compile(rf"[{SPACE}]+")


def clean(text: str) -> str:
    return text.strip(SPACE)


def squeeze(text: str) -> str:
    return _SPACES.sub("", text)


# ---------------------------------------------------------------- headings


_CN = "一二三四五六七八九十百零〇"
HEADING_KINDS: tuple[tuple[str, re.Pattern[str], float, bool], ...] = (
    # kind, pattern, rank (lower is higher in the hierarchy), needs bold or a heading style
    ("chapter", re.compile(rf"^第[{_CN}\d]+[章编篇](?:[{SPACE}]|$|\S)"), 0, False),
    ("part", re.compile(rf"^第[{_CN}\d]+部分"), 0.5, False),
    ("section", re.compile(rf"^第[{_CN}\d]+节"), 1, False),
    ("article", re.compile(rf"^第[{_CN}\d]+条"), 2, False),
    ("cn", re.compile(rf"^[{_CN}]{{1,5}}[、．.]"), 3, False),
    ("paren_cn", re.compile(rf"^[（(][{_CN}]{{1,5}}[）)]"), 4, False),
    ("dec4", re.compile(r"^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}[.．]\d{1,2}(?![.．]?\d)"), 8, False),
    ("dec3", re.compile(r"^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}(?![.．]?\d)"), 7, False),
    (
        "dec2",
        re.compile(r"^\d{1,2}[.．]\d{1,2}(?![.．]?\d)(?![%％万亿千百元人个倍米吨岁年月日次项家户名位])"),
        6,
        False,
    ),
    ("dec1", re.compile(rf"^\d{{1,2}}(?:[、．.](?!\d)|[{SPACE}]+(?=[\u4e00-\u9fff]))"), 5, True),
    ("paren_dec", re.compile(r"^[（(]\d{1,2}[）)]"), 9, True),
    ("circled", re.compile(r"^[①-⑳]"), 10, True),
)


def heading_kind(text: str) -> tuple[str, float, bool] | None:
    for kind, pattern, rank, needs_bold in HEADING_KINDS:
        if pattern.match(text):
            return kind, rank, needs_bold
    return None


def is_sentence(text: str, limit: int = 40) -> bool:
    """A numbered paragraph that is a sentence stays a paragraph or list item, never a heading."""
    text = clean(text)
    return len(text) > limit or text.endswith(("。", "；", ";", "，", ",", "：", ":", "！", "？", "…")) or "。" in text


def heading_levels(paras: Sequence[Para]) -> list[int]:
    """Markdown heading level (2–6) per paragraph, 0 for none; levels follow the hierarchy and never skip."""
    stack: list[tuple[str, float]] = []
    levels: list[int] = []
    for para in paras:
        kind = _heading_candidate(para)
        if kind is None:
            levels.append(0)
            continue
        names = [k for k, _ in stack]
        if kind[0] in names:
            del stack[names.index(kind[0]) + 1 :]
        else:
            while stack and stack[-1][1] >= kind[1]:
                stack.pop()
            stack.append(kind)
        levels.append(min(len(stack) + 1, 6))
    return levels


def _heading_candidate(para: Para) -> tuple[str, float] | None:
    text = clean(para.full_text)
    if not text or para.box:
        return None
    kind = heading_kind(text)
    if (
        squeeze(text).upper() in GENERIC_HEADS
        and len(squeeze(text)) <= 8
        and (para.all_bold or para.centred or para.heading)
    ):
        return "generic", 0
    if para.heading and not para.list_kind:
        if len(text) > 80 or text.endswith("。"):
            return None
        if kind is not None:
            return kind[0], kind[1]
        return f"style{para.heading}", para.heading - 0.5
    if kind is None or (para.list_kind and not para.all_bold):
        return None
    name, rank, needs_bold = kind
    if is_sentence(text, 60 if para.all_bold else 40):
        return None
    if needs_bold and not para.all_bold:
        return None
    return name, rank


# ---------------------------------------------------------------- labels, kickers, fields

LETTER_SPACED = re.compile(rf"^(?:[\u4e00-\u9fff][{SPACE}]+){{2,}}[\u4e00-\u9fff]$")
_LABEL_ONLY = re.compile(
    rf"^(?:附\s*件\s*[{_CN}\d]*[:：]?|附\s*[:：]|【[^】]{{1,20}}】|\[[^\]]{{1,20}}\]|"
    r".{0,30}〔\d{4}〕\d+\s*号|.{0,30}[\[［(（]\d{4}[\]］)）]\d+\s*号|"
    r"(?:特急|加急|急件|平急|特提|秘密|机密|绝密|内部|内部资料|公开)(?:[★☆·\s].*)?|"
    r"签发人[:：].*|.{2,30}文件)$"
)
_LEADING_LABEL = re.compile(rf"^(?:【[^】]{{1,12}}】|附\s*件\s*[{_CN}\d]+[:：]?[{SPACE}]*)")
COVER_FIELDS = (
    "学号", "姓名", "学生姓名", "作者姓名", "指导教师", "指导老师", "导师", "学院", "院系", "系别", "所在学院",
    "专业", "专业班级", "班级", "年级", "分类号", "密级", "UDC", "学校代码", "编号", "单位代码", "学位类别",
    "申请学位", "论文题目", "题目", "课题名称", "提交日期", "答辩日期", "完成日期", "日期", "届别", "课程",
    "课程名称", "任课教师", "成绩", "学科专业", "研究方向", "报告人", "汇报人", "部门", "单位", "职务", "时间",
    "标题", "作者", "文章标题", "作品名称", "作者单位", "工作单位",
)  # fmt: skip
TITLE_FIELDS = ("题目", "论文题目", "课题名称", "标题", "文章标题", "作品名称")
_FIELD = re.compile(r"^([^\s:：，。；]{1,8}?)\s*[:：]\s*(.*)$")
GENERIC_HEADS = frozenset(
    [
        "摘要",
        "ABSTRACT",
        "目录",
        "前言",
        "引言",
        "绪论",
        "序言",
        "序",
        "内容摘要",
        "内容提要",
        "提要",
        "正文",
        "附录",
        "致谢",
        "参考文献",
        "说明",
        "关键词",
    ]
)
_STATEMENT = re.compile(
    r"(?:独创性|原创性)声明|版权使用授权|使用授权书|授权使用说明|本人郑重声明|学术诚信(?:承诺|声明)"
)
_TOC_LINE = re.compile(rf"^.{{2,60}}?(?:[.．·…\-_]{{3,}}|[{SPACE}]{{2,}}|\t)\s*(?:\d+|[IVXLivxl]+)$")
_DATE = r"(?:\d{4}|二[〇○零][一二三四五六七八九〇○零]{2})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?"
_DATE_LINE = re.compile(rf"^(?:{_DATE}|[（(]\s*{_DATE}\s*(?:[，,、\s].{{0,20}})?[）)])$")
_SPEECH_LINE = re.compile(
    r"^[（(]?在.{2,40}(?:上|中|时)的(?:讲话|发言|报告|致辞|主持词|讲话提纲|党课|辅导报告)(?:提纲)?[）)]?$"
)
SALUTATION = re.compile(r"[:：]$")
# Lines above a title that name the school or the kind of paper rather than the piece.
_KICKER = re.compile(
    r"^.{0,16}(?:大学|学院|学校|党校|研究生院)$|^.{0,12}(?:毕业论文|学位论文|课程论文|毕业设计|开题报告|实习报告|课程作业)(?:[（(]设计[）)])?$"
)


def cover_field(text: str) -> tuple[str, str] | None:
    """('题目', '…') for a cover field line such as '指导教师：王某' or '学  号：2026001'."""
    match = _FIELD.match(squeeze(text)) if len(text) <= 60 else None
    if match is None:
        plain = squeeze(text)
        for name in COVER_FIELDS:
            if (
                plain.startswith(name)
                and len(plain) > len(name)
                and len(text) <= 40
                and re.match(rf"^{name[0]}[{SPACE}]*{name[1:]}", clean(text))
                and (len(name) >= 3 or re.search(rf"[{SPACE}_]", text))
            ):
                return name, plain[len(name) :].strip("_")
        return None
    label = match.group(1)
    if label in COVER_FIELDS or any(label.endswith(n) for n in COVER_FIELDS if len(n) >= 2):
        return label, match.group(2).strip("_ ")
    return None


def is_label_line(text: str) -> bool:
    return bool(_LABEL_ONLY.match(clean(text)))


def strip_leading_label(text: str) -> str:
    return _LEADING_LABEL.sub("", text).strip(SPACE)


def title_like(text: str, limit: int = 60) -> bool:
    text = clean(text)
    return (
        0 < len(text) <= limit
        and "。" not in text[:-1]
        and not text.endswith(("。", "；", "，", "：", ":", ",", ";"))
        and not _DATE_LINE.match(text)
    )


# ---------------------------------------------------------------- cover, statement, TOC


@dataclass
class Front:
    """The result of reading the top of a document."""

    title: str = ""
    title_how: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)  # (label, value) from a cover
    cover_paras: list[Para] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # dropped things, one line each
    before_title: list[Para] = field(default_factory=list)
    skip_to: int = 0  # blocks before this index were a cover table, read into fields


def _prose(text: str) -> bool:
    return len(text) > 40 or (len(text) > 15 and text.endswith(("。", "！", "？", "；")))


def _page_paras(page: Sequence[Block]) -> list[Para]:
    return [p for b in page for p in flatten(b) if clean(p.full_text) or has_media(p)]


def _is_cover(page: Sequence[Block]) -> bool:
    paras = _page_paras(page)
    texts = [clean(p.full_text) for p in paras]
    if any(has_media(p) and not any(s.kind == "image" for s in p.spans) for p in paras):
        return False
    if any(len(t) > 60 or ("。" in t and len(t) > 20) for t in texts):
        return False
    fields = sum(1 for t in texts if cover_field(t))
    has_table = any(isinstance(b, Table) for b in page)
    return len(texts) <= 30 and (fields >= 1 or has_table or all(len(t) <= 40 for t in texts))


def shown_lines(texts: Sequence[str]) -> str:
    """'“工 程 概 论 论 文”“题目：…”等' — the first lines of what was dropped, for the summary."""
    if len(texts) >= 4 and all(len(t) == 1 for t in texts[:4]):
        texts = ["".join(t for t in texts if len(t) == 1)]
    shown = "".join(f"“{t[:16]}”" for t in texts[:2])
    return shown + ("等" if len(texts) > 2 else "")


def _is_toc_page(page: Sequence[Block]) -> bool:
    paras = [p for p in _page_paras(page) if clean(p.text)]
    if not paras:
        return False
    if all(p.toc for p in paras):
        return True
    head = squeeze(paras[0].full_text)
    rest = paras[1:]
    return head in ("目录", "目次", "CONTENTS", "Contents") and sum(
        1 for p in rest if p.toc or _TOC_LINE.match(clean(p.full_text))
    ) >= max(1, len(rest) // 2)


def strip_front(blocks: Sequence[Block], front: Front) -> list[Block]:
    """Drop covers, originality statements and TOC pages before the text; TOC entries anywhere."""
    pages: list[list[Block]] = [[]]
    for block in blocks:
        if block.break_before and pages[-1]:
            pages.append([])
        pages[-1].append(block)
    kept_from = 0
    for index, page in enumerate(pages[:-1]):
        paras = _page_paras(page)
        rest_has_text = any(
            _prose(clean(p.full_text)) for later in pages[index + 1 :] for b in later for p in flatten(b)
        )
        if not rest_has_text:
            break
        texts = [clean(p.full_text) for p in paras]
        if not texts:
            kept_from = index + 1
            continue
        if any(_STATEMENT.search(t) for t in texts[:3]) or any(_STATEMENT.search(t) for t in texts if len(t) < 30):
            front.notes.append(f"原创性声明、授权书等 {len(texts)} 行（“{texts[0][:16]}”）")
        elif _is_toc_page(page):
            if not all(p.toc for p in paras if clean(p.text)):  # a TOC field was counted by the reader
                front.notes.append(f"目录页 {len(texts)} 行")
        elif _is_cover(page):
            front.cover_paras.extend(paras)
            for text in texts:
                pair = cover_field(text)
                if pair:
                    front.fields.append(pair)
            for block in page:
                if isinstance(block, Table):
                    front.fields.extend(table_fields(block))
            front.notes.append(f"封面 {len(texts)} 行（{shown_lines(texts)}）")
        else:
            break
        kept_from = index + 1
    rest = [b for page in pages[kept_from:] for b in page]
    return _drop_toc(rest, front)


def _drop_toc(blocks: list[Block], front: Front) -> list[Block]:
    out: list[Block] = []
    typed = 0
    field_entries = 0
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Para):
            if block.toc and len(clean(block.full_text)) <= 100:  # a long paragraph is text, even in a broken field
                field_entries += 1
                i += 1
                continue
            head = squeeze(block.full_text)
            if head in ("目录", "目次") and i + 1 < len(blocks):
                j = i + 1
                entries = 0
                while j < len(blocks) and isinstance(blocks[j], Para):
                    text = clean(blocks[j].full_text)  # type: ignore[union-attr]
                    if blocks[j].toc or _TOC_LINE.match(text):  # type: ignore[union-attr]
                        entries += 1
                    elif text:
                        break
                    j += 1
                if entries >= 2 or (
                    j > i + 1 and all(isinstance(b, Para) and b.toc for b in blocks[i + 1 : j] if clean(b.full_text))
                ):  # type: ignore[union-attr]
                    typed += entries if not all(isinstance(b, Para) and b.toc for b in blocks[i + 1 : j]) else 0
                    i = j
                    continue
        out.append(block)
        i += 1
    if typed:
        front.notes.append(f"目录 {typed} 行（手工输入的目录）")
    return out


def table_fields(table: Table) -> list[tuple[str, str]]:
    """Label/value pairs from a cover laid out as a table (Pages, Tencent Docs, WPS templates)."""
    pairs = []
    for row in table.rows:
        cells = [c for c in row if not c.repeat]
        for i, cell in enumerate(cells):
            text = clean(cell.text)
            pair = cover_field(text)
            if pair and pair[1]:
                pairs.append(pair)
                continue
            label = squeeze(text).rstrip(":：")
            if label in COVER_FIELDS and i + 1 < len(cells):
                pairs.append((label, clean(cells[i + 1].text).replace("\n", "")))
    return pairs


def is_cover_table(table: Table) -> bool:
    cells = [c for row in table.rows for c in row if not c.repeat and clean(c.text)]
    if not cells:
        return True
    if any(len(clean(c.text)) > 60 for c in cells):
        return False
    return bool(table_fields(table)) or len(cells) <= 6


# ---------------------------------------------------------------- title


def body_size(blocks: Sequence[Block]) -> float:
    sizes = sorted(b.size for b in blocks if isinstance(b, Para) and b.size and len(clean(b.text)) > 20)
    if not sizes:
        sizes = sorted(b.size for b in blocks if isinstance(b, Para) and b.size and clean(b.text))
    return sizes[len(sizes) // 2] if sizes else 0.0


def prominence(para: Para, base: float) -> list[str]:
    reasons = []
    if para.title_style:
        reasons.append("“标题”样式")
    if para.heading in (1, 2) and not para.title_style:
        reasons.append("标题样式或大纲级别")
    if para.centred:
        reasons.append("居中")
    if base and para.size >= base + 1.5:
        reasons.append("字号较大")
    if para.all_bold:
        reasons.append("加粗")
    return reasons


def find_title(blocks: list[Block], front: Front, is_byline: Callable[[Para], bool]) -> tuple[int, int]:
    """Find the title among the first lines; (index of the title block, index after title lines), or (-1, 0)."""
    base = body_size(blocks)
    fallback = -1
    i = 0
    nonempty = 0
    while i < len(blocks) and nonempty < 14:
        block = blocks[i]
        if isinstance(block, Table):
            if is_cover_table(block):
                front.fields.extend(table_fields(block))
                front.cover_paras.extend(p for p in flatten(block) if clean(p.full_text))
                texts = [clean(p.full_text) for p in flatten(block) if clean(p.full_text)]
                if texts:
                    front.notes.append(f"封面表格 {len(texts)} 格（{shown_lines(texts)}）")
                i += 1
                front.skip_to = i
                continue
            break
        text = clean(block.full_text)
        if not text:
            i += 1
            continue
        nonempty += 1
        if block.box:
            i += 1
            continue
        if is_label_line(text):
            front.notes.append(f"标签“{text[:20]}”")
            i += 1
            continue
        pair = cover_field(text)
        if pair:
            if pair[0] in TITLE_FIELDS and pair[1]:
                front.title, front.title_how = pair[1], f"“{pair[0]}”一栏"
                return i, i + 1
            front.fields.append(pair)
            front.before_title.append(block)
            i += 1
            continue
        if len(text) == 1:
            # A cover set one character per line ("述" "职" "报" "告"): one line, then as a kicker.
            run_end = i + 1
            chars = [text]
            while run_end < len(blocks) and isinstance(blocks[run_end], Para):
                more = clean(blocks[run_end].full_text)  # type: ignore[union-attr]
                if len(more) > 1:
                    break
                chars.append(more)
                run_end += 1
            if len(chars) >= 2:
                joined = "".join(chars)
                if _next_prominent(blocks, run_end, base, is_byline) is not None:
                    front.notes.append(f"标题上方一字一行的题头“{joined}”")
                    i = run_end
                    continue
                front.title, front.title_how = joined, "首行（一字一行）"
                return i, run_end
        if LETTER_SPACED.match(text) or _KICKER.search(squeeze(text)):
            later = _next_prominent(blocks, i + 1, base, is_byline)
            if later is not None:
                front.notes.append(f"标题上方的题头“{text}”")
                i += 1
                continue
            if LETTER_SPACED.match(text):
                front.title, front.title_how = squeeze(text), "首行（字距拉开）"
                return i, _title_end(blocks, i, front, is_byline, base)
        if heading_kind(text) or is_sentence(text, 60) or SALUTATION.search(text):
            break
        reasons = prominence(block, base)
        if reasons and title_like(text) and not is_byline(block) and squeeze(text).upper() not in GENERIC_HEADS:
            front.title = strip_leading_label(text)
            front.title_how = ("首行" if nonempty == 1 else "开头的") + "、".join(reasons)
            return i, _title_end(blocks, i, front, is_byline, base)
        if (
            fallback < 0
            and title_like(text, 40)
            and not is_byline(block)
            and squeeze(text).upper() not in GENERIC_HEADS
        ):
            fallback = i
        front.before_title.append(block)
        i += 1
    if fallback >= 0:
        text = clean(blocks[fallback].full_text)  # type: ignore[union-attr]
        front.title, front.title_how = strip_leading_label(text), "第一行短句，未设格式"
        front.before_title = [b for b in front.before_title if b is not blocks[fallback]]
        return fallback, _title_end(blocks, fallback, front, is_byline, base)
    return -1, 0


def _next_prominent(blocks: Sequence[Block], start: int, base: float, is_byline: Callable[[Para], bool]) -> int | None:
    seen = 0
    for j in range(start, len(blocks)):
        block = blocks[j]
        if not isinstance(block, Para) or not clean(block.full_text):
            continue
        seen += 1
        if seen > 4:
            return None
        text = clean(block.full_text)
        if prominence(block, base) and title_like(text) and not is_byline(block) and not is_label_line(text):
            return j
    return None


def _same_look(a: Para, b: Para) -> bool:
    return (
        a.centred == b.centred
        and a.all_bold == b.all_bold
        and abs(a.size - b.size) < 0.6
        and a.title_style == b.title_style
    )


def _title_end(
    blocks: Sequence[Block], index: int, front: Front, is_byline: Callable[[Para], bool], base: float
) -> int:
    """Merge a title's second line and a "——" subtitle; the index after the title lines."""
    first = blocks[index]
    assert isinstance(first, Para)
    j = index + 1
    merged = 1
    while j < len(blocks) and isinstance(blocks[j], Para):
        para = blocks[j]
        assert isinstance(para, Para)
        text = clean(para.full_text)
        if not text:
            if para.soft:
                j += 1
                continue
            break
        if para.style.lower() in ("subtitle", "副标题") and title_like(text, 80):
            front.title += "——" + text.lstrip("—-－ ")
            j += 1
            continue
        if _SPEECH_LINE.match(text) and not text.startswith(("—", "-", "－", "─")):
            front.title += "——" + text.strip("（()）")
            j += 1
            continue
        if text.startswith(("——", "—", "--", "－－", "──", "─")):
            subtitle = text.lstrip("—-－─ ")
            if subtitle and title_like(subtitle, 80):
                front.title += "——" + subtitle
                j += 1
                continue
            break
        if re.fullmatch(r"[（(][^（）()]{2,10}稿[）)]", text):  # （征求意见稿） belongs to the title
            front.title += text
            j += 1
            continue
        if merged >= 3 or is_byline(para) or not title_like(text) or len(front.title) + len(text) > 64:
            break
        if heading_kind(text) or is_label_line(text):
            break
        if para.soft or (_same_look(first, para) and prominence(para, base)):
            front.title += text
            merged += 1
            j += 1
            continue
        break
    return j


def date_line(text: str) -> bool:
    return bool(_DATE_LINE.match(clean(text)))


def generic_head(text: str) -> bool:
    return squeeze(text).upper() in GENERIC_HEADS


def cover_title(front: Front, base: float) -> str:
    """The title on a dropped cover: its 题目 field, or its most prominent line that is not a label."""
    for label, value in front.fields:
        if label in TITLE_FIELDS and value:
            return value
    best = None
    lines: list[tuple[Para, str]] = []
    run: list[Para] = []
    for para in front.cover_paras:  # a cover set one character per line is one line
        text = clean(para.full_text)
        if len(text) == 1:
            run.append(para)
            continue
        if run:
            lines.append((run[0], "".join(clean(p.full_text) for p in run)))
            run = []
        lines.append((para, text))
    if run:
        lines.append((run[0], "".join(clean(p.full_text) for p in run)))
    for para, text in lines:
        if cover_field(text) or is_label_line(text) or not title_like(text) or date_line(text):
            continue
        if squeeze(text).rstrip(":：") in COVER_FIELDS:
            continue
        if LETTER_SPACED.match(text) or re.search(
            r"(?:大学|学院|学校|论文|设计|报告书|开题报告|作业|试卷)$", squeeze(text)
        ):
            continue
        score = (para.size, para.all_bold, para.centred)
        if best is None or score > best[0]:
            best = (score, text)
    return best[1] if best else ""
