"""数据质量, 自助查询 and 模板下载 through Streamlit's AppTest, plus the read-only SQL functions of data.py.

Runs against the hand-written snapshot in serving_fixture.py; every number asserted is typed into
the fixture, not recomputed by the dashboard.
"""

import io
import json
import threading
import time
import zipfile
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook
from streamlit.testing.v1 import AppTest

from dagster_project.contracts import SHEET_KINDS
from dagster_project.reports.templates import template_name
from dashboards import catalog, downloads, sql_sandbox, sql_worker
from dashboards import snapshot as reader
from dashboards.sql_policy import QueryError, check_readonly_sql
from tests.support.serving_fixture import (
    BROKEN_FILE,
    CLEAN_FILE,
    GOOD_FILE,
    LOAD_SUMMARY,
    REJECTS,
    UNREADABLE,
    build_serving_db,
    marts_contract,
)

APP = Path(__file__).resolve().parents[2] / "dashboards" / "app.py"
QUALITY = "pages/data_quality.py"
SQL = "pages/sql_query.py"
TEMPLATES = "pages/templates.py"
# marts.branch_scores holds 8 rows: a 12-way cross join is 8^12 ≈ 6.9e10 rows to count.
HUGE_CROSS_JOIN = "select count(*) from " + ", ".join(f"branch_scores t{i}" for i in range(12))


@pytest.fixture(scope="module")
def serving_db(tmp_path_factory) -> Path:
    return build_serving_db(tmp_path_factory.mktemp("pages") / "serving.duckdb")


@pytest.fixture
def snapshot(serving_db, monkeypatch) -> Path:
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(serving_db))
    return serving_db


@pytest.fixture
def manifest(tmp_path, monkeypatch) -> Path:
    """A small dbt manifest: descriptions the snapshot's comments do not carry."""
    path = tmp_path / "manifest.json"
    nodes = {
        "model.dangjian.branch_scores": {
            "resource_type": "model",
            "name": "branch_scores",
            "schema": "marts",
            "fqn": ["dangjian", "marts", "branch_scores"],
            "description": "党支部“七个有力”得分：\n每个党支部每考核期一行。",
            "columns": {"total": {"name": "total", "description": "总分（0–100）"}},
        },
        "model.dangjian.load_summary": {
            "resource_type": "model",
            "name": "load_summary",
            "schema": "marts",
            "fqn": ["dangjian", "marts", "load_summary"],
            "description": "manifest 的说明（快照注释优先）",
            "columns": {
                "rows_read": {"name": "rows_read", "description": "manifest 的读取行数"},
                "rows_loaded": {"name": "rows_loaded", "description": "入库行数（行）"},
            },
        },
        "model.dangjian.stg_inbox__members": {
            "resource_type": "model",
            "name": "stg_inbox__members",
            "schema": "staging",
            "fqn": ["dangjian", "staging", "stg_inbox__members"],
            "description": "not a mart",
            "columns": {},
        },
    }
    path.write_text(json.dumps({"nodes": nodes}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(catalog, "MANIFEST_PATH", path)
    return path


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def download_labels(at: AppTest) -> list[str]:
    return [element.proto.label for element in at.get("download_button")]


def chart_datasets(at: AppTest) -> list[dict[str, list]]:
    out = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            out.append(pa.ipc.open_stream(dataset.data.data).read_all().to_pydict())
    return out


def submit_sql(at: AppTest, sql: str, limit: int | None = None) -> AppTest:
    at.text_area(key="sql_text").input(sql)
    if limit is not None:
        at.number_input(key="sql_limit").set_value(limit)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


# ---- 数据质量 ---------------------------------------------------------------------------------------


def test_quality_metrics_are_the_fixtures_sums(snapshot):
    at = open_page(QUALITY)
    assert at.title[0].value == "数据质量"
    expected = {
        "文件数": len(LOAD_SUMMARY),
        "读取行数": sum(r[3] for r in LOAD_SUMMARY),
        "入库行数": sum(r[4] for r in LOAD_SUMMARY),
        "拒收行数": sum(r[5] for r in LOAD_SUMMARY),
        "无法读取的文件": sum(r[7] is not None for r in LOAD_SUMMARY),
    }
    assert metrics(at) == {label: str(value) for label, value in expected.items()}
    assert metrics(at) == {
        "文件数": "3",
        "读取行数": "165",
        "入库行数": "162",
        "拒收行数": "3",
        "无法读取的文件": "1",
    }


def test_quality_per_file_table(snapshot):
    files = open_page(QUALITY).dataframe[0].value
    assert files["文件"].tolist() == [BROKEN_FILE, CLEAN_FILE, GOOD_FILE]  # latest read first
    assert files["表格类型"].tolist() == ["", "党员花名册", "党员花名册、学习培训台账、组织生活台账"]
    assert files["读取行数"].tolist() == [0, 45, 120]
    assert files["入库行数"].tolist() == [0, 45, 117]
    assert files["拒收行数"].tolist() == [0, 0, 3]
    assert files["状态"].tolist() == ["无法读取", "全部入库", "有拒收"]
    assert files["问题"].tolist() == [UNREADABLE, "", ""]


def test_quality_chart_has_rejected_rows_as_numbers(snapshot):
    (bars,) = chart_datasets(open_page(QUALITY))
    assert bars["source_file"] == [GOOD_FILE]  # files without rejected rows are not drawn
    assert bars["rows_rejected"] == [3.0]
    assert all(isinstance(v, float) for v in bars["rows_rejected"] + bars["rows_read"])


def test_quality_rejects_table_and_file_filter(snapshot):
    at = open_page(QUALITY)
    rejects = at.dataframe[1].value
    assert len(rejects) == len(REJECTS)
    assert rejects["文件"].tolist() == [GOOD_FILE] * 4 + [BROKEN_FILE]
    assert rejects["工作表"].tolist() == [
        "党员花名册",
        "党员花名册",
        "学习培训台账",
        "组织生活台账",
        "整个文件",
    ]
    assert rejects["列"].tolist()[:4] == ["入党日期", "出生日期", "工号/学号", "实到人数"]
    assert rejects["行号"].tolist()[:4] == [5, 5, 7, 9]
    assert rejects["表格类型"].tolist()[:4] == ["党员花名册", "党员花名册", "学习培训台账", "组织生活台账"]
    assert rejects["检查阶段"].tolist()[:4] == ["读取检查", "读取检查", "交叉核对", "读取检查"]
    assert rejects["整行内容"][0] == "年度=2024；工号/学号=20240012；姓名=张三；出生日期=2030-01-01"
    assert at.selectbox(key="reject_file").options == ["全部文件", GOOD_FILE, BROKEN_FILE]
    assert download_labels(at) == ["下载退回清单（Excel）"]

    at.selectbox(key="reject_file").set_value(BROKEN_FILE).run()
    assert not at.exception
    only = at.dataframe[1].value
    assert only["文件"].tolist() == [BROKEN_FILE]
    assert only["工作表"].tolist() == ["整个文件"]
    assert only["原因"].tolist() == [UNREADABLE]
    assert download_labels(at) == ["下载退回清单（Excel）"]


def test_rejects_workbook_is_the_exports_workbook(snapshot):
    def sheet(content: bytes, name: str) -> list[list]:
        return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name(name).to_python()

    every = sheet(downloads.rejects_workbook(None), "退回清单")
    assert every[0] == ["文件", "工作表", "行号", "列", "原始值", "原因", "整行内容"]
    assert len(every) == 1 + len(REJECTS)
    good = sheet(downloads.rejects_workbook(GOOD_FILE), "退回清单")
    assert [row[0] for row in good[1:]] == [GOOD_FILE] * 4
    assert [row[3] for row in good[1:]] == ["入党日期", "出生日期", "工号/学号", "实到人数"]
    with pytest.raises(ValueError, match="未找到文件"):
        downloads.rejects_workbook("没有这个文件.xlsx")


def test_quality_empty_inbox(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("delete from marts.load_summary")
        con.execute("delete from marts.rejects")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    at = open_page(QUALITY)
    assert "收件箱为空，请先导入" in at.info[0].value
    assert not at.metric and not at.dataframe


def test_quality_without_tables(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("drop table marts.load_summary")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    at = open_page(QUALITY)
    assert "dangjian run" in at.info[0].value
    assert not at.dataframe


def test_quality_without_rejects(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("delete from marts.rejects")
        con.execute("update marts.load_summary set rows_loaded = rows_read, rows_rejected = 0")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    at = open_page(QUALITY)
    assert metrics(at)["拒收行数"] == "0"
    assert [s.value for s in at.success] == [
        "所有文件的数据行都已入库，没有拒收的行。",
        "没有拒收记录，无需退回修改。",
    ]
    assert len(at.dataframe) == 1 and not download_labels(at)


def test_quality_snapshot_without_optional_reject_columns(tmp_path, monkeypatch):
    path = build_serving_db(tmp_path / "serving.duckdb")
    with duckdb.connect(str(path)) as con:
        for column in ("row_values", "check_stage", "kind"):
            con.execute(f"alter table marts.rejects drop column {column}")
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(path))
    rejects = open_page(QUALITY).dataframe[1].value
    assert len(rejects) == len(REJECTS)
    assert rejects["整行内容"].isna().all()


# ---- 自助查询 ---------------------------------------------------------------------------------------


def test_sql_page_runs_a_query(snapshot, manifest):
    at = open_page(SQL)
    assert at.title[0].value == "自助查询"
    assert "from marts.branch_scores" in at.text_area(key="sql_text").value
    assert "运行查询" in at.info[0].value
    submit_sql(
        at,
        "-- 年终排名\nselect branch_code, total from marts.branch_scores\n"
        "where period = '2024Q4' order by rank_overall; -- 分号后只有注释",
    )
    result = at.dataframe[-1].value
    assert result["branch_code"].tolist() == ["C01B01", "C02B01", "C02B02", "C01B02"]
    assert result["total"].tolist() == [90.57, 89.14, 77.93, 72.29]
    assert any(c.value.startswith("返回 4 行 × 2 列") for c in at.caption)
    assert not at.warning
    assert download_labels(at) == ["下载 CSV", "下载 Excel"]


def test_sql_page_says_when_truncated(snapshot, manifest):
    at = submit_sql(
        open_page(SQL), "select branch_code from branch_scores order by period, branch_code", limit=3
    )
    assert at.dataframe[-1].value["branch_code"].tolist() == ["C01B01", "C01B02", "C02B01"]
    assert "只显示前 3 行" in at.warning[0].value


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("attach '/tmp/other.duckdb' as other", "不允许执行 ATTACH"),
        ("select 1; select 2", "一次只能执行一条"),
        ("select * from read_csv('/etc/passwd')", "不允许读取文件"),
        ("select * from marts.no_such_table", "找不到表"),
    ],
)
def test_sql_page_errors_are_messages(snapshot, manifest, sql, message):
    at = submit_sql(open_page(SQL), sql)
    assert len(at.error) == 1 and message in at.error[0].value
    assert not at.exception
    assert not download_labels(at)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select no_such_column from marts.branch_scores", "找不到列「no_such_column」"),
        ("select cast(branch_name as integer) from marts.branch_scores", "类型转换失败：「"),
        ("select total + branch_name from marts.branch_scores", "函数或运算的参数类型不对"),
    ],
)
def test_sql_page_errors_in_chinese_with_the_original_folded(snapshot, manifest, sql, message):
    at = submit_sql(open_page(SQL), sql)
    assert len(at.error) == 1 and at.error[0].value.startswith(message), at.error[0].value
    assert " Error" not in at.error[0].value  # no English sentence of DuckDB's in the message
    (folded,) = [e for e in at.expander if e.label == "数据库的原始错误信息"]
    assert "Error" in folded.code[0].value  # DuckDB's own words, for whoever needs the position


def test_sql_catalog_prefers_snapshot_comments_then_manifest(snapshot, manifest):
    at = open_page(SQL)
    tables = at.dataframe[0].value.set_index("表")
    assert tables.loc["load_summary", "说明"] == "数据质量：每个收件箱文件一行"  # comment in the snapshot
    assert (
        tables.loc["branch_scores", "说明"] == "党支部“七个有力”得分： 每个党支部每考核期一行。"
    )  # manifest
    assert tables.loc["dim_org", "说明"] == ""
    assert tables.loc["load_summary", "列数"] == len(marts_contract("load_summary"))

    at.selectbox(key="catalog_table").set_value("load_summary").run()
    columns = at.dataframe[1].value.set_index("列")
    assert columns.loc["rows_read", "说明"] == "读取行数（行）"
    assert columns.loc["rows_loaded", "说明"] == "入库行数（行）"
    assert columns.loc["rows_read", "类型"] == "BIGINT"


RULEBOOK_TABLES = {"rule_dimensions", "rule_grades", "rule_tiers"}


def test_sql_catalog_without_manifest(snapshot, tmp_path, monkeypatch):
    monkeypatch.setattr(catalog, "MANIFEST_PATH", tmp_path / "missing" / "manifest.json")
    marts = catalog.marts_catalog()
    assert (
        set(marts["table_name"]) == {"branch_scores", "dim_org", "load_summary", "rejects"} | RULEBOOK_TABLES
    )
    described = marts.filter(pl.col("column_description") != "")
    assert described["column_name"].to_list() == ["rows_read"]  # only what the snapshot comments say
    assert not open_page(SQL).exception


def test_manifest_being_rewritten_is_ignored(tmp_path, monkeypatch):
    broken = tmp_path / "manifest.json"
    broken.write_text('{"nodes": {', encoding="utf-8")
    monkeypatch.setattr(catalog, "MANIFEST_PATH", broken)
    assert catalog.dbt_descriptions() == {}


# ---- check_readonly_sql -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sql", "keyword"),
    [
        ("attach '/tmp/x.duckdb' as x", "ATTACH"),
        ("ATTACH DATABASE 'x.duckdb'", "ATTACH"),
        ("copy marts.dim_org to '/tmp/out.csv'", "COPY"),
        ("install httpfs", "INSTALL"),
        ("load httpfs", "LOAD"),
        ("pragma database_list", "PRAGMA"),
        ("set enable_external_access = true", "SET"),
        ("call pragma_version()", "CALL"),
        ("export database '/tmp/dump'", "EXPORT"),
        ("detach snapshot", "DETACH"),
        ("insert into marts.dim_org select * from marts.dim_org", "INSERT"),
        ("create table x as select 1", "CREATE"),
        ("drop table marts.dim_org", "DROP"),
        ("  -- 先挂载\n/* 再查询 */ attach 'x' as y", "ATTACH"),
    ],
)
def test_forbidden_statements(sql, keyword):
    message = check_readonly_sql(sql)
    assert message is not None and keyword in message
    assert "SELECT 或 WITH" in message


@pytest.mark.parametrize(
    "sql",
    [
        "select 1",
        "SELECT * FROM marts.dim_org",
        "with t as (select 1 as x) select x from t",
        "select ';' as semicolon",
        "select 'it''s; fine' as text",
        'select 1 as "a;b"',
        "select $$a;b$$ as dollar",
        "select E'a\\';b' as escaped",
        "select 1;",
        "select 1;  -- 结尾的注释\n",
        "-- 注释里的 attach; drop\nselect 1 /* ; copy */",
        "/* 外层 /* 嵌套 ; */ 注释 */ select 1",
        "\n\n   select\n1\n",
    ],
)
def test_allowed_statements(sql):
    assert check_readonly_sql(sql) is None


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select 1; select 2", "一次只能执行一条"),
        ("select 1; attach 'x' as y", "一次只能执行一条"),
        ("select 1;\n-- 注释\n;drop table marts.dim_org", "一次只能执行一条"),
        ("", "请输入查询语句"),
        ("   \n ", "请输入查询语句"),
        ("-- 只有注释", "只有注释"),
        ("select 'abc", "未配对的引号"),
        ("select 1 /* 没有结束", "未结束的注释"),
        ("describe marts.dim_org", "只能执行以 SELECT 或 WITH 开头"),
        ("explain select 1", "只能执行以 SELECT 或 WITH 开头"),
        ("with t as (select 1 as x) insert into marts.dim_org select * from t", "会修改数据"),
        ("select from where", "SQL 语法错误"),
    ],
)
def test_refused_statements(sql, message):
    refused = check_readonly_sql(sql)
    assert refused is not None and message in refused


# ---- run_readonly_sql ---------------------------------------------------------------------------


def test_run_reads_marts(snapshot):
    frame, truncated = sql_sandbox.run_readonly_sql(
        "select branch_code, total from marts.branch_scores where period = '2024Q3' order by rank_overall"
    )
    assert frame["branch_code"].to_list() == ["C02B01", "C01B01", "C01B02", "C02B02"]
    assert frame["total"].to_list() == [95.17, 87.25, 68.42, 48.33]
    assert truncated is False
    # unqualified names resolve to marts
    frame, _ = sql_sandbox.run_readonly_sql("select count(*) as n from branch_scores")
    assert frame["n"].to_list() == [8]


# 8 × 8 rows numbered 1…64; 8^5 = 32,768 rows.
ROWS_64 = "select (row_number() over ())::BIGINT as i from branch_scores a, branch_scores b order by i"
ROWS_32768 = "select a.branch_code from branch_scores a, branch_scores b, branch_scores c, branch_scores d, branch_scores e"


def test_row_limit_and_truncation(snapshot):
    frame, truncated = sql_sandbox.run_readonly_sql(ROWS_64, limit=10)
    assert frame["i"].to_list() == list(range(1, 11)) and truncated is True
    frame, truncated = sql_sandbox.run_readonly_sql(ROWS_64, limit=64)
    assert frame.height == 64 and truncated is False
    frame, truncated = sql_sandbox.run_readonly_sql(ROWS_32768, limit=1_000_000)
    assert frame.height == sql_sandbox.SQL_MAX_LIMIT == 10_000 and truncated is True
    frame, truncated = sql_sandbox.run_readonly_sql("select 1 as x", limit=0)
    assert frame.height == 1 and truncated is False
    frame, _ = sql_sandbox.run_readonly_sql(ROWS_32768)
    assert frame.height == sql_sandbox.SQL_DEFAULT_LIMIT == 1_000


def test_timeout_interrupts_a_huge_cross_join(snapshot):
    started = time.monotonic()
    with pytest.raises(QueryError, match="查询超时"):
        sql_sandbox.run_readonly_sql(HUGE_CROSS_JOIN, timeout_s=3)
    assert time.monotonic() - started < 15


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "select * from glob('/etc/*')",
        "select * from read_parquet('/tmp/anything.parquet')",
        "select * from query('select * from read_csv(''/etc/passwd'')')",
    ],
)
def test_files_are_not_reachable(snapshot, sql):
    with pytest.raises(QueryError, match="不允许读取文件"):
        sql_sandbox.run_readonly_sql(sql)


def test_only_the_snapshot_is_reachable(snapshot):
    with pytest.raises(QueryError, match="找不到表 raw.members"):
        sql_sandbox.run_readonly_sql("select * from raw.members")
    with pytest.raises(QueryError, match="不允许查看数据库设置或系统信息（函数 duckdb_tables）"):
        sql_sandbox.run_readonly_sql("select distinct schema_name from duckdb_tables()")
    with pytest.raises(QueryError, match="不允许执行 ATTACH"):
        sql_sandbox.run_readonly_sql("attach '/etc/passwd' as x")


def test_awkward_types_become_displayable(snapshot):
    frame, _ = sql_sandbox.run_readonly_sql(
        "select sum(member_count::BIGINT) as s, [1, 2] as l, {'a': 1} as st, interval 1 day as iv, "
        "1 as x, 2 as x from marts.branch_scores"
    )
    assert frame.columns == ["s", "l", "st", "iv", "x", "x_1"]
    assert frame.row(0) == (210, "[1, 2]", "{'a': 1}", "1 day", 1, 2)
    assert downloads.csv_bytes(frame).startswith("\ufeffs,l,st,iv,x,x_1\n".encode())
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(downloads.xlsx_bytes(frame))).get_sheet_by_name(
        "查询结果"
    )
    assert sheet.to_python()[0] == ["s", "l", "st", "iv", "x", "x_1"]


def test_xlsx_keeps_user_text_as_text(snapshot):
    frame, _ = sql_sandbox.run_readonly_sql("select '=1+1' as a, 'https://example.com' as b, '0012' as c")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(downloads.xlsx_bytes(frame))).get_sheet_by_name(
        "查询结果"
    )
    assert rows.to_python()[1] == ["'=1+1", "https://example.com", "0012"]  # a formula only as text


def test_sandbox_does_not_block_the_dashboard(snapshot):
    """The query's locked-down DuckDB is its own instance: other pages keep reading meanwhile."""
    errors: list[BaseException] = []

    def slow() -> None:
        try:
            sql_sandbox.run_readonly_sql(HUGE_CROSS_JOIN, timeout_s=2)
        except QueryError as error:
            errors.append(error)

    worker = threading.Thread(target=slow)
    worker.start()
    time.sleep(0.5)
    count = reader.run_query(snapshot, "select count(*)::BIGINT as n from marts.branch_scores")
    assert count["n"].to_list() == [8]
    worker.join(15)
    assert not worker.is_alive() and "查询超时" in str(errors[0])
    assert reader.run_query(snapshot, "select current_setting('enable_external_access') as e")["e"][0] is True


def test_no_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_SERVING_DB", str(tmp_path / "missing.duckdb"))
    with pytest.raises(QueryError, match="尚无发布的数据"):
        sql_sandbox.run_readonly_sql("select 1")


def test_refused_sql_is_not_run(snapshot):
    with pytest.raises(QueryError, match="不允许执行 COPY"):
        sql_sandbox.run_readonly_sql("copy (select 1) to '/tmp/should_not_exist.csv'")
    assert not Path("/tmp/should_not_exist.csv").exists()


# 8^8 ≈ 16.8 million rows.
TEN_MILLION_ROWS = "select a.branch_code as a, h.branch_code as b from " + ", ".join(
    f"branch_scores {t}" for t in "abcdefgh"
)


def test_a_ten_million_row_cross_join_stops_at_the_row_limit(snapshot):
    started = time.monotonic()
    frame, truncated = sql_sandbox.run_readonly_sql(TEN_MILLION_ROWS, limit=1_000_000)
    assert frame.height == sql_sandbox.SQL_MAX_LIMIT and truncated is True
    assert (
        time.monotonic() - started < sql_sandbox.SQL_TIMEOUT_S
    )  # the limit is pushed down, not 10M rows fetched


def test_a_ten_million_row_cross_join_that_must_be_sorted_hits_the_time_limit(snapshot):
    with pytest.raises(QueryError, match="查询超时"):
        sql_sandbox.run_readonly_sql(
            f"{TEN_MILLION_ROWS}, branch_scores i order by md5(a || '-' || b || c.period || i.period)",
            timeout_s=2,
        )


@pytest.mark.parametrize(
    ("sql", "error"),
    [
        ("attach '{tmp}/other.duckdb' as other", "Permission"),
        ("copy (select * from marts.dim_org) to '{tmp}/out.csv'", "Permission"),
        ("export database '{tmp}/dump'", "Permission"),
        ("install httpfs", "Permission"),
        ("load httpfs", "Permission"),
        ("set enable_external_access = true", "Cannot change configuration"),
        ("pragma enable_profiling", "Cannot change configuration"),
        ("set memory_limit = '20GB'", "Cannot change configuration"),
        ("set temp_directory = '{tmp}'", "Cannot change configuration"),
        ("insert into marts.dim_org select * from marts.dim_org", "Cannot execute statement"),
        ("drop table marts.branch_scores", "Cannot execute statement"),
        ("create table marts.x as select 1", "Cannot execute statement"),
    ],
)
def test_the_sandbox_itself_refuses_what_the_checker_refuses(snapshot, tmp_path, sql, error):
    """Defence in depth: even a statement that slipped past check_readonly_sql could neither write the
    snapshot nor touch files, extensions or the query's limits (the worker's own connection)."""
    target = tmp_path / "attack"
    target.mkdir()
    before = Path(snapshot).read_bytes()
    con = sql_worker.sandbox_connection(str(snapshot), str(tmp_path / "spill"), memory_mb=256, temp_mb=64)
    try:
        with pytest.raises(duckdb.Error, match=error):
            con.execute(sql.format(tmp=target))
    finally:
        con.close()
    assert list(target.iterdir()) == []
    assert Path(snapshot).read_bytes() == before


# ---- 模板下载 ---------------------------------------------------------------------------------------


def test_templates_page(snapshot):
    at = open_page(TEMPLATES)
    assert at.title[0].value == "模板下载"
    assert download_labels(at) == ["下载全部模板（zip）", *[k.title for k in SHEET_KINDS]]
    kinds = at.dataframe[0].value
    assert kinds["表格类型"].tolist() == [k.title for k in SHEET_KINDS]
    assert kinds["模板文件"].tolist() == [template_name(k) for k in SHEET_KINDS]
    members = kinds.set_index("表格类型").loc["党员花名册"]
    assert members["必填列"] == "年度、工号/学号、姓名、人员类别、所在党支部编码、党籍状态"
    assert "公民身份证号码" in members["其他列"]


def test_template_bytes_are_the_generated_workbooks():
    workbooks = downloads.template_workbooks()
    assert list(workbooks) == [k.kind for k in SHEET_KINDS]
    for kind in SHEET_KINDS:
        name, content = workbooks[kind.kind]
        assert name == template_name(kind)
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        headers = {str(cell) for row in book.get_sheet_by_index(0).to_python()[:4] for cell in row}
        assert {c.header for c in kind.required} <= headers
    with zipfile.ZipFile(io.BytesIO(downloads.templates_zip())) as archive:
        assert archive.namelist() == [template_name(k) for k in SHEET_KINDS]
