"""`dangjian report`: the 考核反馈报告 of one college or all, or the 通报 draft (registered in cli.py)."""

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

console = Console()


def report(
    year: Annotated[int, typer.Option("--year", help="考核年度（取该年度第四季度的年终结果）")],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="输出位置：带 --college 时为 .docx 文件（PDF 写在旁边）；"
            "不带时为文件夹（每个二级党组织一份，另有全部的 .zip）；"
            "带 --bulletin 时为通报草稿 .docx 文件",
        ),
    ],
    college: Annotated[
        str | None, typer.Option("--college", help="只生成这个二级党组织（编码）的报告")
    ] = None,
    bulletin: Annotated[bool, typer.Option("--bulletin", help="生成本年度考核结果通报草稿（.docx）")] = False,
) -> None:
    """生成考核反馈报告（每个二级党组织一份 Word 文档及 PDF）或考核结果通报草稿。"""
    from dagster_project.cli import _home

    home = _home()
    try:
        if bulletin:
            from dagster_project.reports.bulletin import write_bulletin

            if college is not None:
                raise ValueError("--bulletin 是全校的通报，不能与 --college 同时使用")
            written = write_bulletin(home.serving, year, out)
            console.print(
                f"已生成 {written.year} 年度考核结果通报草稿（好 {len(written.best)} 个、"
                f"差 {len(written.worst)} 个、"
                f"一票否决 {len(written.vetoed)} 个）→ {written.path}"
            )
            return
        from dagster_project.reports.feedback import write_college_reports

        written = write_college_reports(home.serving, year, out, college)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"已生成 {written.year} 年度考核反馈报告 {len(written.documents)} 份（Word）"
        f"→ {written.documents[0].parent}"
    )
    if written.pdfs:
        console.print(f"PDF {len(written.pdfs)} 份 → {written.pdfs[0].parent}")
    if written.pdf_error:
        console.print(f"[yellow]{written.pdf_error}[/yellow]")
    if written.archive is not None:
        console.print(f"全部报告的压缩包 → {written.archive}")
