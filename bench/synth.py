"""Deterministic synthetic corpora for the benchmark: N articles over the configured dimensions.

Bodies are built from Chinese sentence fragments, with sub-headings and lists, and sized
inside each form's limit (average about 1,200 字 over the three Hunan forms).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from xindelu.content.config import SiteConfig, load_config
from xindelu.core.wordcount import count_zi

SUBJECTS = ["党员干部", "基层支部", "理论宣讲员", "中心组成员", "驻村工作队", "青年干部", "社区书记", "机关党员"]
VERBS = ["深入学习", "认真研读", "联系实际思考", "带着问题调研", "反复体会", "结合岗位践行", "集中研讨", "分享交流"]
OBJECTS = [
    "讲话精神",
    "党的创新理论",
    "调查研究的方法",
    "群众路线的要求",
    "乡村振兴的部署",
    "基层治理的经验",
    "作风建设的规定",
    "改革发展的任务",
]
TAILS = [
    "，把学习成果转化为推动工作的实际行动。",
    "，在解决群众急难愁盼问题中检验学习成效。",
    "，做到学思用贯通、知信行统一。",
    "，切实增强了干事创业的本领。",
    "，形成了一批可复制可推广的做法。",
    "，2026年共开展活动120余场。",
]
TAGS = ["调查研究", "基层治理", "乡村振兴", "理论宣讲", "作风建设", "党史学习", "青年工作", "数字赋能"]


def sentence(rng: random.Random) -> str:
    return rng.choice(SUBJECTS) + rng.choice(VERBS) + rng.choice(OBJECTS) + rng.choice(TAILS)


def body_of(rng: random.Random, target: int) -> str:
    parts: list[str] = []
    size = 0
    section = 0
    numerals = "一二三四五六七八九十"
    while size < target:  # the first paragraph may overshoot a small target; forms leave room
        if target > 600 and size >= section * 700:
            heading = f"## {numerals[section % 10]}、{rng.choice(VERBS)}{rng.choice(OBJECTS)}"
            parts.append(heading)
            size += count_zi(heading)
            section += 1
        paragraph = "".join(sentence(rng) for _ in range(rng.randint(2, 5)))
        if size + count_zi(paragraph) > target and size > 0:
            break
        parts.append(paragraph)
        size += count_zi(paragraph)
    return "\n\n".join(parts) + "\n"


def write_corpus(root: Path, count: int, seed: int = 2026, config: SiteConfig | None = None) -> Path:
    """A site at ``root`` with ``count`` approved articles (config and layouts from the repo)."""
    repo = Path(__file__).resolve().parent.parent
    config = config or load_config(repo)
    if root.exists():
        shutil.rmtree(root)
    (root / "content" / "articles").mkdir(parents=True)
    shutil.copy(repo / "site_config.yaml", root / "site_config.yaml")
    rng = random.Random(seed)
    units = config.units
    start = dt.date(2026, 1, 1)
    for i in range(count):
        form = config.forms[i % len(config.forms)]
        target = rng.randint(int(form.max_zi * 0.25), int(form.max_zi * 0.85))
        date = start + dt.timedelta(days=rng.randrange(300))
        tags = rng.sample(TAGS, 2)
        text = (
            "---\n"
            f"title: {rng.choice(VERBS)}{rng.choice(OBJECTS)}的体会之{i}\n"
            f"author: 作者{i % 997}\n"
            f"unit: {rng.choice(units).name}\n"
            f"category: {rng.choice(config.categories).name}\n"
            f"form: {form.name}\n"
            f"date: {date.isoformat()}\n"
            "status: approved\n"
            f"tags: [{', '.join(tags)}]\n"
            "---\n" + body_of(rng, target)
        )
        folder = root / "content" / "articles" / f"{date.month:02d}"
        folder.mkdir(exist_ok=True)
        (folder / f"a{i:05d}.md").write_text(text, encoding="utf-8")
    return root


if __name__ == "__main__":
    import sys

    write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
