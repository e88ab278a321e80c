"""Ingestion of the spreadsheets colleges really send: every rule has a case here with the exact
rows it loads and the exact rejects (file, sheet, Excel row, column, value, reason) it reports."""

import csv
import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest

from dagster_project.contracts import KINDS
from dagster_project.ingest.deadlines import parse_deadline
from dagster_project.ingest.idcards import id_card_problem
from dagster_project.ingest.store import sync_inbox
from tests.support import tiny_university as tu
from tests.support.workbooks import write_cells, write_workbook

D = dt.date
NOW = dt.datetime(2026, 11, 23, 12, 0)
ORGS = tu.orgs(college_name="文学院", secretaries=False, elections={})
MEMBER = tu.MEMBER


class Inbox:
    def __init__(self, root: Path):
        self.root = root
        self.inbox = root / "inbox"
        self.archive = root / "archive"
        self.inbox.mkdir(parents=True)
        self.con = duckdb.connect(str(root / "warehouse.duckdb"))
        write_workbook(self.inbox / "组织部_组织架构.xlsx", {"组织架构": ("orgs", ORGS)})

    def sync(self, now: dt.datetime = NOW):
        return sync_inbox(self.con, self.inbox, self.archive, now=now)

    def rejects(self, source_file: str | None = None) -> list[tuple]:
        where = "where source_file = ?" if source_file else ""
        return self.con.execute(
            f"select source_file, sheet, row_number, column_name, raw_value, reason from raw.rejects {where} "
            "order by source_file, sheet, row_number, column_name, reason",
            [source_file] if source_file else [],
        ).fetchall()

    def rows(self, sql: str) -> list[tuple]:
        """Run sql with each raw table seen as staging sees it (rows rejected across files left out)."""
        loaded = (
            r"from (select * from raw.\1 as x where not exists (select 1 from raw.rejects as r "
            r"where r.check_stage = 'cross' and r.source_file = x._source_file and r.sheet = x._sheet "
            r"and r.row_number = x._row_number)) as \1"
        )
        return self.con.execute(re.sub(r"from raw\.(\w+)", loaded, sql)).fetchall()


@pytest.fixture
def box(tmp_path) -> Inbox:
    return Inbox(tmp_path)


# --- header recognition ---------------------------------------------------------------------------


def test_header_found_anywhere_with_aliases_fullwidth_and_footers(box):
    write_cells(
        box.inbox / "随便起的名字.xlsx",
        {
            "Sheet1": [
                [],
                [None, None, "文学院  学习培训台账（2024年度）"],
                [],
                [
                    None,
                    None,
                    "工号",
                    "姓 名",
                    "培训名称",
                    "形式",
                    "开始日期",
                    "学　时",
                    "主办单位",
                ],  # 学　时: full-width space
                [None, None, "0007", "李四", "党史学习", "支部学习", D(2024, 3, 1), 4.5, "文学院"],
                [None, None, "0008", "王五", "党史学习", "网络学习", "2024.03.02", "１２", None],
                [],
                [None, None, "合计", None, None, None, None, 16.5],
                [None, None, "填表人：赵六    审核人：钱七"],
            ],
            "说明": [["本表由各学院填写"]],
        },
    )
    write_workbook(
        box.inbox / "members.xlsx",
        {"花名册": ("members", [{**MEMBER, "member_key": "0007"}, {**MEMBER, "member_key": "0008"}])},
    )
    box.sync()
    assert box.rows(
        "select member_key, member_name, course, form, started_on, hours, organizer, _sheet, _row_number, "
        "_source_file from raw.training order by _row_number"
    ) == [
        (
            "0007",
            "李四",
            "党史学习",
            "支部学习",
            D(2024, 3, 1),
            4.5,
            "文学院",
            "Sheet1",
            5,
            "随便起的名字.xlsx",
        ),
        ("0008", "王五", "党史学习", "网络学习", D(2024, 3, 2), 12.0, None, "Sheet1", 6, "随便起的名字.xlsx"),
    ]
    assert box.rejects() == []


def test_several_sheet_kinds_in_one_workbook(box):
    write_workbook(
        box.inbox / "文学院2024.xlsx",
        {
            "A": ("members", [{**MEMBER, "member_key": "0007"}]),
            "B": (
                "training",
                [{"member_key": "0007", "course": "党课", "started_on": D(2024, 5, 1), "hours": 2}],
            ),
            "C": (
                "activities",
                [
                    {
                        "org_code": "0101",
                        "activity_type": "党课",
                        "held_on": D(2024, 5, 1),
                        "expected": 10,
                        "attended": 9,
                    }
                ],
            ),
        },
    )
    box.sync()
    (kinds,) = box.con.execute("select kinds from raw.files where source_file = '文学院2024.xlsx'").fetchone()
    assert kinds == "activities,members,training"
    assert box.rows("select org_code, attended from raw.activities") == [("0101", 9)]


# --- values ---------------------------------------------------------------------------------------


def test_date_spellings_numbers_and_yes_no(box):
    spellings = [
        D(2021, 7, 1),
        "2021.07.01",
        "2021/7/1",
        "2021年7月1日",
        "20210701",
        44378,
        "２０２１－０７－０１",
    ]
    members = [
        {**MEMBER, "member_key": f"00{i}", "joined_on": value, "born_on": D(1990, 1, 1), "lost_contact": yn}
        for i, (value, yn) in enumerate(zip(spellings, ["是", "否", "Y", "N", "√", "×", "y"], strict=True))
    ]
    write_workbook(box.inbox / "m.xlsx", {"花名册": ("members", members)})
    write_workbook(
        box.inbox / "f.xlsx",
        {
            "经费": (
                "funding",
                [
                    {
                        "org_code": "0101",
                        "booked_on": D(2024, 1, 5),
                        "funding_type": "拨款",
                        "amount": "1,200.50",
                    },
                    {
                        "org_code": "0101",
                        "booked_on": D(2024, 2, 5),
                        "funding_type": "支出",
                        "amount": "３００",
                    },
                ],
            )
        },
    )
    box.sync()
    assert box.rows("select member_key, joined_on, lost_contact from raw.members order by 1") == [
        ("000", D(2021, 7, 1), True),
        ("001", D(2021, 7, 1), False),
        ("002", D(2021, 7, 1), True),
        ("003", D(2021, 7, 1), False),
        ("004", D(2021, 7, 1), True),
        ("005", D(2021, 7, 1), False),
        ("006", D(2021, 7, 1), True),
    ]
    assert box.rows("select amount from raw.funding order by booked_on") == [(1200.5,), (300.0,)]
    assert box.rejects() == []


def test_leading_zeros_and_id_cards(box):
    members = [
        {**MEMBER, "member_key": "000123", "id_card": "11010519491231002X"},  # valid
        {**MEMBER, "member_key": "000124", "id_card": "110105194912310021"},  # wrong check digit
        {**MEMBER, "member_key": "000125", "id_card": 110105194912310000},  # a number Excel rounded
        {**MEMBER, "member_key": "000126", "id_card": "1101051949"},  # too short
    ]
    write_workbook(box.inbox / "m.xlsx", {"花名册": ("members", members)})
    box.sync()
    assert box.rows("select member_key, id_card from raw.members") == [("000123", "11010519491231002X")]
    assert box.rejects() == [
        ("m.xlsx", "花名册", 5, "公民身份证号码", "110105194912310021", "身份证号校验位不正确"),
        (
            "m.xlsx",
            "花名册",
            6,
            "公民身份证号码",
            "1.1010519491231e+17",
            "身份证号被Excel当作数字保存，末几位已丢失，请将该列设为文本后重新填写",
        ),
        ("m.xlsx", "花名册", 7, "公民身份证号码", "1101051949", "身份证号应为18位（最后一位可为X）"),
    ]


def test_id_card_checksum_rule():
    assert id_card_problem("11010519491231002X") is None
    assert id_card_problem("440101199001011000") is not None  # checksum wrong and ends in 000: rounded
    assert id_card_problem(None) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年5月底前", (D(2020, 5, 31), True)),
        ("12月底前", (D(2024, 12, 31), True)),
        ("2020年6月-9月", (D(2020, 9, 30), True)),
        ("6月-9月", (D(2024, 9, 30), True)),
        ("11月中旬前", (D(2024, 11, 20), True)),
        ("3月上旬前", (D(2024, 3, 10), True)),
        ("2月底前", (D(2024, 2, 29), True)),
        ("2024-06-30", (D(2024, 6, 30), True)),
        ("常态化推进", (None, True)),
        ("长期坚持", (None, True)),
        ("尽快", (None, False)),
    ],
)
def test_deadline_texts(text, expected):
    assert parse_deadline(text, 2024) == expected


def test_task_deadlines_loaded_with_text_kept(box):
    tasks = [
        {
            "year": 2024,
            "task_id": f"T{i}",
            "task": "任务",
            "owners": "01",
            "deadline": text,
            "status": "推进中",
        }
        for i, text in enumerate(["12月底前", "常态化推进", "尽快"])
    ]
    write_workbook(box.inbox / "t.xlsx", {"任务": ("tasks", tasks)})
    box.sync()
    assert box.rows("select task_id, deadline, deadline_text from raw.tasks order by 1") == [
        ("T0", D(2024, 12, 31), "12月底前"),
        ("T1", None, "常态化推进"),
    ]
    assert box.rejects() == [("t.xlsx", "任务", 6, "完成时限", "尽快", "完成时限无法识别")]


# --- row rules --------------------------------------------------------------------------------------


def test_row_rules_reject_with_reasons_and_keep_the_good_rows(box):
    members = [
        {
            **MEMBER,
            "member_key": "0001",
            "born_on": D(1990, 1, 1),
            "joined_on": D(2010, 6, 1),
            "confirmed_on": D(2011, 6, 1),
        },  # row 4: good
        {**MEMBER, "member_key": "0002", "member_name": None},  # 5: required
        {**MEMBER, "member_key": "0003", "status": "积极分子"},  # 6: not allowed
        {
            **MEMBER,
            "member_key": "0004",
            "born_on": D(1990, 1, 1),
            "joined_on": D(2007, 12, 31),
        },  # 7: under 18
        {**MEMBER, "member_key": "0005", "joined_on": D(2010, 6, 1), "confirmed_on": D(2010, 1, 1)},  # 8
        {**MEMBER, "member_key": "0006", "joined_on": D(2027, 1, 1)},  # 9: future
        {**MEMBER, "member_key": "0007", "branch_code": "0199"},  # 10: unknown
        {**MEMBER, "member_key": "0008"},  # 11: good
    ]
    training = [
        {"member_key": "0001", "course": "A", "started_on": D(2024, 3, 1), "hours": 0},  # 4: ≤ 0
        {"member_key": "0001", "course": "B", "started_on": D(2024, 3, 1), "hours": 201},  # 5: > 200
        {"member_key": "0001", "course": "C", "started_on": D(2024, 3, 1), "hours": 200},  # 6: good
        {"member_key": "9999", "course": "D", "started_on": D(2024, 3, 1), "hours": 2},  # 7: unknown 工号
    ]
    activities = [
        {
            "org_code": "0101",
            "activity_type": "党课",
            "held_on": D(2024, 4, 1),
            "expected": 10,
            "attended": 11,
        },
        {
            "org_code": "0101",
            "activity_type": "党课",
            "held_on": D(2024, 5, 1),
            "expected": 10,
            "attended": 10,
        },
        {
            "org_code": "0109",
            "activity_type": "党课",
            "held_on": D(2024, 6, 1),
            "expected": 10,
            "attended": 10,
        },
    ]
    write_workbook(
        box.inbox / "文学院.xlsx",
        {"花名册": ("members", members), "培训": ("training", training), "活动": ("activities", activities)},
    )
    box.sync()
    assert box.rejects("文学院.xlsx") == [
        ("文学院.xlsx", "培训", 4, "学时", "0", "「学时」超出范围（应大于0、不大于200）"),
        ("文学院.xlsx", "培训", 5, "学时", "201", "「学时」超出范围（应大于0、不大于200）"),
        ("文学院.xlsx", "培训", 7, "工号/学号", "9999", "「工号/学号」9999 不在2024年度党员花名册中"),
        ("文学院.xlsx", "活动", 4, "实到人数", "11", "实到人数大于应到人数"),
        ("文学院.xlsx", "活动", 6, "组织编码", "0109", "「组织编码」0109 不在2024年度组织架构中"),
        ("文学院.xlsx", "花名册", 5, "姓名", None, "缺少必填项「姓名」"),
        (
            "文学院.xlsx",
            "花名册",
            6,
            "党籍状态",
            "积极分子",
            "「党籍状态」的值不在允许范围内（正式党员/预备党员）",
        ),
        ("文学院.xlsx", "花名册", 7, "入党日期", "2007-12-31", "入党日期早于出生日期满18周岁之日"),
        ("文学院.xlsx", "花名册", 8, "转正日期", "2010-01-01", "转正日期早于入党日期"),
        (
            "文学院.xlsx",
            "花名册",
            9,
            "入党日期",
            "2027-01-01",
            "「入党日期」晚于今天（2026-11-23），日期不可能",
        ),
        (
            "文学院.xlsx",
            "花名册",
            10,
            "所在党支部编码",
            "0199",
            "「所在党支部编码」0199 不在2024年度组织架构（作为党支部）中",
        ),
    ]
    assert box.rows("select member_key from raw.members order by 1") == [("0001",), ("0008",)]
    assert box.rows("select course, hours from raw.training") == [("C", 200.0)]
    assert box.rows("select held_on from raw.activities") == [(D(2024, 5, 1),)]
    # the whole row travels with a reject, ID-cards masked
    (values,) = box.con.execute(
        "select row_values from raw.rejects where sheet = '花名册' and row_number = 6"
    ).fetchone()
    assert '"党籍状态":"积极分子"' in values.replace(" ", "")


def test_duplicate_keys_within_and_across_files_reported_and_neither_loaded(box):
    row = {"member_key": "0001", "course": "党史", "started_on": D(2024, 3, 1), "hours": 2}
    write_workbook(box.inbox / "m.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "0001"}])})
    write_workbook(box.inbox / "a.xlsx", {"培训": ("training", [row, {**row, "course": "党章"}, row])})
    write_workbook(box.inbox / "b.xlsx", {"培训": ("training", [{**row, "course": "党章"}])})
    box.sync()
    shi = "重复：工号/学号、培训名称、开始日期为「0001、党史、2024-03-01」的行共 2 行（「a.xlsx」培训第4行、「a.xlsx」培训第6行），均未入库，请只保留一行"
    zhang = "重复：工号/学号、培训名称、开始日期为「0001、党章、2024-03-01」的行共 2 行（「a.xlsx」培训第5行、「b.xlsx」培训第4行），均未入库，请只保留一行"
    assert box.rejects("a.xlsx") + box.rejects("b.xlsx") == [
        ("a.xlsx", "培训", 4, "开始日期", "2024-03-01", shi),
        ("a.xlsx", "培训", 5, "开始日期", "2024-03-01", zhang),
        ("a.xlsx", "培训", 6, "开始日期", "2024-03-01", shi),
        ("b.xlsx", "培训", 4, "开始日期", "2024-03-01", zhang),
    ]
    assert box.rows("select * from raw.training") == []
    # the college withdraws the second file: the row of a.xlsx it duplicated now loads
    (box.inbox / "b.xlsx").unlink()
    box.sync()
    assert box.rows("select course, _row_number from raw.training") == [("党章", 5)]


def test_branch_given_by_name_is_resolved(box):
    write_cells(
        box.inbox / "名称.xlsx",
        {
            "花名册": [
                ["年度", "工号", "姓名", "人员类别", "所在党支部", "党籍状态"],
                [2024, "0001", "张三", "教职工", "文学院学生党支部", "正式党员"],
                [2024, "0002", "李四", "教职工", "文学院不存在党支部", "正式党员"],
            ]
        },
    )
    box.sync()
    assert box.rows("select member_key, branch_code, branch_code_name from raw.members") == [
        ("0001", "0102", "文学院学生党支部")
    ]
    assert box.rejects("名称.xlsx") == [
        (
            "名称.xlsx",
            "花名册",
            3,
            "所在党支部编码",
            "文学院不存在党支部",
            "「所在党支部编码」文学院不存在党支部 不在2024年度组织架构（作为党支部）中",
        )
    ]


# --- formats and whole files ------------------------------------------------------------------------


def _members_csv(path: Path, encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([c.header for c in KINDS["members"].columns])
        writer.writerow(
            [
                "2024",
                "0001",
                "张三",
                "男",
                "1990-01-01",
                "",
                "教职工",
                "0101",
                "正式党员",
                "2015/7/1",
                "",
                "",
                "否",
                "否",
            ]
        )
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_bom_and_gbk(box, encoding):
    _members_csv(box.inbox / "m.csv", encoding)
    box.sync()
    assert box.rows("select member_key, member_name, joined_on, party_role from raw.members") == [
        ("0001", "张三", D(2015, 7, 1), "普通党员")
    ]
    assert box.rejects() == []


def test_real_xls_file(box, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is required in CI (apt-get install libreoffice-calc-nogui)")
        pytest.skip("LibreOffice not installed (CI installs libreoffice-calc-nogui)")
    source = write_workbook(
        tmp_path / "老格式.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "0001"}])}
    )
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "xls",
            "--outdir",
            str(box.inbox),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert (box.inbox / "老格式.xls").read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")  # BIFF in OLE
    box.sync()
    assert box.rows("select member_key, _sheet, _row_number from raw.members") == [("0001", "花名册", 4)]


def test_broken_files_each_give_one_reject_and_the_rest_loads(box, tmp_path):
    import msoffcrypto.format.ooxml

    (box.inbox / "空文件.xlsx").write_bytes(b"")
    (box.inbox / "损坏.xlsx").write_bytes(b"PK\x03\x04 this is not a workbook")
    write_cells(box.inbox / "无表头.xlsx", {"Sheet1": [["随便", "写点"], ["什么", "东西"]]})
    plain = write_workbook(
        tmp_path / "plain.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "0009"}])}
    )
    with plain.open("rb") as src, (box.inbox / "加密.xlsx").open("wb") as dst:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("123456", dst)
    write_workbook(box.inbox / "好的.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "0001"}])})
    box.sync()
    rejects = {f: reason for f, _, row, _, _, reason in box.rejects() if row is None}
    assert rejects == {
        "空文件.xlsx": "文件为空（0 字节）",
        "加密.xlsx": "文件设置了打开密码（已加密），请取消密码后重新提交",
        "无表头.xlsx": "未找到可识别的表头：没有一个工作表的列名与模板一致（可用 dangjian templates 获取模板）",
        "损坏.xlsx": rejects["损坏.xlsx"],
    }
    assert rejects["损坏.xlsx"].startswith("文件无法读取（可能已损坏或不是真正的 Excel 文件）")
    assert box.rows("select member_key from raw.members") == [("0001",)]


# --- incremental and lossless -------------------------------------------------------------------------


def _raw_state(con) -> dict:
    tables = [
        t
        for (t,) in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'raw' order by 1"
        ).fetchall()
    ]
    return {t: con.execute(f"select * from raw.{t} order by all").fetchall() for t in tables}


def test_second_run_is_a_no_op_and_tables_stay_identical(box):
    write_workbook(box.inbox / "m.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "0001"}])})
    first = box.sync()
    before = _raw_state(box.con)
    second = box.sync(now=NOW + dt.timedelta(hours=1))
    assert (sorted(first.parsed), second.parsed) == (["m.xlsx", "组织部_组织架构.xlsx"], [])
    assert second.unchanged == ["m.xlsx", "组织部_组织架构.xlsx"]
    assert _raw_state(box.con) == before


def test_changed_file_replaces_exactly_its_rows_and_removed_file_takes_them(box):
    write_workbook(
        box.inbox / "a.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": k} for k in ("01", "02")])}
    )
    write_workbook(box.inbox / "b.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "03"}])})
    box.sync()
    write_workbook(box.inbox / "a.xlsx", {"花名册": ("members", [{**MEMBER, "member_key": "04"}])})
    summary = box.sync()
    assert summary.parsed == ["a.xlsx"]
    assert box.rows("select member_key, _source_file from raw.members order by 1") == [
        ("03", "b.xlsx"),
        ("04", "a.xlsx"),
    ]
    (box.inbox / "b.xlsx").unlink()
    assert box.sync().removed == ["b.xlsx"]
    assert box.rows("select member_key from raw.members") == [("04",)]
    # both versions of a.xlsx and b.xlsx stay in the archive, named by content hash
    hashes = {h for (h,) in box.con.execute("select file_hash from raw.files").fetchall()}
    archived = {p.stem for p in box.archive.glob("*.xlsx")}
    assert hashes <= archived and len(archived) == 4


def test_thirty_thousand_row_training_sheet(box):
    members = [{**MEMBER, "member_key": f"{i:05d}"} for i in range(1000)]
    training = [
        {
            "member_key": f"{i % 1000:05d}",
            "course": f"课程{i // 1000}",
            "started_on": D(2024, 1 + i % 12, 1),
            "hours": 1 + i % 8,
        }
        for i in range(30_000)
    ]
    training[12_345]["hours"] = "很多"
    write_workbook(box.inbox / "大表.xlsx", {"花名册": ("members", members), "培训": ("training", training)})
    box.sync()
    count, hours = box.con.execute("select count(*), sum(hours) from raw.training").fetchone()
    assert count == 29_999
    assert hours == sum(1 + i % 8 for i in range(30_000)) - (1 + 12_345 % 8)
    assert box.rejects() == [("大表.xlsx", "培训", 12_349, "学时", "很多", "「学时」应为数字")]
