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
