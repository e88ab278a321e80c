"""Who is looking at the dashboard: login, roles, session expiry and the failed-login limit.

With no users in `$DANGJIAN_HOME/users.json` the dashboard runs open (one person on 127.0.0.1) and
says so. Once a user exists, every page shows only the login form until someone logs in. A login
lives in the browser tab's Streamlit session (`st.session_state`); its role and college are read
from there, never from the URL. It ends after ABSOLUTE_TIMEOUT_S, after IDLE_TIMEOUT_S without any
interaction, on 退出登录, and as soon as the user is removed or given a new password or role.

Failed logins are limited per user name and overall, in one object shared by every session of the
server process (`st.cache_resource`), so neither a rerun nor a new tab resets the count.

The role is enforced in dashboards/data.py (`data_scope` below decides which rows a query sees);
this module only decides who the viewer is and which pages the navigation lists.
"""

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NoReturn

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dagster_project.home import Home
from dagster_project.users import ROLE_ORG, ROLES, User, UserError, read_users, verify_login

SESSION_KEY = "dangjian_login"
NOTICE_KEY = "dangjian_login_notice"
ABSOLUTE_TIMEOUT_S = 8 * 3600
IDLE_TIMEOUT_S = 30 * 60
MAX_FAILURES_PER_NAME = 5
MAX_FAILURES_OVERALL = 20
FAILURE_WINDOW_S = 15 * 60  # failures older than this are forgotten
LOCKOUT_S = 60
SQL_PAGE = "sql"  # url_path of 自助查询, for 组织部 only

OPEN_MODE_BADGE = ":orange-badge[:material/lock_open: 未启用登录 · 仅限本机单人使用]"
OPEN_MODE_TEXT = (
    "看板尚未设置用户，任何能访问本机 127.0.0.1 的人都可直接查看全部数据，只适合本机单人使用。"
    "多人使用前请先添加用户（之后每个页面都需要登录）：\n\n"
    "`echo 密码 | dangjian user add 用户名 --role org`\n\n"
    "学院用户：`--role college --college 组织编码`（只能看到本学院）。"
)


def now() -> float:
    """Wall-clock seconds; tests replace it to move time forward."""
    return time.time()


class LoginRequired(Exception):
    """Data was asked for while users exist and nobody is logged in."""


# ---- sessions -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginSession:
    name: str
    role: str
    college: str | None
    credential: str  # fingerprint of the user's record at login (see `credential`)
    logged_in_at: float
    last_seen_at: float

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


def credential(user: User) -> str:
    """Changes when the user's password, role or college changes, which ends their sessions."""
    text = "\0".join((user.name, user.role, user.college or "", user.password_hash))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def start_session(user: User, at: float) -> LoginSession:
    return LoginSession(user.name, user.role, user.college, credential(user), at, at)


def session_problem(session: LoginSession, users: dict[str, User], at: float) -> str | None:
    """Why `session` may no longer be used at time `at` (a Chinese message), or None if it may."""
    if at - session.logged_in_at >= ABSOLUTE_TIMEOUT_S:
        return f"登录已超过 {ABSOLUTE_TIMEOUT_S // 3600} 小时，请重新登录。"
    if at - session.last_seen_at >= IDLE_TIMEOUT_S:
        return f"超过 {IDLE_TIMEOUT_S // 60} 分钟没有操作，已自动退出，请重新登录。"
    user = users.get(session.name)
    if user is None or credential(user) != session.credential:
        return "账号已被删除或修改了密码、角色，请重新登录。"
    return None


# ---- failed logins --------------------------------------------------------------------------------


@dataclass
class _Failures:
    times: deque = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """Failed logins per user name and overall; too many within FAILURE_WINDOW_S locks for LOCKOUT_S.

    While locked, no password is even checked. Names are compared case-insensitively, so "Admin"
    and "admin" share a count. Thread-safe: every session of the server shares one instance.
    """

    def __init__(
        self,
        per_name: int = MAX_FAILURES_PER_NAME,
        overall: int = MAX_FAILURES_OVERALL,
        window_s: float = FAILURE_WINDOW_S,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_name, self.overall = per_name, overall
        self.window_s, self.lockout_s = window_s, lockout_s
        self.clock = clock
        self._names: dict[str, _Failures] = {}
        self._all = _Failures()
        self._lock = threading.Lock()

    @staticmethod
    def _key(name: str) -> str:
        return (name or "").strip().casefold()

    def wait_seconds(self, name: str) -> int:
        """Whole seconds until `name` may try again (0: now)."""
        with self._lock:
            at = self.clock()
            until = max(self._all.locked_until, self._names.get(self._key(name), _Failures()).locked_until)
            return max(0, math.ceil(until - at))

    def record_failure(self, name: str) -> int:
        """Count a failed login for `name`; return the seconds it is now locked for (0: not locked)."""
        with self._lock:
            at = self.clock()
            if len(self._names) > 10_000:  # a spray of made-up names must not grow memory forever
                self._forget_stale(at)
            for failures, limit in (
                (self._names.setdefault(self._key(name), _Failures()), self.per_name),
                (self._all, self.overall),
            ):
                while failures.times and at - failures.times[0] >= self.window_s:
                    failures.times.popleft()
                failures.times.append(at)
                if len(failures.times) >= limit:
                    failures.locked_until = at + self.lockout_s
                    failures.times.clear()
            until = max(self._all.locked_until, self._names[self._key(name)].locked_until)
            return max(0, math.ceil(until - at))

    def record_success(self, name: str) -> None:
        with self._lock:
            self._names.pop(self._key(name), None)

    def _forget_stale(self, at: float) -> None:
        for key in [
            k
            for k, f in self._names.items()
            if f.locked_until <= at and (not f.times or at - f.times[-1] >= self.window_s)
        ]:
            del self._names[key]


@st.cache_resource
def login_throttle() -> LoginThrottle:
    return LoginThrottle()


# ---- the users file -------------------------------------------------------------------------------


def users_file() -> Path:
    return Home.from_env().users


def load_users() -> dict[str, User]:
    """The users file, re-read only when it changes (raises UserError when it cannot be read)."""
    path = users_file()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return dict(_read_users(str(path), stat.st_mtime_ns, stat.st_size, stat.st_ino))


_USERS_CACHE: dict[tuple, dict[str, User]] = {}
_USERS_LOCK = threading.Lock()


def _read_users(path: str, mtime_ns: int, size: int, inode: int) -> dict[str, User]:
    key = (path, mtime_ns, size, inode)
    with _USERS_LOCK:
        if key not in _USERS_CACHE:
            users = read_users(Path(path))
            _USERS_CACHE.clear()
            _USERS_CACHE[key] = users
        return _USERS_CACHE[key]


# ---- what app.py and data.py ask ------------------------------------------------------------------


def check_login() -> tuple[bool, LoginSession | None]:
    """(login required, the valid login of this session or None); call once per rerun from app.py.

    Refreshes the idle clock of a valid login and ends an expired one (the reason is shown above the
    login form). A users file that cannot be read shows an error and stops: the dashboard never
    falls back to open mode because of a damaged file.
    """
    try:
        users = load_users()
    except UserError as error:
        st.error(f"{error}（看板已停止提供数据）", icon=":material/lock:")
        st.stop()
    if not users:
        st.session_state.pop(SESSION_KEY, None)
        return False, None
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return True, None
    at = now()
    problem = session_problem(session, users, at)
    if problem is not None:
        end_session(problem)
        return True, None
    session = replace(session, last_seen_at=at)
    st.session_state[SESSION_KEY] = session
    return True, session


def data_scope() -> str | None:
    """None when the viewer may see everything (no users configured, or a 组织部 login), else the
    college code of a 学院 login. LoginRequired when users exist and there is no valid login."""
    try:
        users = load_users()
    except UserError as error:
        raise LoginRequired(str(error)) from None
    if not users:
        return None
    if get_script_run_ctx(suppress_warning=True) is None:  # no session to ask: a thread or a script
        raise LoginRequired("没有登录会话")
    session = st.session_state.get(SESSION_KEY)
    if session is None or session_problem(session, users, now()) is not None:
        raise LoginRequired("请先登录")
    return None if session.role == ROLE_ORG else session.college


def may_query_sql(session: LoginSession | None) -> bool:
    """自助查询 is for 组织部 (and for the single local user when no users are configured)."""
    return session is None or session.role == ROLE_ORG


def attempt_login(name: str, password: str, throttle: LoginThrottle | None = None) -> str | None:
    """Log this session in; None on success, else the Chinese message to show."""
    throttle = throttle or login_throttle()
    wait = throttle.wait_seconds(name)
    if wait:
        return f"登录失败次数过多，已暂停登录，请 {wait} 秒后再试。"
    if not (name or "").strip() or not password:
        return "请输入用户名和密码。"
    user = verify_login(load_users(), name, password)
    if user is None:
        wait = throttle.record_failure(name)
        locked = f"连续失败次数过多，请 {wait} 秒后再试。" if wait else ""
        return "用户名或密码错误。" + locked
    throttle.record_success(name)
    st.session_state.clear()  # nothing chosen before this login carries over
    st.session_state[SESSION_KEY] = start_session(user, now())
    return None


def end_session(notice: str | None = None) -> None:
    st.session_state.clear()  # the next person in this tab starts from nothing
    if notice:
        st.session_state[NOTICE_KEY] = notice


def login_form() -> NoReturn:
    """The only thing a page shows until someone logs in."""
    st.title("党建考核数据仓库")
    st.subheader("登录")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice, icon=":material/schedule:")
    with st.form("login", clear_on_submit=True, width=420):
        name = st.text_input("用户名", key="login_name", autocomplete="username")
        password = st.text_input(
            "密码", type="password", key="login_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("登录", type="primary", icon=":material/login:")
    if submitted:
        problem = attempt_login(name, password)
        if problem is None:
            st.rerun()
        st.error(problem, icon=":material/error:")
    st.caption(
        f"登录后 {ABSOLUTE_TIMEOUT_S // 3600} 小时或 {IDLE_TIMEOUT_S // 60} 分钟无操作会自动退出。"
        "账号由组织部用 dangjian user add 添加；忘记密码请联系组织部重新设置。"
    )
    st.stop()


def open_mode_banner() -> None:
    st.markdown(OPEN_MODE_BADGE)
    st.sidebar.info(OPEN_MODE_TEXT, icon=":material/lock_open:")


def login_sidebar(session: LoginSession, college_name: str | None = None) -> None:
    """Who is logged in, with which role, and the logout button."""
    with st.sidebar:
        who = session.role_label
        if session.college is not None:
            who += f"：{college_name}（{session.college}）" if college_name else f"（{session.college}）"
        st.caption(f":material/person: {session.name} · {who}")
        if st.button("退出登录", icon=":material/logout:", key="logout"):
            end_session("已退出登录。")
            st.rerun()
