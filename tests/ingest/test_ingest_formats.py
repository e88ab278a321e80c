"""CSV and Parquet inputs go through the same header recognition, rules and rejects as workbooks.

Row numbers are the ones a user can find: for CSV the record's row when Excel opens the file (the
first line is row 1, blank lines count, a quoted value spanning lines is one row); for Parquet, whose
header is the column names, data row i (0-based) is row i + 2.
"""

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dagster_project.ingest.deadlines import parse_deadline
from dagster_project.ingest.reader import parse_file
from dagster_project.ingest.worker import parse_files
from tests.ingest.test_ingest import Inbox
from tests.support.tiny_university import MEMBER
from tests.support.workbooks import write_workbook

D = dt.date
TODAY = D(2026, 11, 23)


@pytest.fixture
def box(tmp_path) -> Inbox:
    inbox = Inbox(tmp_path)
    write_workbook(
        inbox.inbox / "花名册.xlsx",
        {"花名册": ("members", [{**MEMBER, "member_key": k} for k in ("0007", "0008")])},
    )
    return inbox


def test_csv_with_title_rows_quoted_line_break_blank_line_and_footer(box):
    (box.inbox / "培训.csv").write_text(
        "文学院学习培训台账（2024年度）,,,,,,,\n"  # row 1
        ",,,,,,,\n"  # row 2
        "工号,姓名,培训名称,形式,开始日期,结束日期,学时,主办单位\n"  # row 3: the header, an alias for 工号/学号
        "0007,李四,党史学习,支部学习,2024-03-01,,4.5,文学院\n"  # row 4
        '0008,王五,"党史学习\n（第二期）",网络学习,2024.03.02,,两小时,\n'  # row 5: one record, two lines
        "\n"  # row 6: blank
        "0007,李四,党章学习,专题讲座,2024/3/9,,３,\n"  # row 7
        "合计,,,,,,7.5,\n",  # row 8: footer, not data
        encoding="utf-8",
    )
    box.sync()
    assert box.rows(
        "select member_key, course, form, started_on, hours, organizer, _sheet, _row_number "
        "from raw.training order by _row_number"
    ) == [
        ("0007", "党史学习", "支部学习", D(2024, 3, 1), 4.5, "文学院", "培训", 4),
        ("0007", "党章学习", "专题讲座", D(2024, 3, 9), 3.0, None, "培训", 7),
    ]
    assert box.rejects("培训.csv") == [("培训.csv", "培训", 5, "学时", "两小时", "「学时」应为数字")]
    assert box.con.execute(
        "select rows_read, rows_loaded, rows_rejected from raw.files where source_file = '培训.csv'"
    ).fetchone() == (3, 2, 1)


def test_parquet_with_typed_columns(box):
    pl.DataFrame(
        {
            "年度": [2024, 2024, 2024],
            "工号/学号": ["0001", "0002", "0003"],
            "姓名": ["张三", "李四", "王五"],
            "人员类别": ["教职工", "教职工", "学生"],
            "所在党支部编码": ["0101", "0101", "0102"],
            "党籍状态": ["正式党员", "积极分子", "预备党员"],
            "出生日期": [D(1990, 1, 1), D(1991, 2, 3), D(2003, 2, 1)],
            "入党日期": [D(2015, 7, 1), None, D(2024, 5, 1)],
            "是否失联党员": [False, False, True],
            "备注": [1.5, None, 2.0],  # not a contract column: ignored
        }
    ).write_parquet(box.inbox / "名单.parquet")
    box.sync()
    assert box.rows(
        "select member_key, category, born_on, joined_on, lost_contact, party_role, _sheet, _row_number "
        "from raw.members where _source_file = '名单.parquet' order by _row_number"
    ) == [
        ("0001", "教职工", D(1990, 1, 1), D(2015, 7, 1), False, "普通党员", "名单", 2),
        ("0003", "学生", D(2003, 2, 1), D(2024, 5, 1), True, "普通党员", "名单", 4),
    ]
    assert box.rejects("名单.parquet") == [
        (
            "名单.parquet",
            "名单",
            3,
            "党籍状态",
            "积极分子",
            "「党籍状态」的值不在允许范围内（正式党员/预备党员）",
        )
    ]


def test_unreadable_parquet_is_one_reject(box):
    (box.inbox / "坏的.parquet").write_bytes(b"PAR1 this is not parquet")
    box.sync()
    ((_, sheet, row, _, _, reason),) = box.rejects("坏的.parquet")
    assert (sheet, row) == (None, None)
    assert reason.startswith("文件无法读取（可能已损坏或不是真正的 Parquet 文件）")


def test_values_that_used_to_stop_the_whole_ingest_are_rejects(box):
    # a blank year with a deadline in months only, a month 13, "nan" as an amount and a count too large
    # for an integer once made parsing raise; now each is a reject and the other rows load
    assert parse_deadline("6月-9月", None) == (None, False)
    assert parse_deadline("13月上旬前", 2024) == (None, False)
    (box.inbox / "任务.csv").write_text(
        "年度,任务编号,工作任务,责任单位编码,完成时限,进度状态\n"
        ",T1,开展党员冬训,01,6月-9月,推进中\n"
        "2024,T2,开展党员冬训,01,13月上旬前,推进中\n"
        "2024,T3,开展党员冬训,01,6月-9月,推进中\n",
        encoding="utf-8",
    )
    (box.inbox / "经费.csv").write_text(
        "组织编码,日期,类型,金额\n0101,2024-03-01,支出,nan\n0101,2024-03-02,支出,120\n", encoding="utf-8"
    )
    (box.inbox / "架构补充.csv").write_text(
        "年度,组织编码,组织名称,组织类型,上级组织编码,教职工人数\n"
        "2024,02,理学院党委,党委,00,100000000000000000000\n",
        encoding="utf-8",
    )
    box.sync()
    assert box.rejects("任务.csv") + box.rejects("经费.csv") + box.rejects("架构补充.csv") == [
        ("任务.csv", "任务", 2, "完成时限", "6月-9月", "完成时限无法识别"),
        ("任务.csv", "任务", 2, "年度", None, "缺少必填项「年度」"),
        ("任务.csv", "任务", 3, "完成时限", "13月上旬前", "完成时限无法识别"),
        ("经费.csv", "经费", 2, "金额", "nan", "「金额」应为数字"),
        ("架构补充.csv", "架构补充", 2, "教职工人数", "100000000000000000000", "「教职工人数」数值过大"),
    ]
    assert box.rows("select task_id, deadline from raw.tasks") == [("T3", D(2024, 9, 30))]
    assert box.rows("select amount from raw.funding") == [(120.0,)]


def test_files_parsed_in_worker_processes_give_the_same_results(box):
    (box.inbox / "培训.csv").write_text(
        "工号/学号,培训名称,开始日期,学时\n0007,党史学习,2024-03-01,4\n0008,党史学习,2024-03-01,x\n",
        encoding="utf-8",
    )
    files = [(p, p.name, TODAY) for p in sorted(box.inbox.iterdir())]
    here = [parse_file(*f) for f in files]
    alone = [p.result for p in parse_files(files, workers=1)]
    pooled = [p.result for p in parse_files(files, workers=2, min_bytes=0)]
    assert [r.source_file for r in pooled] == [r.source_file for r in alone] == [name for _, name, _ in files]
    for a, b in [*zip(here, alone, strict=True), *zip(here, pooled, strict=True)]:
        assert [s.kind for s in a.sheets] == [s.kind for s in b.sheets]
        for sa, sb in zip(a.sheets, b.sheets, strict=True):
            assert_frame_equal(sa.loaded, sb.loaded)
            assert_frame_equal(sa.rejects, sb.rejects)
    training = next(r for r in pooled if r.source_file == "培训.csv")
    assert training.rows_read == 2 and training.rows_loaded == 1
    assert training.rejects["reason"].to_list() == ["「学时」应为数字"]


def test_parquet_row_numbers_count_the_column_names_as_row_1(tmp_path):
    path = tmp_path / "党费.parquet"
    pl.DataFrame(
        {
            "工号": ["0007", "0008", "0009"],
            "月份": ["2024-07", "2024-13", "2024-08"],
            "应交金额": [50.0, 50.0, 0.00001],  # a tiny number: its text is Python's repr, 1e-05
            "实交金额": [50.0, None, -1.0],
        }
    ).write_parquet(path)
    result = parse_file(path, "党费.parquet", today=TODAY)
    (sheet,) = result.sheets
    assert sheet.loaded.select("member_key", "month", "amount_due", "amount_paid", "_row_number").rows() == [
        ("0007", D(2024, 7, 1), 50.0, 50.0, 2)
    ]
    assert result.rejects.select("row_number", "column_name", "raw_value", "reason").rows() == [
        (3, "月份", "2024-13", "「月份」不是有效月份（应为YYYY-MM）"),
        (4, "实交金额", "-1", "「实交金额」超出范围（应不小于0）"),
    ]
    assert '"应交金额":"1e-05"' in result.rejects["row_values"][1]
