"""`dangjian`: the command line (README "Command line"). Each command prepares the home and hands over
to the module that does the work: the pipeline run (pipeline/run.py), reports, logins, freezing, the
dashboard server and the Dagster UI."""

import os
import signal
import sys
import time
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dagster_project.access import TRUSTED_PROXIES_ENV
from dagster_project.home import DASHBOARD_APP, REPO_ROOT, Home, as_of_problem
from dagster_project.pipeline.recovery import pipeline_lock

app = typer.Typer(help="党建考核数据仓库 — 命令行", no_args_is_help=True, add_completion=False)
console = Console()


def _home() -> Home:
    if problem := as_of_problem():
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    os.umask(0o077)  # everything the pipeline and the dashboard write is for this account only
    home = Home.from_env().ensure()
    home.export_env()
    return home


class DemoFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    parquet = "parquet"


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同的数据）")] = 2026,
    scale: Annotated[float, typer.Option(help="人数倍数（K 倍的党员，结构相同）")] = 1.0,
    fmt: Annotated[
        DemoFormat,
        typer.Option(
            "--format",
            help="文件格式：xlsx（每单位每年一个工作簿）；csv 或 parquet（每张表一个文件，"
            "适合超过 Excel 行数上限的规模）",
        ),
    ] = DemoFormat.xlsx,
) -> None:
    """把演示大学的表格写入 $DANGJIAN_HOME/inbox/ 。"""
    from dagster_project.demo import generate_demo

    home = _home()
    started = time.perf_counter()
    summary = generate_demo(home.inbox, seed=seed, scale=scale, fmt=fmt.value)
    console.print(
        f"已生成演示数据：{len(summary.files)} 个文件 → {home.inbox}"
        f"（{time.perf_counter() - started:.1f} 秒）"
    )


@app.command()
def run() -> None:
    """对 inbox 运行一次完整流程（经 Dagster 执行，可在 dangjian ui 中查看）。"""
    from dagster_project.pipeline.run import print_checks, print_summary, run_pipeline, snapshot_published

    home = _home()
    started = time.perf_counter()
    result = run_pipeline(home)
    print_checks(result, console)
    if result.success and not snapshot_published(result):
        console.print(
            "[red]运行结束，但没有发布新的看板快照（发布步骤被跳过）：看板仍使用上一次成功发布的快照。[/red]"
            f"详情见 {home.run_log} 或 dangjian ui 的运行记录。"
        )
        raise typer.Exit(1)
    if not result.success:
        console.print(
            "[red]运行失败：看板仍使用上一次成功发布的快照。[/red]"
            f"详情见 {home.run_log} 或 dangjian ui 的运行记录。"
        )
        raise typer.Exit(1)
    print_summary(home, console)
    console.print(f"[green]完成[/green]，用时 {time.perf_counter() - started:.1f} 秒")


@app.command()
def rebuild() -> None:
    """从 archive/ 重建数仓：还原最近一次入库时的收件箱，在新的数仓上重新摄取、构建并发布。"""
    from dagster_project.ingest.archive import INDEX_NAME, plan_restore, restore_inbox
    from dagster_project.ingest.store import inbox_files

    home = _home()
    with pipeline_lock(home.dagster_home / "pipeline.lock", lambda: console.print("等待正在进行的运行结束…")):
        plan = plan_restore(home.archive, inbox_files(home.inbox))
        if plan.missing:
            console.print(f"[red]归档中缺少或损坏的文件，无法重建：{'、'.join(plan.missing)}[/red]")
            raise typer.Exit(1)
        if plan.not_ingested:
            console.print(
                f"[red]收件箱中有尚未入库的文件或新版本：{'、'.join(plan.not_ingested)}。[/red]"
                "请先运行 dangjian run 使其入库（或移走这些文件），再重建。"
            )
            raise typer.Exit(1)
        if not plan.restore and not plan.present:
            console.print(f"[red]归档索引 {home.archive / INDEX_NAME} 中没有已入库的文件，无法重建。[/red]")
            raise typer.Exit(1)
        restore_inbox(home.archive, home.inbox, plan)
        aside = home.warehouse.with_name(home.warehouse.name + ".before-rebuild")
        kept = home.warehouse.exists()
        for suffix in ("", ".wal"):
            Path(f"{aside}{suffix}").unlink(missing_ok=True)
            if Path(f"{home.warehouse}{suffix}").exists():
                os.replace(f"{home.warehouse}{suffix}", f"{aside}{suffix}")
    console.print(
        f"已从归档还原 {len(plan.restore)} 个文件（{len(plan.present)} 个原本就在收件箱）；"
        + (f"原数仓已移到 {aside.name}；" if kept else "")
        + "现在从头构建。"
    )
    # Each file is loaded with the time the index records for it, so the marts come out as before.
    run()


@app.command()
def rejects(
    out: Annotated[Path, typer.Option("--out", help="导出的 Excel 文件")],
    file: Annotated[str | None, typer.Option("--file", help="只导出这个收件箱文件的问题")] = None,
) -> None:
    """导出拒收清单（可退回学院修改）与各文件的数据质量统计。"""
    from dagster_project.reports.rejects import write_rejects_workbook

    home = _home()
    try:
        exported = write_rejects_workbook(home.serving, out, file)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已导出 {exported.rejects} 条退回记录（{exported.files} 个文件）→ {exported.path}")


@app.command()
def export(
    year: Annotated[int, typer.Option("--year", help="考核年度（导出该年度第四季度的年终结果）")],
    out: Annotated[
        Path | None,
        typer.Option("--out", help="导出的 Excel 文件（默认 $DANGJIAN_HOME/exports/Y年度考核结果.xlsx）"),
    ] = None,
) -> None:
    """导出年终考核结果表（二级党组织与党支部的得分、等次、星级、一票否决）：Excel 版和打印用的 A4 PDF。"""
    from dagster_project.reports.result_sheet import write_result_sheet

    home = _home()
    target = out if out is not None else home.exports / f"{year}年度考核结果.xlsx"
    try:
        sheet = write_result_sheet(home.serving, year, target)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(
        f"已导出 {sheet.year} 年度考核结果：二级党组织 {sheet.colleges} 个、"
        f"党支部 {sheet.branches} 个 → {sheet.path}"
    )
    from dagster_project.reports.printed import write_result_pdf

    try:
        pdf = write_result_pdf(home.serving, year, target.with_suffix(".pdf"))
    except FileNotFoundError as exc:  # no Chromium here: the workbook is written, the PDF is not
        console.print(f"[yellow]{exc}[/yellow]")
        return
    console.print(f"打印版（A4 PDF）→ {pdf}")


@app.command()
def problems(
    year: Annotated[int, typer.Option("--year", help="发现问题的年度")],
    out: Annotated[Path, typer.Option("--out", help="导出的整改台账 Excel 文件")],
    college: Annotated[
        str | None, typer.Option("--college", help="只导出这个二级党组织（编码）及其支部的问题")
    ] = None,
) -> None:
    """导出问题清单：预填好的整改台账（学院填写整改措施、状态后放回收件箱即可入库）。"""
    from dagster_project.reports.problem_sheet import write_problem_sheet

    home = _home()
    try:
        sheet = write_problem_sheet(home.serving, year, out, college)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    scope = f"二级党组织 {college}" if college else "全校"
    console.print(f"已导出 {sheet.year} 年度问题清单（{scope}）：{sheet.problems} 个问题 → {sheet.path}")


@app.command()
def freeze(
    year: Annotated[int, typer.Option("--year", help="要冻结的考核年度（须已有年终即第四季度结果）")],
    force: Annotated[
        bool,
        typer.Option("--force", help="该年度已冻结时，改用最近一次运行的计算结果重新冻结"),
    ] = False,
) -> None:
    """冻结某年度已发布的考核结果：之后的运行保持这些结果不变，若重新计算会不同则列出差异（marts.frozen_diff）。"""
    from dagster_project.serving.freeze import FROZEN_TABLES, freeze_year

    home = _home()
    try:
        frozen = freeze_year(home.serving, home.frozen, year, force=force, warehouse_db=home.warehouse)
    except (ValueError, FileNotFoundError) as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if frozen.replaced:
        source = "最近一次运行的计算结果"
    elif frozen.published_at:
        source = f"{frozen.published_at:%Y-%m-%d %H:%M} 发布的结果"
    else:
        source = "当前发布的结果"
    rows = "、".join(f"{FROZEN_TABLES[t]} {n} 行" for t, n in frozen.rows.items())
    console.print(
        f"已{'重新' if frozen.replaced else ''}冻结 {frozen.year} 年度考核结果（{source}）：{rows}；"
        f"记录了该年度的 {frozen.source_files} 个数据文件 → {frozen.path}"
    )
    console.print(
        f"之后每次运行，{frozen.year} 年度的排名、得分、等次和导出的结果表都保持冻结的结果；"
        "若重新计算会有不同，差异列在 marts.frozen_diff，看板上该年度页面的冻结提示中可以展开查看。"
        f"看板在下一次 dangjian run 之后显示{'重新冻结的结果' if frozen.replaced else '冻结提示'}。"
    )


@app.command()
def templates(out: Annotated[Path, typer.Option("--out", help="模板输出目录")]) -> None:
    """生成空白填报模板：每类表格一个工作簿，表头带填写说明。"""
    from dagster_project.reports.templates import write_templates

    written = write_templates(out)
    console.print(f"已生成 {len(written)} 个模板 → {out}")
    for path in written:
        console.print(f"  {path.name}")


# ---- 报送: check and submit (submit/commands.py) -------------------------------------------------

from dagster_project.submit import commands as _submit_commands  # noqa: E402

app.command()(_submit_commands.check)
app.command()(_submit_commands.submit)

from dagster_project.reports import commands as _report_commands  # noqa: E402

app.command()(_report_commands.report)


# ---- dashboard logins -----------------------------------------------------------------------------

user_app = typer.Typer(help="看板登录用户：组织部（查看全部）与学院（只看本学院）", no_args_is_help=True)
app.add_typer(user_app, name="user")


class Role(StrEnum):
    org = "org"
    college = "college"


def _read_password() -> str:
    """Hidden prompt (asked twice) at a terminal; otherwise the first line of stdin (`echo pw | ...`)."""
    if sys.stdin.isatty():
        return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    return sys.stdin.readline().rstrip("\r\n")


def _known_colleges(serving: Path) -> dict[str, str] | None:
    """{college code: name} from the published snapshot's 组织架构; None when there is none to ask."""
    if not serving.is_file():
        return None
    import duckdb

    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            rows = con.execute(
                "select college_code, coalesce(max(org_name) filter (where org_code = college_code), '') "
                "from marts.dim_org where college_code is not null group by college_code order by 1"
            ).fetchall()
    except duckdb.Error:
        return None
    return {code: name for code, name in rows} or None


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="登录用户名")],
    role: Annotated[
        Role, typer.Option("--role", help="org：组织部（全部学院、自助查询）；college：学院（只看本学院）")
    ],
    college: Annotated[
        str | None, typer.Option("--college", help="学院（二级党组织）的组织编码，college 角色必填，如 01")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="用户已存在时覆盖其密码和角色")] = False,
) -> None:
    """添加看板登录用户；密码从标准输入读取（echo 密码 | dangjian user add ...），在终端中则隐藏输入。"""
    from dagster_project.access import UserError, add_user, check_name, check_role

    home = _home()
    try:
        check_name(name)
        _, college = check_role(role.value, college)
        known = _known_colleges(home.serving) if college is not None else None
        if known is not None and college not in known:
            listed = "、".join(f"{code} {label}".strip() for code, label in known.items())
            raise UserError(f"学院编码「{college}」不在已发布数据的组织架构中。现有学院：{listed}")
        user = add_user(home.users, name, _read_password(), role.value, college, replace=replace)
    except UserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    where = f"，学院 {user.college} {known[user.college]}" if known and user.college else ""
    console.print(f"已添加用户 {user.name}（{user.role_label}{where}）→ {home.users}")
    console.print("看板现在需要登录后才能访问。")


@user_app.command("list")
def user_list() -> None:
    """列出看板登录用户（不显示密码）。"""
    from dagster_project.access import UserError, list_users

    home = _home()
    try:
        users = list_users(home.users)
    except UserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if not users:
        if home.users.exists():
            console.print(
                f"用户文件 {home.users} 中没有用户：看板拒绝所有访问，请用 dangjian user add 添加用户。"
            )
        else:
            console.print("尚无用户：看板无需登录，仅适合在本机（127.0.0.1）单人使用。")
        return
    table = Table(title=f"看板用户（{home.users}）")
    for col in ("用户名", "角色", "学院编码", "添加时间"):
        table.add_column(col)
    for user in users:
        table.add_row(user.name, user.role_label, user.college or "全部", user.created_at.replace("T", " "))
    console.print(table)


@user_app.command("remove")
def user_remove(name: Annotated[str, typer.Argument(help="要删除的用户名")]) -> None:
    """删除看板登录用户（其已登录的会话随即失效）。"""
    from dagster_project.access import UserError, list_users, remove_user

    home = _home()
    try:
        removed = remove_user(home.users, name)
        left = list_users(home.users)
    except UserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"已删除用户 {removed.name}（{removed.scope_label}）。")
    if not left:
        console.print(
            "[yellow]已没有任何用户：看板现在拒绝所有访问（不会改为免登录）。"
            "请用 dangjian user add 添加用户；"
            f"若确要在本机免登录单人使用，请删除 {home.users} 后重新启动看板。[/yellow]"
        )


# The names a browser may use for the dashboard (the Host header of its websocket). Any other
# name is refused: a web page on attacker.example whose name is made to point at 127.0.0.1 (DNS
# rebinding) gets no connection. Behind a reverse proxy that passes its own host name on, add it
# with --allowed-host.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def streamlit_command(port: int, allowed_hosts: Sequence[str] = (), host: str = "127.0.0.1") -> list[str]:
    hosts = [h for h in (*LOCAL_HOSTS, *allowed_hosts, host) if h]
    return [
        sys.executable,
        "-m",
        "dashboards.server",  # streamlit, with its old pages/ folder mode off (see the module)
        "run",
        str(DASHBOARD_APP),
        "--server.headless",
        "true",
        "--server.address",
        host,
        # uploads (数据报送) are accepted only with the page's XSRF token
        "--server.enableXsrfProtection",
        "true",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--runner.postScriptGC",  # see .streamlit/config.toml
        "false",
        *[arg for host in dict.fromkeys(hosts) for arg in ("--server.allowedHosts", host)],
    ]


def _exec(command: list[str]) -> None:
    # A process started from a non-interactive shell inherits SIGINT=ignored (and exec keeps it):
    # give Ctrl-C and SIGTERM their meaning back before handing over, or they would not stop it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.execv(command[0], command)


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="端口")] = 8501,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(help="经反向代理访问时浏览器使用的主机名（可重复）；默认只接受 localhost 和 127.0.0.1"),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="可信的反向代理地址（可重复，如 127.0.0.1；也可用环境变量 DANGJIAN_TRUSTED_PROXIES，"
            "逗号分隔）：只有来自它的 X-Forwarded-For 才被采信，用于按客户端限制登录失败；默认不采信"
        ),
    ] = None,
    host: Annotated[
        str,
        typer.Option(
            help="监听地址；127.0.0.1 以外的地址（校园网访问）须先用 dangjian user add 添加登录用户"
        ),
    ] = "127.0.0.1",
    daemon: Annotated[
        bool, typer.Option(help="同时启动 Dagster 守护进程：收件箱有新文件（含数据报送）时自动运行")
    ] = True,
) -> None:
    """启动看板（只读 serving.duckdb），地址 http://127.0.0.1:PORT ；并启动自动运行的守护进程。"""
    from dagster_project.access import UserError, read_users

    home = _home()
    if host not in LOOPBACK:
        try:
            logins = read_users(home.users)
        except UserError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        if not logins:
            console.print(
                f"[red]尚无登录用户：免登录的看板只能在本机（127.0.0.1）使用，不能监听 {host}。"
                "请先用 dangjian user add 添加用户。[/red]"
            )
            raise typer.Exit(2)
    if not home.serving.exists():
        console.print(f"[yellow]尚无发布的数据快照 {home.serving}，请先运行 dangjian run。[/yellow]")
    console.print(f"看板：http://{host}:{port}  （数据：{home.serving}）")
    if trusted_proxy:  # else whatever DANGJIAN_TRUSTED_PROXIES says (none when unset)
        os.environ[TRUSTED_PROXIES_ENV] = ",".join(trusted_proxy)
    os.chdir(REPO_ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    command = streamlit_command(port, allowed_host or (), host)
    if not daemon:
        _exec(command)
    import subprocess

    from dagster_project.pipeline.daemon import start_daemon, supervise

    console.print(f"自动运行：Dagster 守护进程（收件箱传感器，日志 {home.dagster_home / 'daemon.log'}）")
    children = [subprocess.Popen(command), start_daemon(home)]
    raise typer.Exit(supervise(children))


@app.command()
def up(
    port: Annotated[int, typer.Option(help="看板端口")] = 8501,
    seed: Annotated[int, typer.Option(help="演示数据随机种子")] = 2026,
) -> None:
    """一步启动：inbox 为空时生成演示数据，运行流程，然后启动看板。"""
    home = _home()
    if not any(p.is_file() for p in home.inbox.rglob("*")):
        demo(seed=seed, scale=1.0)
    run()
    serve(port=port, allowed_host=None, trusted_proxy=None, host="127.0.0.1", daemon=True)


@app.command()
def ui(port: Annotated[int, typer.Option(help="Dagster UI 端口")] = 3000) -> None:
    """启动 Dagster UI（传感器、定时任务、血缘、运行记录），使用同一个 DANGJIAN_HOME。"""
    home = _home()
    dagster = str(Path(sys.executable).with_name("dagster"))
    console.print(f"Dagster UI：http://127.0.0.1:{port}  （运行记录：{home.dagster_home}）")
    _exec([dagster, "dev", "-m", "dagster_project.definitions", "-h", "127.0.0.1", "-p", str(port)])


if __name__ == "__main__":
    app()
