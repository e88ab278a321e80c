"""Who is looking at the dashboard: login, roles, session expiry, failed logins.

The dashboard runs open (one person, on this machine only) only when the server started with no
users file (`$DANGJIAN_HOME/users.json`) and none has appeared since, and then only for a browser
connected over 127.0.0.1 with no proxy in between. Any users file that exists must be a valid list
of at least one user; anything else stops every page with an error. A server that has seen a users
file keeps its logins for as long as it runs: a deleted file or a removed last user means nobody
gets in, never that everybody does.

Once logins are on, every page shows only the login form until someone logs in. A login lives in
the browser tab's Streamlit session (`st.session_state`); its role and college are read from
there, never from the URL. It ends after ABSOLUTE_TIMEOUT_S, after IDLE_TIMEOUT_S without any
interaction, on 退出登录, and as soon as the user is removed or given a new password or role — also
for a download button offered before (`deferred` checks again when the file is made).

Failed logins slow down the client that made them (dashboards/login_limits.py), never the account.

The role is enforced in dashboards/scoping.py (`data_scope` below decides which rows a query sees);
this module only decides who the viewer is and which pages the navigation lists.
"""

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dagster_project import access
from dagster_project.access import ROLE_ORG, ROLES, User, UserError, read_users, verify_login
from dashboards.login_limits import LOCAL_CLIENT, LoginThrottle, client_of_session, connection_address

SESSION_KEY = "dangjian_login"
NOTICE_KEY = "dangjian_login_notice"
ABSOLUTE_TIMEOUT_S = 8 * 3600
IDLE_TIMEOUT_S = 30 * 60
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


@st.cache_resource
def login_throttle() -> LoginThrottle:
    return LoginThrottle()


# ---- the users file -------------------------------------------------------------------------------


def users_file() -> Path:
    return access.users_file()


# Users files this process has seen exist. For such a file the logins stay on until the process
# ends: deleting the file, or emptying it, stops the dashboard instead of opening it.
_LOGINS_ON: set[str] = set()


def note_server_start() -> None:
    """Called by the server before it takes requests (dashboards/server.py): a users file present
    now keeps logins on for the server's life, even if the first page is asked for after it went."""
    path = users_file()
    if path.exists():
        _LOGINS_ON.add(str(path))


def enforced_users() -> dict[str, User] | None:
    """The users every page must check, or None when the dashboard runs open.

    UserError (the Chinese message to show) when the dashboard must stop: the file cannot be read,
    is not a valid list, holds no user, or has gone after logins were on.
    """
    path = users_file()
    key = str(path)
    try:
        stat = path.stat()
    except FileNotFoundError:
        if key in _LOGINS_ON:
            raise UserError(
                f"用户文件 {path} 不见了。看板启动时已启用登录，运行期间不会改为免登录，现在谁也无法登录。"
                "请恢复用户文件或用 dangjian user add 重新添加用户；若确要在本机免登录单人使用，"
                "请删除用户文件后重新启动看板。"
            ) from None
        return None
    except OSError as error:
        raise UserError(f"无法读取用户文件 {path}：{error.strerror or error}") from None
    _LOGINS_ON.add(key)
    users = _read_users(key, stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if not users:
        raise UserError(
            f"用户文件 {path} 中没有任何用户，现在谁也无法登录。请用 dangjian user add 添加用户；"
            "若确要在本机免登录单人使用，请删除用户文件后重新启动看板。"
        )
    return dict(users)


def load_users() -> dict[str, User]:
    """The users file, re-read only when it changes ({} when the dashboard runs open; UserError when
    it must stop, see `enforced_users`)."""
    return enforced_users() or {}


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


# Headers a reverse proxy adds: a connection through one is not "this machine" even though it
# arrives from 127.0.0.1.
PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip", "via")
OPEN_MODE_REMOTE = (
    "看板没有设置用户，只允许在本机（127.0.0.1）直接访问，不能从其他电脑或经代理访问。"
    "多人使用请先用 dangjian user add 添加用户，然后重新启动看板。"
)


def open_mode_problem() -> str | None:
    """Why this browser may not use the open (no users) dashboard, or None if it may."""
    if connection_address() is not None:  # None: 127.0.0.1/::1 (or no connection at all)
        return OPEN_MODE_REMOTE
    headers = st.context.headers
    if any(header in headers for header in PROXY_HEADERS):
        return OPEN_MODE_REMOTE
    return None


# ---- what app.py and data.py ask ------------------------------------------------------------------


def access_problem() -> str | None:
    """Why no page may be shown at all (the users file cannot be used, or the open dashboard is
    asked for from another machine), as the Chinese message to show; None if pages may be shown."""
    try:
        users = enforced_users()
    except UserError as error:
        # The page names the file the way the README does, not by the server's path.
        shown = str(error).replace(str(users_file()), "$DANGJIAN_HOME/users.json")
        return f"{shown}（看板已停止提供数据）"
    return open_mode_problem() if users is None else None


def stop_with(problem: str) -> NoReturn:
    st.error(problem, icon=":material/lock:")
    st.stop()


def check_login() -> tuple[bool, LoginSession | None]:
    """(login required, the valid login of this session or None); call once per rerun from app.py.

    Refreshes the idle clock of a valid login and ends an expired one (the reason is shown above the
    login form). When `access_problem` has a reason it shows the error and stops: the dashboard never
    falls back to open mode.
    """
    problem = access_problem()
    if problem is not None:
        stop_with(problem)
    users = load_users()
    if not users:  # the open dashboard, on this machine
        st.session_state.pop(SESSION_KEY, None)
        return False, None
    session = st.session_state.get(SESSION_KEY)
    if session is None:
        return True, None
    at = now()
    expired = session_problem(session, users, at)
    if expired is not None:
        end_session(expired)
        return True, None
    session = replace(session, last_seen_at=at)
    st.session_state[SESSION_KEY] = session
    return True, session


def data_scope() -> str | None:
    """None when the viewer may see everything (the open dashboard, or a 组织部 login), else the
    college code of a 学院 login. LoginRequired when logins are on and there is no valid login,
    when the dashboard must stop, and for open mode asked for from another machine."""
    try:
        users = enforced_users()
    except UserError as error:
        raise LoginRequired(str(error)) from None
    if users is None:
        problem = open_mode_problem()
        if problem is not None:
            raise LoginRequired(problem)
        return None
    if get_script_run_ctx(suppress_warning=True) is None:  # no session to ask: a thread or a script
        raise LoginRequired("没有登录会话")
    session = st.session_state.get(SESSION_KEY)
    if session is None or session_problem(session, users, now()) is not None:
        raise LoginRequired("请先登录")
    return None if session.role == ROLE_ORG else session.college


def viewer() -> str:
    """Who runs a query, for one-at-a-time limits: the login name, or 本机 on the open dashboard."""
    session = st.session_state.get(SESSION_KEY) if get_script_run_ctx(suppress_warning=True) else None
    return session.name if session is not None else LOCAL_CLIENT


def may_query_sql(session: LoginSession | None) -> bool:
    """自助查询 is for 组织部 (and for the single local user of the open dashboard)."""
    return session is None or session.role == ROLE_ORG


T = TypeVar("T")


@dataclass(frozen=True)
class _Grant:
    """What a page was allowed when it offered a download: the scope, and the session to ask again."""

    scope: str | None
    state: Mapping[str, Any] | None  # the tab's st.session_state (thread-safe), None outside a session


def deferred(make: Callable[[str | None], T]) -> Callable[[], T]:
    """A download button's deferred `data`, made only if the login that offered it is still valid.

    Streamlit calls the callable later, on a worker thread with no session, whenever the button is
    clicked, even long after the page was drawn. So the viewer's scope is taken now (LoginRequired
    if there is none) and, when the file is asked for, the same tab's login is checked again: a user
    removed or changed, a logout, an expired session, a users file gone bad, or logins switched on
    since, and the callable raises LoginRequired instead of making the file. `make` gets the scope.
    """
    scope = data_scope()
    ctx = get_script_run_ctx(suppress_warning=True)
    grant = _Grant(scope, ctx.session_state if ctx is not None else None)

    def run() -> T:
        return make(_still_granted(grant))

    return run


def _still_granted(grant: _Grant) -> str | None:
    try:
        users = enforced_users()
    except UserError as error:
        raise LoginRequired(str(error)) from None
    if users is None:  # still the open dashboard the page was drawn in, for this machine
        return grant.scope
    state = grant.state
    session = state[SESSION_KEY] if state is not None and SESSION_KEY in state else None
    if session is None or session_problem(session, users, now()) is not None:
        raise LoginRequired("登录已失效，下载已取消")
    scope = None if session.role == ROLE_ORG else session.college
    if scope != grant.scope:
        raise LoginRequired("登录已变化，下载已取消")
    return scope


def attempt_login(
    name: str, password: str, throttle: LoginThrottle | None = None, client: str | None = None
) -> str | None:
    """Log this session in; None on success, else the Chinese message to show."""
    throttle = throttle or login_throttle()
    client = client or client_of_session()
    wait = throttle.wait_seconds(name, client)
    if wait:
        return f"登录失败次数过多，请 {wait} 秒后再试。"
    if not (name or "").strip() or not password:
        return "请输入用户名和密码。"
    user = verify_login(load_users(), name, password)
    if user is None:
        wait = throttle.record_failure(name, client)
        locked = f"失败次数过多，请 {wait} 秒后再试。" if wait else ""
        return "用户名或密码错误。" + locked
    throttle.record_success(name, client)
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
