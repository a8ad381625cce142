"""Command line: parse arguments, call the pipeline, print Chinese messages, set the exit code.

Exit codes (../shared/DESIGN.md §5): 0 success, 1 content errors, 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from xindelu.build import pipeline
from xindelu.build.writer import os_error_zh
from xindelu.core.errors import ContentError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_WRITE = 74  # sysexits EX_IOERR: output/ could not be written (the previous one is kept)


class _ChineseHelpFormatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[no-untyped-def]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its help and usage errors in Chinese and exit code 2."""

    def __init__(self, *args: Any, parents: Sequence[argparse.ArgumentParser] = (), **kwargs: Any) -> None:
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", _ChineseHelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")
        for parent in parents:  # after -h, as argparse itself orders them
            self._add_container_actions(parent)
            self._defaults.update(parent._defaults)

    def error(self, message: str) -> NoReturn:
        translations = {
            "invalid choice": "没有这个命令或选项值",
            "unrecognized arguments": "无法识别的参数",
            "the following arguments are required": "缺少必需的参数",
            "expected one argument": "该选项需要一个值",
            "invalid int value": "应为整数",
            "choose from": "可选",
            "argument ": "参数 ",
        }
        for english, chinese in translations.items():
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 用法错误：{message}\n运行 python build.py --help 查看全部命令。\n")
        raise SystemExit(EXIT_USAGE)


def _parser() -> ChineseArgumentParser:
    parser = ChineseArgumentParser(
        prog="build.py",
        description="心得录：把审定的学习心得生成专栏网站、专报和文集 PDF。",
        epilog="不带命令时等于 build。",
    )
    common = ChineseArgumentParser(add_help=False)
    common.add_argument(
        "--root", type=Path, default=Path.cwd(), help="站点目录（含 site_config.yaml 与 content/），默认当前目录"
    )
    common.add_argument("--future", action="store_true", help="也发布日期在今天之后的文章")
    common.add_argument("--debug", action="store_true", help="出现内部错误时显示完整的 Python 调用栈")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    build = sub.add_parser("build", parents=[common], help="生成网站和 PDF 到 output/")
    build.add_argument("--no-pdf", action="store_true", help="只生成网页，不排 PDF")
    check = sub.add_parser("check", parents=[common], help="检查全部内容，列出每个问题，不生成任何文件")
    check.add_argument("--strict", action="store_true", help="把提醒也当作错误")
    serve = sub.add_parser("serve", parents=[common], help="生成并在本机预览，改动后自动重建并刷新浏览器")
    serve.add_argument("--port", type=int, default=8000, help="端口，默认 8000")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址，默认只允许本机访问 127.0.0.1")
    serve.add_argument("--no-pdf", action="store_true", help="预览时不排 PDF")
    new = sub.add_parser("new", parents=[common], help="新建一篇文章文件，填好文章信息")
    for flag, label in (
        ("title", "标题"),
        ("author", "作者"),
        ("position", "职务"),
        ("unit", "单位"),
        ("category", "类别"),
        ("form", "体裁"),
        ("date", "日期，如 2026-04-08"),
        ("slug", "网址名，默认取标题拼音"),
    ):
        new.add_argument(f"--{flag}", help=label)
    imp = sub.add_parser("import", parents=[common], help="把报送的 Word 文件（.docx）转成文章文件")
    imp.add_argument("paths", nargs="+", type=Path, metavar="文件或文件夹", help=".docx 文件或含 .docx 的文件夹")
    report = sub.add_parser("report", parents=[common], help="各单位报送和采用情况统计")
    report.add_argument("--from", dest="start", metavar="日期", help="起始日期，如 2026-04-01")
    report.add_argument("--to", dest="end", metavar="日期", help="截止日期，如 2026-06-30")
    report.add_argument("--csv", type=Path, metavar="文件", help="另存为 CSV（Excel 可直接打开）")
    sub.add_parser(
        "preflight", parents=[common], help="印前检查 output/print/ 里的 PDF（PDF/X、颜色、图片、字体、页数）"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-") and args_list[0] not in ("-h", "--help")):
        args_list.insert(0, "build")
    args = _parser().parse_args(args_list)
    try:
        return _run(args)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。" + (_OUTPUT_KEPT if args.command == "build" else "") + "\n")
        return 130
    except OSError as exc:  # the disk or the system refused (full, read-only, no permission): not a bug
        if getattr(args, "debug", False):
            raise
        where = f"：{exc.filename}" if exc.filename else ""
        sys.stderr.write(
            f"读写文件失败：{os_error_zh(exc)}（{exc.strerror or exc}{where}）— 请腾出磁盘空间或检查权限后重新运行。\n"
            + (_OUTPUT_KEPT + "\n" if args.command == "build" else "")
        )
        return EXIT_WRITE
    except Exception as exc:  # a bug of ours: say so in Chinese, keep the traceback for --debug
        if getattr(args, "debug", False):
            raise
        sys.stderr.write(
            f"内部错误：{type(exc).__name__}: {exc}\n这是心得录程序本身的问题，不是您的内容出错。请加 --debug 重新运行，把输出发给维护者。\n"
            + (_OUTPUT_KEPT + "\n" if args.command == "build" else "")
        )
        return 70


# output/ is replaced in one rename at the very end (xindelu.output), so whatever stops a build
# leaves either the previous tree or the complete new one, never half of each.
_OUTPUT_KEPT = "output/ 没有写一半：仍是上一次生成的内容（中断若恰在最后替换之后，则已是完整的新内容）。"


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once main() has returned, without freeing the heap.

    Freeing a 10,000-article build's millions of objects one by one took 0.4 s after all
    its work was done (mypy ends the same way). Everything is written and closed by then;
    only a thread still running (none but serve's, which normal exit waits for) takes the
    usual way out.
    """
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more to say
            stream.flush()
    if threading.active_count() > 1:
        sys.exit(code)
    os._exit(code)


def _options(args: argparse.Namespace) -> pipeline.BuildOptions:
    root = args.root.resolve()
    if not (root / "site_config.yaml").is_file():
        sys.stderr.write(f"找不到 {root / 'site_config.yaml'} — 请在站点目录中运行，或用 --root 指定站点目录\n")
        raise SystemExit(EXIT_USAGE)
    return pipeline.BuildOptions(
        root=root,
        today=_today(),
        future=args.future,
        pdf=not getattr(args, "no_pdf", False),
    )


def _today() -> dt.date:
    """Today in China; SOURCE_DATE_EPOCH pins it for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch and epoch.isdigit() else dt.datetime.now(dt.UTC)
    return (moment + dt.timedelta(hours=8)).date()


def report_problems(errors: Sequence[ContentError], warnings: Sequence[ContentError] = ()) -> None:
    for problem in warnings:
        sys.stderr.write("提醒：" + problem.format() + "\n")
    for problem in errors:
        sys.stderr.write(problem.format() + "\n")
    if errors:
        files = len({e.path for e in errors})
        sys.stderr.write(f"共 {len(errors)} 个问题，涉及 {files} 个文件。改正后重新运行。\n")


def _run(args: argparse.Namespace) -> int:
    options = _options(args)
    if args.command == "serve":
        from xindelu.commands.watch import serve

        return serve(options, host=args.host, port=args.port)
    if args.command == "new":
        from xindelu.commands.new import run_new

        return run_new(options, args)
    if args.command == "import":
        from xindelu.commands.docx_import import run_import

        return run_import(options, args.paths)
    if args.command == "report":
        from xindelu.commands.report import run_report

        return run_report(options, args.start, args.end, args.csv)
    if args.command == "preflight":
        from xindelu.commands.preflight import run_preflight

        return run_preflight(options.root)
    if args.command == "check":
        return _check(options, strict=args.strict)
    return _build(options)


def _check(options: pipeline.BuildOptions, strict: bool) -> int:
    started = time.perf_counter()
    result = pipeline.check(options)
    errors = list(result.errors) + (list(result.warnings) if strict else [])
    report_problems(errors, [] if strict else result.warnings)
    if errors:
        return EXIT_CONTENT
    content = result.content
    assert content is not None
    published = content.published(options.today, options.future)
    print(
        f"检查通过：{len(content.articles)} 篇文章（{len(published)} 篇已发布），"
        f"{len(content.bulletins)} 期专报，{len(content.pages)} 个页面"
        + ("，文集清单 1 份" if content.anthology else "")
        + f"。用时 {time.perf_counter() - started:.2f} 秒。"
    )
    return EXIT_OK


def _build(options: pipeline.BuildOptions) -> int:
    from xindelu.build.memo import Memo
    from xindelu.build.publish import build_and_write

    started = time.perf_counter()
    # A one-shot build: the cycle collector stays off to the end (the process ends with
    # exit_now). Turned back on after the build, its first full pass walked every object the
    # build had made and freed none: 0.35 s of a 10,000-article one-article edit.
    gc.disable()
    published = build_and_write(options, Memo.open(options.root))
    result = published.result
    report_problems(result.errors, result.warnings)
    if result.errors:
        sys.stderr.write("没有生成任何文件，output/ 保持原样。\n")
        return EXIT_CONTENT
    for note in result.notes:
        print(note)
    if published.write_errors:
        report_problems(published.write_errors)
        return EXIT_WRITE
    stats = published.stats
    assert stats is not None
    print(
        f"完成：共 {len(result.outputs) + len(result.kept)} 个文件写入 {options.root / 'output'}"
        f"（新写 {stats.written}，未变 {stats.unchanged}，删除过期 {stats.removed}），"
        f"用时 {time.perf_counter() - started:.2f} 秒。"
    )
    return EXIT_OK
