"""`dangjian check` and `dangjian submit` (registered on the command line in cli.py)."""

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dagster_project.home import Home
from dagster_project.submit.preview import FilePreview, exit_code, preview_files

console = Console()


def print_preview(preview: FilePreview) -> None:
    if preview.refused:
        console.print(f"[red]✗ {preview.file}：未接收。{preview.refused}[/red]", highlight=False)
        return
    periods = "、".join(preview.periods) or "—"
    console.print(
        f"{'✓' if not preview.rejects else '!'} {preview.file}：{'、'.join(preview.kinds)}（{periods}）"
        f"；读入 {preview.rows_read} 行，可入库 {preview.rows_ok} 行，将退回 {preview.rows_rejected} 行",
        highlight=False,
    )
    for r in preview.rejects:
        where = f"工作表「{r['sheet']}」第 {r['row']} 行" if r["row"] is not None else "整个文件"
        column = f"「{r['column']}」" if r["column"] else ""
        value = f"（{r['value']}）" if r["value"] is not None else ""
        console.print(f"    {where}{column}{value}：{r['reason']}", highlight=False, markup=False)


def check(
    files: Annotated[list[Path], typer.Argument(help="要检查的文件（可多个）")],
    college: Annotated[
        str | None, typer.Option("--college", help="以该学院（组织编码）账号的身份检查：只能含本学院的行")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="最后一行输出一个 JSON 对象")] = False,
) -> None:
    """检查文件而不提交：与运行时相同的规则与核对。

    退出码：0 全部可入库，3 有行将被退回，2 文件不能读取或被拒收。"""
    from dagster_project.cli import _home

    home: Home = _home()
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        console.print(f"[red]找不到文件：{'、'.join(missing)}[/red]")
        raise typer.Exit(2)
    previews = preview_files([(f, f.name) for f in files], college, home.serving)
    for preview in previews:
        print_preview(preview)
    if as_json:
        print(json.dumps({"files": [p.as_json() for p in previews]}, ensure_ascii=False))
    raise typer.Exit(exit_code(previews))


def submit(
    files: Annotated[list[Path], typer.Argument(help="要提交的文件（可多个）")],
    user: Annotated[
        str, typer.Option("--user", help="以该看板登录用户的身份提交（学院用户只能提交本学院的行）")
    ],
    college: Annotated[
        str | None, typer.Option("--college", help="组织部用户代某学院提交时，该学院的组织编码")
    ] = None,
) -> None:
    """提交文件：先检查（同 dangjian check），未被拒收的文件归档、记入报送记录并放入收件箱。

    之后由下一次运行入库（后台服务自动运行，或 dangjian run）。"""
    from dagster_project.access import COLLEGE_CODE, ROLE_COLLEGE, ROLE_ORG, UserError, read_users
    from dagster_project.cli import _home
    from dagster_project.ingest.submissions import INBOX_SUBMITTER
    from dagster_project.submit.submitting import Submitter, submit_files

    home: Home = _home()
    try:
        users = read_users(home.users)
    except UserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if college is not None and not COLLEGE_CODE.fullmatch(college):
        console.print(f"[red]学院编码「{college}」不合规：只能包含字母、数字、下划线和连字符。[/red]")
        raise typer.Exit(2)
    if not users and user == INBOX_SUBMITTER:
        submitter = Submitter(user, ROLE_ORG, college)
    elif user not in users:
        console.print(
            f"[red]没有名为「{user}」的看板用户（dangjian user list 查看；尚无用户时以 --user "
            f"{INBOX_SUBMITTER} 代表组织部提交）。[/red]"
        )
        raise typer.Exit(2)
    else:
        login = users[user]
        if login.role == ROLE_COLLEGE and college not in (None, login.college):
            console.print(f"[red]学院用户「{user}」只能为本学院（{login.college}）提交。[/red]")
            raise typer.Exit(2)
        submitter = Submitter(user, login.role, login.college if login.role == ROLE_COLLEGE else college)
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        console.print(f"[red]找不到文件：{'、'.join(missing)}[/red]")
        raise typer.Exit(2)
    done = submit_files(home, [(f, f.name) for f in files], submitter)
    for item in done:
        print_preview(item.preview)
        if item.submission is not None:
            console.print(f"    已提交 → 收件箱 {item.submission.stored_name}", highlight=False)
    if any(d.submission for d in done):
        console.print("后台服务（dangjian serve / up）会自动运行；未启动时请运行 dangjian run。")
    raise typer.Exit(exit_code([d.preview for d in done]))
