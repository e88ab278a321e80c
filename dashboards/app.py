"""党建考核数据仓库 — Streamlit entry point (`dangjian serve`).

Reads only the published snapshot `serving.duckdb` (dashboards/snapshot.py). Add a page with one
line in PAGES. Once users exist (`dangjian user add`), every page needs a login (dashboards/auth.py); a
学院 login sees only its own college (enforced in dashboards/scoping.py) and has no 自助查询 page.
"""

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
FAVICON = HERE / "favicon.png"
if str(HERE.parent) not in sys.path:  # `streamlit run dashboards/app.py` without the package installed
    sys.path.insert(0, str(HERE.parent))

from dagster_project.reports.chart_theme import register_theme  # noqa: E402
from dashboards import auth  # noqa: E402
from dashboards.queries import query  # noqa: E402
from dashboards.queries.app import LOGIN_COLLEGE_NAME_SQL  # noqa: E402
from dashboards.snapshot import (  # noqa: E402
    NO_SNAPSHOT_MESSAGE,
    build_id,
    has_table,
    published_at,
    serving_path,
    snapshot_exists,
)

# one Altair theme for every page's charts and the report images (Chinese font, readable sizes)
register_theme()

PAGES = [
    st.Page(
        HERE / "pages" / "ranking.py",
        title="排名",
        icon=":material/leaderboard:",
        url_path="ranking",
        default=True,
    ),
    st.Page(HERE / "pages" / "trends.py", title="趋势", icon=":material/trending_up:", url_path="trends"),
    st.Page(
        HERE / "pages" / "college_detail.py",
        title="学院详情",
        icon=":material/account_balance:",
        url_path="college",
    ),
    st.Page(
        HERE / "pages" / "tasks.py",
        title="任务清单",
        icon=":material/checklist:",
        url_path="tasks",
    ),
    st.Page(
        HERE / "pages" / "rectification.py",
        title="整改跟踪",
        icon=":material/task_alt:",
        url_path="rectification",
    ),
    st.Page(
        HERE / "pages" / "development.py",
        title="党员队伍",
        icon=":material/groups:",
        url_path="development",
    ),
    st.Page(
        HERE / "pages" / "year_end.py",
        title="年终考核",
        icon=":material/workspace_premium:",
        url_path="year-end",
    ),
    st.Page(
        HERE / "pages" / "submit.py",
        title="数据报送",
        icon=":material/upload_file:",
        url_path="submit",
    ),
    st.Page(
        HERE / "pages" / "submission_progress.py",
        title="报送进度",
        icon=":material/event_available:",
        url_path="progress",
    ),
    st.Page(
        HERE / "pages" / "data_quality.py",
        title="数据质量",
        icon=":material/fact_check:",
        url_path="quality",
    ),
    st.Page(
        HERE / "pages" / "sql_query.py",
        title="自助查询",
        icon=":material/terminal:",
        url_path="sql",
    ),
    st.Page(
        HERE / "pages" / "templates.py",
        title="模板下载",
        icon=":material/download:",
        url_path="templates",
    ),
]

# A file of our own: a material-icon favicon would be fetched from a font CDN by every browser.
st.set_page_config(page_title="党建考核数据仓库", page_icon=str(FAVICON), layout="wide")

# Always declare the navigation (even with no snapshot, even before login) so Streamlit never falls
# back to listing pages/. Before login it is hidden: the page asked for in the URL opens after login.
# A users file that cannot be used stops every page, with the navigation hidden too.
problem = auth.access_problem()
if problem is not None:
    st.navigation(PAGES, position="hidden")
    auth.stop_with(problem)
login_required, login = auth.check_login()
if login_required and login is None:
    st.navigation(PAGES, position="hidden")
    auth.login_form()

# A page left out of the navigation cannot be opened by URL either: Streamlit opens the default page.
page = st.navigation([p for p in PAGES if p.url_path != auth.SQL_PAGE or auth.may_query_sql(login)])

if login is None:
    auth.open_mode_banner()
else:
    college_name = None
    if login.college is not None and snapshot_exists() and has_table("marts", "dim_org"):
        names = query(LOGIN_COLLEGE_NAME_SQL, [login.college])
        college_name = names["org_name"][0] if names.height else None
    auth.login_sidebar(login, college_name)

# Templates are needed before anything has been published (the first files are filled from them).
if not snapshot_exists() and page.url_path != "templates":
    st.title("党建考核数据仓库")
    st.warning(NO_SNAPSHOT_MESSAGE, icon=":material/database:")
    st.caption(f"数据快照位置：{serving_path().resolve()}")
    st.stop()

if snapshot_exists():
    build = build_id()
    st.sidebar.caption(
        f"数据快照发布于 {published_at():%Y-%m-%d %H:%M}" + (f"，构建 {build[:8]}" if build else "")
    )

page.run()
