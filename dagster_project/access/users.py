"""Dashboard logins (`dangjian user add`): `$DANGJIAN_HOME/users.json`.

Two roles: 组织部 (`org`) sees everything, including the 自助查询 page; 学院 (`college`) sees only its
own college. Passwords are stored as argon2id hashes (argon2-cffi), never in clear. The file is
rewritten atomically (temporary file + `os.replace`) and readable by its owner only, so a dashboard
reading it never sees half a write.

With no users file at all when the dashboard starts, it runs open, for one person on 127.0.0.1;
a users file that exists must hold at least one user (dashboards/auth.py), and a dashboard started
with logins keeps them for as long as it runs.
"""

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLE_ORG = "org"
ROLE_COLLEGE = "college"
ROLES: dict[str, str] = {ROLE_ORG: "组织部", ROLE_COLLEGE: "学院"}
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256
FILE_VERSION = 1

# User names go into a session and log lines; college codes into SQL literals of the scoped snapshot
# (dashboards/scoping.py), so both are kept to plain characters.
USER_NAME = re.compile(r"[\w.@-]{1,64}")
COLLEGE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")

_HASHER = PasswordHasher()


class UserError(ValueError):
    """A refused user operation; `str(error)` is the Chinese message to show."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    college: str | None
    password_hash: str
    created_at: str

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def scope_label(self) -> str:
        """组织部 / 学院（01）: who this user is, for lists and the dashboard's sidebar."""
        return self.role_label if self.college is None else f"{self.role_label}（{self.college}）"


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not USER_NAME.fullmatch(name):
        raise UserError(
            f"用户名「{name}」不合规：需 1–64 个字符，只能包含中英文字母、数字、下划线、点、@ 和连字符。"
        )
    return name


def check_password(password: str) -> str:
    if not password or not password.strip():
        raise UserError("密码不能为空。")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"密码太短：至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"密码太长：最多 {MAX_PASSWORD_LENGTH} 个字符。")
    return password


def check_role(role: str, college: str | None) -> tuple[str, str | None]:
    """(role, college code or None); a college user needs a code, an org user must not have one."""
    if role not in ROLES:
        raise UserError(f"角色「{role}」无效：只能是 org（组织部）或 college（学院）。")
    college = (college or "").strip() or None
    if role == ROLE_ORG:
        if college is not None:
            raise UserError("组织部用户可查看全部学院，不能指定 --college。")
        return role, None
    if college is None:
        raise UserError("学院用户必须用 --college 指定学院的组织编码（如 01）。")
    if not COLLEGE_CODE.fullmatch(college):
        raise UserError(
            f"学院编码「{college}」不合规：只能包含字母、数字、下划线和连字符（最多 32 个字符）。"
        )
    return role, college


# ---- the file -------------------------------------------------------------------------------------


def read_users(path: Path) -> dict[str, User]:
    """{name: User} from the users file; {} when it does not exist. UserError if it cannot be read.

    The file must be exactly what `write_users` writes: an object whose "users" is a list of user
    objects with text fields. Anything else — `{"users": {}}`, `{"users": ""}`, a row that is not an
    object — is damage, never "no users": the dashboard must not read it as a reason to run open.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise UserError(f"无法读取用户文件 {path}：{error.strerror or error}") from None
    damaged = UserError(f"用户文件 {path} 已损坏（不是有效的用户列表），请检查或删除后重新添加用户。")
    try:
        document = json.loads(text)
    except ValueError:
        raise damaged from None
    rows = document.get("users") if isinstance(document, dict) else None
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise damaged
    users: dict[str, User] = {}
    for row in rows:
        fields = {key: row.get(key) for key in ("name", "role", "college", "password_hash", "created_at")}
        if not all(isinstance(fields[key], str) for key in ("name", "role", "password_hash")):
            raise damaged
        if not all(fields[key] is None or isinstance(fields[key], str) for key in ("college", "created_at")):
            raise damaged
        if fields["name"] in users:
            raise UserError(f"用户文件 {path} 中用户「{fields['name']}」出现了两次，请检查后重新添加。")
        users[fields["name"]] = User(**{**fields, "created_at": fields["created_at"] or ""})
    for user in users.values():
        if user.role not in ROLES or (user.role == ROLE_COLLEGE) != (user.college is not None):
            raise UserError(f"用户文件 {path} 中用户「{user.name}」的角色无效，请删除后重新添加。")
    return users


def write_users(path: Path, users: dict[str, User]) -> None:
    """Replace the users file with `users` in one step (owner read/write only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"version": FILE_VERSION, "users": [asdict(u) for u in sorted(users.values(), key=_by_name)]}
    fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".json.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(document, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _by_name(user: User) -> str:
    return user.name


# ---- operations -----------------------------------------------------------------------------------


def add_user(
    path: Path,
    name: str,
    password: str,
    role: str,
    college: str | None = None,
    *,
    replace: bool = False,
) -> User:
    """Add (or with `replace`, overwrite) a login; the password is kept only as its argon2 hash."""
    name = check_name(name)
    role, college = check_role(role, college)
    check_password(password)
    users = read_users(path)
    if name in users and not replace:
        raise UserError(f"用户「{name}」已存在。如需修改密码或角色，请加 --replace 重新添加。")
    user = User(
        name=name,
        role=role,
        college=college,
        password_hash=_HASHER.hash(password),
        created_at=datetime.now().isoformat(timespec="seconds"),
    )
    write_users(path, {**users, name: user})
    return user


def remove_user(path: Path, name: str) -> User:
    """Remove a login and return it; UserError if there is no such user."""
    users = read_users(path)
    name = (name or "").strip()
    if name not in users:
        raise UserError(f"没有用户「{name}」。现有用户：{'、'.join(users) or '（无）'}")
    removed = users.pop(name)
    write_users(path, users)
    return removed


def list_users(path: Path) -> list[User]:
    return sorted(read_users(path).values(), key=_by_name)


def verify_login(users: dict[str, User], name: str, password: str) -> User | None:
    """The user if `password` is theirs, else None.

    An unknown name still costs one hash check, so the time taken does not tell which names exist.
    """
    user = users.get((name or "").strip())
    candidate = user.password_hash if user is not None else _dummy_hash()
    try:
        _HASHER.verify(candidate, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return user


@cache
def _dummy_hash() -> str:
    return _HASHER.hash("dangjian: no such user")
