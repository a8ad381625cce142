"""site_config.yaml → typed records; unknown keys and bad values are errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import CONTEST_SITE, REPO

from xindelu.content.config import SiteConfig, load_config
from xindelu.core.errors import ContentErrors


def test_example_config_loads_into_frozen_records():
    config = load_config(REPO)
    assert isinstance(config, SiteConfig)
    assert config.site.language == "zh-CN"
    groups = {g.name: g for g in config.unit_groups}
    assert len(groups["市州"].units) == 14
    assert {"省直机关工委", "省委教育工委", "省国资委"} <= {u.name for u in groups["省直单位"].units}
    assert [c.name for c in config.categories] == ["学而思", "学而信", "学而用", "学而行"]
    assert {f.name: f.max_zi for f in config.forms} == {"微心得": 500, "体会文章": 2000, "实践案例": 3000}
    assert [o.name for o in config.outlets] == ["微心得专报", "湖南日报", "新湘评论", "红网", "华声在线"]
    lookup = config.unit_lookup()
    assert lookup["长沙"].name == "长沙市"
    assert lookup["湘西州"].name == "湘西土家族苗族自治州"
    assert lookup["湘西州"].group == "市州"
    with pytest.raises(AttributeError):
        config.site.title = "x"  # type: ignore[misc]


def test_contest_config_has_its_own_dimensions():
    config = load_config(CONTEST_SITE)
    assert [d.key for d in config.dimensions] == ["stage", "award"]
    assert [v.name for v in config.dimensions[0].values] == ["初赛", "复赛", "决赛"]


def _write(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load((REPO / "site_config.yaml").read_text("utf-8"))
    mutate(data)
    (tmp_path / "site_config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return tmp_path


def messages(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as info:
        load_config(root)
    return [e.format() for e in info.value.errors]


def test_unknown_key_is_an_error_with_its_line(tmp_path):
    root = _write(tmp_path, lambda d: d["site"].update(page_sise=10))
    found = messages(root)
    assert len(found) == 1
    line = (root / "site_config.yaml").read_text("utf-8").split("\n").index("  page_sise: 10") + 1
    assert found[0] == f"site_config.yaml:{line}: 未知的配置项“site.page_sise” — 是否指“page_size”？"


def test_wrong_type_and_missing_item(tmp_path):
    def mutate(d):
        d["forms"][0]["max_zi"] = "五百"
        del d["categories"][0]["slug"]

    found = messages(_write(tmp_path, mutate))
    assert any("“forms[1].max_zi”应是整数，现在是“五百”" in m for m in found)
    assert any("缺少配置项“categories[1].slug”" in m for m in found)


def test_alias_pointing_to_two_units_is_an_error(tmp_path):
    root = _write(tmp_path, lambda d: d["unit_groups"][0]["units"][1]["aliases"].append("长沙"))
    assert any("单位名称或别名“长沙”重复" in m for m in messages(root))


def test_missing_config_is_explained(tmp_path):
    assert messages(tmp_path)[0].startswith("site_config.yaml: 找不到站点配置文件")


def test_quota_ranked_private_and_bulletin_outlet_are_typed_and_checked(tmp_path):
    ranked = messages(_write(tmp_path, lambda d: d["dimensions"][0].update(ranked="yes")))
    assert any("“dimensions[1].ranked”应是true 或 false" in m for m in ranked), ranked

    def mutate(d):
        d["dimensions"][0]["values"][0]["max"] = -1
        d["private"] = [{"key": "title", "label": "标题"}, {"key": "phone", "label": "电话", "pattern": "1[3-9"}]
        d["bulletin"]["outlet"] = "人民日报"

    found = messages(_write(tmp_path, mutate))
    assert any("名额 max 不能是负数" in m for m in found)
    assert any("不公开字段“title”与文章字段或维度重名" in m for m in found)
    assert any("“phone”的格式 pattern 不是有效的正则表达式" in m for m in found)
    assert any("专报对应的媒体“人民日报”不在 outlets 中" in m for m in found)
    assert all(m.startswith("site_config.yaml:") for m in found)


def test_example_declares_its_private_fields_and_the_bulletin_outlet():
    config = load_config(REPO)
    assert [p.key for p in config.private] == ["phone", "id_card"]
    assert config.bulletin.outlet == "微心得专报"
    award = load_config(CONTEST_SITE).dimensions[1]
    assert award.ranked and [v.max for v in award.values] == [2, 4, 6, 8]
