"""Every validation message: exact Chinese text, file and line (../shared/STYLE.md: assert exact error text)."""

from __future__ import annotations

import pytest
from conftest import TODAY, article, only, problems

from xindelu.build.pipeline import BuildOptions, check

A = "content/articles/a.md"


def test_valid_article_has_no_problem(make_site):
    assert problems(make_site({A: article()})) == []


def test_unknown_unit_suggests_the_registered_name(make_site):
    root = make_site({A: article(unit="长沙县")})
    assert (
        only(root)
        == f"{A}:4: 单位“长沙县”未登记，是否指“长沙市”？ — 请改为 unit: 长沙市（见 site_config.yaml 的 unit_groups）"
    )


def test_alias_is_accepted(make_site):
    root = make_site({A: article(unit="湘西州")})
    result = check(BuildOptions(root=root, today=TODAY))
    assert result.errors == ()
    assert result.content.articles[0].unit.name == "湘西土家族苗族自治州"


def test_unknown_category_and_form(make_site):
    root = make_site({A: article(category="学而想", form="心得")})
    assert problems(root) == [
        f"{A}:5: 类别“学而想”未登记，是否指“学而行”？ — 请改为 category: 学而行",
        f"{A}:6: 体裁“心得”未登记，是否指“微心得”？ — 请改为 form: 微心得",
    ]


def test_missing_required_field(make_site):
    root = make_site({A: article(author=None)})
    assert only(root) == f"{A}:1: 缺少必填字段 author（作者） — 请加一行 author: 张三"


def test_wrong_type(make_site):
    root = make_site({A: article(title="{a: 1}")})
    assert only(root) == f"{A}:2: 字段 title（标题）应是一段文字 — 如 title: 在读原著中悟原理"


@pytest.mark.parametrize("value", ["2026-02-30", "2026-13-01", "明天", "20260408"])
def test_bad_or_impossible_date(make_site, value):
    root = make_site({A: article(date=value)})
    assert only(root) == f"{A}:7: 日期“{value}”无效或不存在 — 请按 年-月-日 写一个真实日期，如 date: 2026-04-08"


def test_duplicate_slug_names_both_files(make_site):
    root = make_site({A: article(slug="same"), "content/articles/b.md": article(slug="Same".lower())})
    assert problems(root) == [
        f"{A}:9: 网址名（slug）“same”与 content/articles/b.md 重复 — 请给其中一篇换一个 slug（在文章信息里加一行 slug: 新名字）",
        "content/articles/b.md:9: 网址名（slug）“same”与 content/articles/a.md 重复 — 请给其中一篇换一个 slug（在文章信息里加一行 slug: 新名字）",
    ]


def test_slugs_differing_only_in_case_collide(make_site):
    root = make_site({"content/articles/ab.md": article(), "content/articles/x/AB.md": article(slug="ab")})
    found = problems(root)
    assert len(found) == 2
    assert "“ab”与 content/articles/x/AB.md 重复" in found[0]


def test_slug_not_url_safe_suggests_pinyin(make_site):
    root = make_site({A: article(slug="在读 原著")})
    assert (
        only(root)
        == f"{A}:9: 网址名（slug）“在读 原著”不合规：只能用小写字母、数字和连字符 — 请加一行或改为 slug: zai-du-yuan-zhu-zhong-wu-yuan-li"
    )


def test_file_name_not_url_safe(make_site):
    root = make_site({"content/articles/读原著.md": article()})
    assert only(root) == (
        "content/articles/读原著.md:1: 网址名（slug）“读原著”不合规：只能用小写字母、数字和连字符"
        " — 请把文件改名为 zai-du-yuan-zhu-zhong-wu-yuan-li.md，或加一行 slug: zai-du-yuan-zhu-zhong-wu-yuan-li"
    )


def test_over_limit_says_count_limit_and_excess(make_site):
    root = make_site({A: article(body="字" * 503)})
    assert (
        only(root)
        == f"{A}:10: 正文 503 字，超过微心得的上限 500 字（多 3 字） — 请删减到 500 字以内，或改为字数上限更高的体裁"
    )


def test_at_limit_is_fine(make_site):
    assert problems(make_site({A: article(body="字" * 499 + "。")})) == []


def test_yaml_error_line_is_the_file_line(make_site):
    text = article().replace("author: 张三", "author: 张三\n  position: 错误缩进: 值")
    assert only(make_site({A: text})) == (
        f'{A}:4: YAML 格式错误：此处不能出现“键: 值” — 值里含冒号时请给整个值加引号，如 title: "标题：副题"；并检查缩进'
    )


def test_gbk_file_is_named_not_garbled(make_site):
    root = make_site({A: article(title="中文标题").encode("gbk")})
    assert only(root) == (
        f"{A}:2: 文件不是 UTF-8 编码，看起来是 GBK/GB18030（Windows 中文默认编码）"
        " — 请用记事本或 WPS 另存为“UTF-8”编码后再提交，或运行 iconv -f GB18030 -t UTF-8 a.md"
    )


def test_empty_file(make_site):
    assert only(make_site({A: ""})) == f"{A}:1: 文件是空的 — 请写入以 --- 开头的文章信息和正文，或删除此文件"


def test_front_matter_not_closed(make_site):
    root = make_site({A: "---\ntitle: 标题\n正文\n"})
    assert only(root) == f"{A}:1: 文章信息（front matter）没有结束标记 — 在字段之后、正文之前单独一行写 ---"


def test_front_matter_missing(make_site):
    assert only(make_site({A: "只有正文\n"})) == (
        f"{A}:1: 文件开头缺少文章信息（front matter） — 第一行应为 ---，随后是 title: 等字段，再以 --- 结束"
    )


def test_bom_and_crlf_are_accepted(make_site):
    data = ("\ufeff" + article()).replace("\n", "\r\n").encode("utf-8")
    result = check(BuildOptions(root=make_site({A: data}), today=TODAY))
    assert result.errors == ()
    assert result.content.articles[0].title == "在读原著中悟原理"


def test_unknown_field_suggests_the_right_one(make_site):
    root = make_site({A: article(titel="x")})
    assert only(root) == f"{A}:9: 未知字段“titel” — 是否指 title？"


def test_status_typo(make_site):
    root = make_site({A: article(status="approve")})
    assert only(root) == (
        f"{A}:8: 状态“approve”无效 — 只能是 submitted（已报送）、approved（已审定）或 rejected（未采用），是否指 approved？"
    )


def test_undeclared_dimension_value(make_site):
    root = make_site({A: article(award="特等奖")})
    assert only(root) == f"{A}:9: 获奖“特等奖”未登记 — 可用的获奖：优秀心得、推荐阅读"


def test_yaml_tags_that_construct_objects_are_refused(make_site):
    root = make_site({A: article(title='!!python/object/apply:os.system ["echo hi"]')})
    assert (
        only(root) == f"{A}:2: YAML 格式错误：不允许的 YAML 标签（!! 或 ! 开头） — 请删去以 ! 开头的标签，只写普通文字"
    )


def test_yaml_aliases_are_refused(make_site):
    root = make_site({A: article(title="&t 标题", position="*t")})
    assert (
        only(root)
        == f"{A}:2: 不支持 YAML 锚点或别名（以 & 或 * 开头的值） — 请把内容直接写出来；若值本身以 * 或 & 开头，请给它加引号"
    )


def test_missing_image(make_site):
    root = make_site({A: article(body="正文。\n\n![现场照片](photo.jpg)\n")})
    assert only(root) == f"{A}:12: 找不到图片“photo.jpg” — 请把图片放到 content/articles/ 下，或改正文件名"


def test_outlet_must_be_registered(make_site):
    root = make_site({A: article(outlets="[{name: 人民日报, date: 2026-04-10}]")})
    assert (
        only(root)
        == f"{A}:9: 刊用媒体“人民日报”未登记，是否指“湖南日报”？ — 可用的媒体：微心得专报、湖南日报、新湘评论、红网、华声在线"
    )


def test_all_problems_reported_in_one_run(make_site):
    root = make_site(
        {
            A: article(unit="长沙县", date="2026-02-30"),
            "content/articles/b.md": "",
            "content/articles/c.md": article(title="中文").encode("gb18030"),
        }
    )
    found = problems(root)
    assert [p.split(":")[0] for p in found] == [A, A, "content/articles/b.md", "content/articles/c.md"]


def test_future_articles_are_held_back(make_site):
    root = make_site({A: article(date="2026-12-25")})
    content = check(BuildOptions(root=root, today=TODAY)).content
    assert content.published(TODAY) == ()
    assert len(content.published(TODAY, future=True)) == 1


def test_only_approved_articles_are_published(make_site):
    root = make_site({A: article(status="submitted"), "content/articles/b.md": article(status="rejected")})
    content = check(BuildOptions(root=root, today=TODAY)).content
    assert len(content.articles) == 2
    assert content.published(TODAY) == ()


BULLETIN = """\
number: 1
date: 2026-05-12
signer: 王某某
sections:
  - name: 经验交流
    articles: [a, missing-one]
distribution:
  bao: 省领导
"""


def test_bulletin_references_are_checked(make_site):
    root = make_site({A: article(), "content/bulletins/001.yaml": BULLETIN})
    assert only(root) == (
        "content/bulletins/001.yaml:6: 第 1 期专报引用的文章“missing-one”不存在 — 请写文章的 slug（默认是文件名，不含 .md）"
    )


def test_a_reference_to_an_article_with_errors_points_at_its_problems(make_site):
    broken = article(unit="娄底县")
    root = make_site({"content/articles/missing-one.md": broken, A: article(), "content/bulletins/001.yaml": BULLETIN})
    found = problems(root)
    assert (
        "content/bulletins/001.yaml:6: 第 1 期专报引用的文章“missing-one”本身有错误，暂不能刊用 — 请先改正 content/articles/missing-one.md 的问题（见本次的其他提示）"
        in found
    )
    assert any(line.startswith("content/articles/missing-one.md:") and "娄底县" in line for line in found)
    assert not any("不存在" in line for line in found)


def test_a_reference_by_custom_slug_to_an_article_with_errors_points_at_its_file(make_site):
    bad_unit = article(unit="娄底县", slug="missing-one")
    bad_yaml = article(slug="a").replace("status: approved", "status: [approved")  # YAML that does not parse
    root = make_site(
        {
            "content/articles/2026/lou-di.md": bad_unit,
            "content/articles/2026/broken-yaml.md": bad_yaml,
            "content/bulletins/001.yaml": BULLETIN,
        }
    )
    found = problems(root)
    for slug, path in (
        ("missing-one", "content/articles/2026/lou-di.md"),
        ("a", "content/articles/2026/broken-yaml.md"),
    ):
        assert (
            f"第 1 期专报引用的文章“{slug}”本身有错误，暂不能刊用 — 请先改正 {path} 的问题（见本次的其他提示）"
            in "\n".join(found)
        ), found
    assert not any("不存在" in line for line in found)


def test_bulletin_number_used_twice(make_site):
    ok = BULLETIN.replace(", missing-one", "")
    root = make_site({A: article(), "content/bulletins/001.yaml": ok, "content/bulletins/002.yaml": ok})
    assert (
        only(root) == "content/bulletins/002.yaml:1: 期号 1 与 content/bulletins/001.yaml 重复 — 请改为下一个未用的期号"
    )


def test_bulletin_only_carries_approved_pieces_of_allowed_forms(make_site):
    root = make_site(
        {
            A: article(status="submitted"),
            "content/articles/b.md": article(form="体会文章"),
            "content/bulletins/001.yaml": BULLETIN.replace("missing-one", "b"),
        }
    )
    assert problems(root) == sorted(
        [
            "content/bulletins/001.yaml:6: 第 1 期专报引用的文章“a”尚未审定（status: submitted） — 请先在 content/articles/a.md 中改为 status: approved，或从这里删去",
            "content/bulletins/001.yaml:6: “在读原著中悟原理”是体会文章，本专报只刊登微心得 — 请换一篇，或修改 site_config.yaml 的 bulletin.allowed_forms",
        ]
    )


def test_anthology_reference_and_missing_preface(make_site):
    manifest = "title: 文集\nyear: 2026\npreface: preface.md\nparts:\n  - title: 学而思\n    articles: [a, nope]\n"
    root = make_site({A: article(), "content/anthology/anthology.yaml": manifest})
    assert problems(root) == [
        "content/anthology/anthology.yaml:3: 找不到文件“preface.md” — 请把它放在 content/anthology/ 下，或改正文件名",
        "content/anthology/anthology.yaml:6: 文集引用的文章“nope”不存在 — 请写文章的 slug（默认是文件名，不含 .md）",
    ]


def test_page_slug_may_not_take_a_site_section(make_site):
    root = make_site(
        {
            "content/pages/search.md": "---\ntitle: 搜索说明\n---\n正文\n",
            "content/pages/x.md": "---\ntitle: 获奖\nslug: award\n---\n正文\n",
        }
    )
    found = problems(root)
    assert len(found) == 2
    assert found[0].startswith(
        "content/pages/search.md:1: 页面网址名“search”与网站自带的栏目重名 — 请换一个，如 slug: search-page"
    )
    assert found[1].startswith("content/pages/x.md:3: 页面网址名“award”与网站自带的栏目重名")


def test_an_unclosed_bracket_in_front_matter_is_explained_in_chinese(make_site) -> None:
    root = make_site({"content/articles/a.md": article(title="[未闭合的标题")})
    message = only(root)
    assert message.startswith("content/articles/a.md:")
    assert "方括号“[”没有闭合" in message and "did not find" not in message
