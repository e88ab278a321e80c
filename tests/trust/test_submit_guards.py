"""Hostile and oversized files never reach the inbox: each is refused by the preview with its Chinese
message (exit 2 from `dangjian check`), and `dangjian submit` stores nothing of it; a user's file name
is never a path."""

import json
import zipfile

import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.home import Home
from dagster_project.ingest.submissions import read_log
from dagster_project.submit.guards import display_name
from dagster_project.submit.preview import preview_files
from dagster_project.submit.submitting import Submitter, submit_files
from tests.support import submit_university as uni
from tests.support.hostile_files import zip_bomb


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DANGJIAN_HOME", str(tmp_path / "home"))
    return uni.build(tmp_path / "home")


def _inbox(home) -> set[str]:
    return {p.relative_to(home / "inbox").as_posix() for p in (home / "inbox").rglob("*") if p.is_file()}


def _refused(home, path, name=None) -> str:
    (preview,) = preview_files([(path, name or path.name)], "01", home / "serving.duckdb")
    assert preview.rejects == []
    return preview.refused


def test_zip_bomb_is_refused_before_parsing(home, tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx", megabytes=200)
    assert bomb.stat().st_size < 2 << 20  # small on disk
    reason = _refused(home, bomb)
    assert reason.startswith("「bomb.xlsx」：文件解压后过大或压缩比异常")


def test_file_over_the_size_limit_is_refused(home, tmp_path):
    big = tmp_path / "big.xlsx"
    with zipfile.ZipFile(big, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("filler.bin", b"\0" * (30 << 20))
    assert _refused(home, big) == (
        "「big.xlsx」大小为 30.0 MiB，超过上限 20.0 MiB：请删去不需要的工作表、图片，或按年度拆成几个文件后提交"
    )


def test_xlsm_and_other_types_are_refused(home, tmp_path):
    book = uni.college_workbook(tmp_path / "a.xlsx")
    macro = tmp_path / "宏.xlsm"
    macro.write_bytes(book.read_bytes())
    assert _refused(home, macro).startswith("「宏.xlsm」是启用宏的工作簿（.xlsm），不予接收")
    exe = tmp_path / "x.exe"
    exe.write_bytes(b"MZ" + b"\0" * 100)
    assert _refused(home, exe).startswith("「x.exe」的文件类型不受支持")
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook")
    assert _refused(home, fake).startswith("「fake.xlsx」的内容与扩展名 .xlsx 不符")


def test_check_exits_2_for_a_refused_file(home, tmp_path):
    macro = tmp_path / "m.xlsm"
    macro.write_bytes(uni.college_workbook(tmp_path / "a.xlsx").read_bytes())
    result = CliRunner().invoke(app, ["check", str(macro), "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout.strip().splitlines()[-1])["files"][0]["refused"].startswith("「m.xlsm」")


def test_a_path_in_the_users_file_name_is_never_used(home, tmp_path):
    assert display_name("../../x.xlsx") == "x.xlsx"
    assert display_name("..\\..\\etc\\x.xlsx") == "x.xlsx"
    assert display_name("/etc/passwd") == "passwd"
    book = uni.college_workbook(tmp_path / "upload.bin")
    (done,) = submit_files(Home(home), [(book, "../../x.xlsx")], Submitter("jsj", "college", "01"))
    assert done.preview.file == "x.xlsx"
    stored = done.submission.stored_name
    assert stored.startswith("报送/01/activities-") and stored.endswith(".xlsx")
    assert "x.xlsx" not in stored
    assert _inbox(home) == {"组织部/组织架构.xlsx", stored}
    assert not (home.parent / "x.xlsx").exists() and not (tmp_path / "x.xlsx").exists()
    (entry,) = read_log(home / "archive")
    assert (entry.original_name, entry.college_code, entry.rows_read, entry.rows_rejected) == (
        "x.xlsx",
        "01",
        4,
        3,
    )
    assert (home / "archive" / f"{entry.file_hash}.xlsx").read_bytes() == book.read_bytes()


def test_a_refused_file_is_logged_and_never_reaches_the_inbox(home, tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.xlsx", megabytes=200)
    (done,) = submit_files(Home(home), [(bomb, "bomb.xlsx")], Submitter("jsj", "college", "01"))
    assert done.submission is None
    assert _inbox(home) == {"组织部/组织架构.xlsx"}
    (entry,) = read_log(home / "archive")
    assert entry.refused.startswith("「bomb.xlsx」：文件解压后过大") and entry.stored_name == ""


def test_a_correction_replaces_its_first_version_in_the_inbox(home, tmp_path):
    first = uni.college_workbook(tmp_path / "v1.xlsx")
    fixed = uni.write_workbook(tmp_path / "v2.xlsx", {"组织生活": ("activities", uni.COLLEGE_ACTIVITIES[:1])})
    submitter = Submitter("jsj", "college", "01")
    (one,) = submit_files(Home(home), [(first, "组织生活.xlsx")], submitter)
    (two,) = submit_files(Home(home), [(fixed, "组织生活.xlsx")], submitter)
    assert _inbox(home) == {"组织部/组织架构.xlsx", two.submission.stored_name}
    assert (home / "archive" / f"{one.submission.file_hash}.xlsx").is_file()  # the first version is kept


def test_a_college_code_is_never_a_path(home, tmp_path):
    book = uni.college_workbook(tmp_path / "a.xlsx")
    with pytest.raises(ValueError, match="学院编码「../../x」不合规"):
        Submitter("zzb", "org", "../../x")
    result = CliRunner().invoke(
        app, ["submit", str(book), "--user", "组织部（收件箱）", "--college", "../../x"]
    )
    assert result.exit_code == 2 and "不合规" in result.stdout
    assert _inbox(home) == {"组织部/组织架构.xlsx"}
