"""`dangjian`: the command line of SPEC §8."""

import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dagster_project.home import DASHBOARD_APP, Home

app = typer.Typer(help="党建考核数据仓库 — 命令行", no_args_is_help=True, add_completion=False)
console = Console()


def _home() -> Home:
    home = Home.from_env().ensure()
    home.export_env()
    return home


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(DASHBOARD_APP),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]


@app.command()
def serve(port: Annotated[int, typer.Option(help="端口")] = 8501) -> None:
    """启动看板（只读 serving.duckdb），地址 http://127.0.0.1:PORT 。"""
    home = _home()
    if not home.serving.exists():
        console.print(f"[yellow]尚无发布的数据快照 {home.serving}，请先运行 dangjian run。[/yellow]")
    console.print(f"看板: http://127.0.0.1:{port}  （数据: {home.serving}）")
    os.execv(sys.executable, streamlit_command(port))


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":
    app()
