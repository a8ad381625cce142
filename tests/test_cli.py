"""The commands as an editor runs them: exit codes, Chinese messages, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import CONTEST_SITE, REPO, article


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_check_on_the_example_site_is_clean():
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("检查通过：")
    assert result.stderr == ""


def test_check_on_the_contest_site_is_clean():
    result = run("check", "--root", str(CONTEST_SITE))
    assert result.returncode == 0, result.stderr
    assert "3 篇文章（2 篇已发布）" in result.stdout


def test_broken_folder_lists_every_problem_and_exits_1(make_site):
    root = make_site(
        {
            "content/articles/a.md": article(unit="长沙县"),
            "content/articles/b.md": "---\ntitle: 标题: 副题\n---\n正文",
            "content/articles/c.md": article(title="中文").encode("gbk"),
            "content/articles/d.md": b"\x00\x01binary",
            "content/articles/e.md": article(body="字" * 600),
        }
    )
    result = run("check", "--root", str(root))
    assert result.returncode == 1
    lines = result.stderr.strip().split("\n")
    assert [line.split(":")[0] for line in lines[:-1]] == [f"content/articles/{n}.md" for n in "abcde"]
    assert all(line.split(":")[1].isdigit() for line in lines[:-1] if not line.startswith("content/articles/d.md"))
    assert lines[-1] == "共 5 个问题，涉及 5 个文件。改正后重新运行。"
    assert "Traceback" not in result.stderr


def test_bad_usage_exits_2_in_chinese():
    result = run("publish")
    assert result.returncode == 2
    assert "用法错误" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_root_exits_2(tmp_path):
    result = run("check", "--root", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "找不到" in result.stderr and "site_config.yaml" in result.stderr


def test_broken_config_exits_1_with_line(make_site):
    root = make_site(config="site:\n  title: 测试\n  base_url: https://x.org/\n  colour: red\n")
    result = run("check", "--root", str(root))
    assert result.returncode == 1
    assert "site_config.yaml:4: 未知的配置项“site.colour”" in result.stderr
    assert "缺少配置项“unit_groups”" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_with_errors_writes_nothing(make_site):
    root = make_site({"content/articles/a.md": article(unit="火星")})
    result = run("build", "--root", str(root), "--no-pdf")
    assert result.returncode == 1
    assert "没有生成任何文件" in result.stderr
    assert not (root / "output").exists()


def test_help_is_chinese():
    for command in ((), ("build",), ("serve",), ("new",), ("import",), ("report",)):
        result = run(*command, "--help")
        assert result.returncode == 0
        assert result.stdout.startswith("用法：build.py")
        assert "显示本帮助并退出" in result.stdout and "选项:" in result.stdout
        for english in ("usage:", "options:", "positional arguments", "show this help"):
            assert english not in result.stdout


def test_a_rebuild_after_one_edit_says_what_it_made_afresh(make_site):
    root = make_site({f"content/articles/a{i}.md": article(title=f"心得第{i}篇", slug=f"a{i}") for i in range(4)})
    cold = run("build", "--no-pdf", "--root", str(root))
    assert cold.returncode == 0, cold.stderr
    assert "（重新索引 4 篇）" in cold.stdout
    path = root / "content/articles/a2.md"
    path.write_text(path.read_text("utf-8") + "\n补一段体会。\n", "utf-8")
    again = run("build", "--no-pdf", "--root", str(root))
    assert again.returncode == 0, again.stderr
    # The index has more files than that; the note counts the articles indexed afresh.
    assert "（重新索引 1 篇）" in again.stdout and "个文件更新" not in again.stdout


class _Terminal:
    """A terminal that records each write (the book and the bulletins share one from two processes)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_progress_on_a_terminal_rewrites_its_line_and_ends_it_in_the_same_write(monkeypatch) -> None:
    from xindelu.print import pdf

    terminal = _Terminal()
    monkeypatch.setattr(pdf.sys, "stderr", terminal)
    report = pdf.stderr_progress("专报第1期")
    for message in ("排版 第 1 页", "排版 第 1 页", "完成，5 页，用时 0.6 秒"):
        report(message)
    # A line and its end in one write: another process's line cannot land between them.
    assert terminal.writes == ["\r\033[K专报第1期：排版 第 1 页", "\r\033[K专报第1期：完成，5 页，用时 0.6 秒\n"]
    # Beside the book's line (steps=False), an issue writes only its finished line.
    terminal.writes.clear()
    report = pdf.stderr_progress("专报第2期", steps=False)
    for message in ("读取 HTML…", "写出 PDF…", "完成，6 页，用时 0.5 秒"):
        report(message)
    assert terminal.writes == ["\r\033[K专报第2期：完成，6 页，用时 0.5 秒\n"]
