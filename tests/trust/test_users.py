"""Dashboard logins: the users file (dagster_project/access/users.py) and `dangjian user add|list|remove`."""

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dagster_project import cli
from dagster_project.access import users
from dagster_project.access.users import (
    UserError,
    add_user,
    list_users,
    read_users,
    remove_user,
    verify_login,
)
from tests.support.serving_fixture import build_serving_db

PASSWORD = "红旗渠-1960"


@pytest.fixture
def users_path(tmp_path) -> Path:
    return tmp_path / "home" / "users.json"


def test_password_is_stored_only_as_an_argon2_hash(users_path):
    user = add_user(users_path, "zhang", PASSWORD, "college", "C01")
    text = users_path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    stored = json.loads(text)["users"]
    assert [(u["name"], u["role"], u["college"]) for u in stored] == [("zhang", "college", "C01")]
    assert stored[0]["password_hash"] == user.password_hash
    assert user.password_hash.startswith("$argon2id$")
    # Same password, new salt: two users with one password do not share a hash.
    other = add_user(users_path, "li", PASSWORD, "org")
    assert other.password_hash != user.password_hash


def test_verify_right_wrong_and_unknown(users_path):
    add_user(users_path, "zhang", PASSWORD, "college", "C01")
    add_user(users_path, "admin", "org-password", "org")
    known = read_users(users_path)
    assert verify_login(known, "zhang", PASSWORD).college == "C01"
    assert verify_login(known, " zhang ", PASSWORD).name == "zhang"  # a stray space typed in the form
    assert verify_login(known, "admin", "org-password").role == "org"
    assert verify_login(known, "zhang", PASSWORD + "x") is None
    assert verify_login(known, "zhang", "") is None
    assert verify_login(known, "admin", PASSWORD) is None  # another user's password
    assert verify_login(known, "nobody", PASSWORD) is None
    assert verify_login({}, "zhang", PASSWORD) is None


@pytest.mark.parametrize(
    ("role", "college", "message"),
    [
        ("college", None, "学院用户必须用 --college 指定学院的组织编码"),
        ("college", "  ", "学院用户必须用 --college 指定学院的组织编码"),
        ("org", "C01", "组织部用户可查看全部学院，不能指定 --college"),
        ("admin", None, "角色「admin」无效"),
        ("college", "C01' or 1=1 --", "学院编码「C01' or 1=1 --」不合规"),
    ],
)
def test_roles_and_college_codes(users_path, role, college, message):
    with pytest.raises(UserError, match=message):
        add_user(users_path, "zhang", PASSWORD, role, college)
    assert not users_path.exists()


def test_role_labels(users_path):
    college = add_user(users_path, "zhang", PASSWORD, "college", " C01 ")
    org = add_user(users_path, "admin", PASSWORD, "org")
    assert (college.college, college.role_label, college.scope_label) == ("C01", "学院", "学院（C01）")
    assert (org.college, org.role_label, org.scope_label) == (None, "组织部", "组织部")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "密码不能为空"),
        ("        ", "密码不能为空"),
        ("1234567", "至少需要 8 个字符"),
        ("x" * 257, "最多 256"),
    ],
)
def test_weak_passwords_are_refused(users_path, password, message):
    with pytest.raises(UserError, match=message):
        add_user(users_path, "zhang", password, "org")


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "../etc", "张 三"])
def test_bad_user_names_are_refused(users_path, name):
    with pytest.raises(UserError, match="用户名"):
        add_user(users_path, name, PASSWORD, "org")


def test_existing_user_needs_replace(users_path):
    first = add_user(users_path, "zhang", PASSWORD, "college", "C01")
    with pytest.raises(UserError, match="已存在"):
        add_user(users_path, "zhang", "another-password", "org")
    second = add_user(users_path, "zhang", "another-password", "college", "C02", replace=True)
    known = read_users(users_path)
    assert list(known) == ["zhang"]
    assert known["zhang"].college == "C02" and second.password_hash != first.password_hash
    assert verify_login(known, "zhang", PASSWORD) is None
    assert verify_login(known, "zhang", "another-password") is not None


def test_list_and_remove(users_path):
    assert list_users(users_path) == []
    add_user(users_path, "wang", PASSWORD, "college", "C02")
    add_user(users_path, "admin", PASSWORD, "org")
    assert [(u.name, u.scope_label) for u in list_users(users_path)] == [
        ("admin", "组织部"),
        ("wang", "学院（C02）"),
    ]
    assert remove_user(users_path, "wang").college == "C02"
    assert list(read_users(users_path)) == ["admin"]
    with pytest.raises(UserError, match="没有用户「wang」。现有用户：admin"):
        remove_user(users_path, "wang")


def test_file_is_private_and_replaced_atomically(users_path, monkeypatch):
    add_user(users_path, "zhang", PASSWORD, "college", "C01")
    assert stat.S_IMODE(users_path.stat().st_mode) == 0o600
    before = users_path.read_bytes()

    def crash(src, dst):
        raise OSError("disk full")

    # A write that fails before the rename leaves the old file whole and no temporary file behind.
    monkeypatch.setattr(users.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        add_user(users_path, "li", PASSWORD, "org")
    assert users_path.read_bytes() == before
    assert sorted(p.name for p in users_path.parent.iterdir()) == ["users.json"]


@pytest.mark.parametrize(
    "content",
    [
        '{"users": {}}',
        '{"users": ""}',
        '{"users": null}',
        '{"users": "zzb"}',
        "{}",
        "[]",
        '"users"',
        '{"users": [1]}',
        '{"users": [{"name": 7, "role": "org", "password_hash": "x"}]}',
        '{"users": [{"name": "zzb", "role": "org"}]}',
        '{"users": [{"name": "zzb", "role": "org", "password_hash": "x", "college": 1}]}',
    ],
)
def test_valid_json_of_the_wrong_shape_is_damage_not_no_users(users_path, content):
    users_path.parent.mkdir(parents=True)
    users_path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match="已损坏"):
        read_users(users_path)


def test_a_name_twice_is_an_error(users_path):
    users_path.parent.mkdir(parents=True)
    row = {"name": "zzb", "role": "org", "college": None, "password_hash": "h"}
    users_path.write_text(json.dumps({"users": [row, row]}), encoding="utf-8")
    with pytest.raises(UserError, match="出现了两次"):
        read_users(users_path)


def test_damaged_file_is_an_error_not_an_empty_list(users_path):
    users_path.parent.mkdir(parents=True)
    users_path.write_text('{"users": [{"name": "zhang"', encoding="utf-8")
    with pytest.raises(UserError, match="已损坏"):
        read_users(users_path)
    users_path.write_text(
        json.dumps({"users": [{"name": "x", "role": "college", "college": None, "password_hash": "h"}]}),
        encoding="utf-8",
    )
    with pytest.raises(UserError, match="角色无效"):
        read_users(users_path)


# ---- dangjian user ---------------------------------------------------------------------------------


@pytest.fixture
def cli_home(tmp_path, monkeypatch) -> Path:
    """A home holding the two-college fixture snapshot (C01 计算机学院, C02 马克思主义学院)."""
    home = tmp_path / "cli_home"
    build_serving_db(home / "serving.duckdb")
    # `dangjian` exports its home into os.environ; monkeypatch puts both variables back afterwards.
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


def dangjian(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli.app, list(args), input=stdin)


def said(result) -> str:
    """What the command printed, with rich's line wrapping undone."""
    return result.output.replace("\n", "")


def test_cli_user_add_reads_the_password_from_stdin(cli_home):
    result = dangjian("user", "add", "jsj", "--role", "college", "--college", "C01", stdin=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "已添加用户 jsj（学院，学院 C01 计算机学院）" in said(result)
    assert "看板现在需要登录" in said(result)
    path = cli_home / "users.json"
    assert PASSWORD not in path.read_text(encoding="utf-8")
    known = read_users(path)
    assert known["jsj"].password_hash.startswith("$argon2id$")
    assert verify_login(known, "jsj", PASSWORD).college == "C01"
    assert verify_login(known, "jsj", PASSWORD + "\n") is None  # the newline ends the password

    result = dangjian("user", "add", "zzb", "--role", "org", stdin="org-password\r\n")
    assert result.exit_code == 0, result.output
    assert verify_login(read_users(path), "zzb", "org-password").role == "org"

    listing = dangjian("user", "list")
    assert listing.exit_code == 0
    assert "jsj" in said(listing) and "C01" in said(listing) and "组织部" in said(listing)


def test_cli_refuses_a_short_password_and_writes_nothing(cli_home):
    result = dangjian("user", "add", "jsj", "--role", "org", stdin="short\n")
    assert result.exit_code == 1
    assert "密码太短：至少需要 8 个字符。" in said(result)
    assert not (cli_home / "users.json").exists()
    result = dangjian("user", "add", "jsj", "--role", "org", stdin="")
    assert result.exit_code == 1 and "密码不能为空" in said(result)


def test_cli_checks_the_college_against_the_snapshot(cli_home):
    result = dangjian("user", "add", "x", "--role", "college", "--college", "C09", stdin=PASSWORD)
    assert result.exit_code == 1
    assert "学院编码「C09」不在已发布数据的组织架构中。现有学院：C01 计算机学院、C02 马克思主义学院" in said(
        result
    )
    result = dangjian("user", "add", "x", "--role", "college", stdin=PASSWORD)
    assert result.exit_code == 1 and "必须用 --college" in said(result)
    result = dangjian("user", "add", "x", "--role", "teacher", stdin=PASSWORD)
    assert result.exit_code == 2  # typer: not one of org|college
    assert not (cli_home / "users.json").exists()


def test_cli_without_snapshot_accepts_a_well_formed_code(tmp_path, monkeypatch):
    home = tmp_path / "empty_home"
    monkeypatch.setenv("DANGJIAN_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    result = dangjian("user", "add", "jsj", "--role", "college", "--college", "01", stdin=PASSWORD)
    assert result.exit_code == 0, result.output
    assert read_users(home / "users.json")["jsj"].college == "01"


def test_cli_user_remove(cli_home):
    dangjian("user", "add", "jsj", "--role", "college", "--college", "C01", stdin=PASSWORD)
    result = dangjian("user", "remove", "jsj")
    assert result.exit_code == 0
    assert "已删除用户 jsj（学院（C01））。" in said(result)
    assert "看板现在拒绝所有访问（不会改为免登录）" in said(result)
    assert read_users(cli_home / "users.json") == {}
    result = dangjian("user", "remove", "jsj")
    assert result.exit_code == 1 and "没有用户「jsj」" in said(result)
    assert os.environ["DANGJIAN_HOME"] == str(cli_home)
