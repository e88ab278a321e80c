"""Who may see the dashboards: the logins (users.py: `$DANGJIAN_HOME/users.json`, argon2 hashes, the
roles 组织部 and 学院) and which reverse proxies are believed about a browser's address.

The dashboards' login (dashboards/auth.py) imports this package and nothing else of the pipeline's.
"""

from pathlib import Path

from dagster_project.access.users import (
    COLLEGE_CODE,
    ROLE_COLLEGE,
    ROLE_ORG,
    ROLES,
    User,
    UserError,
    add_user,
    check_name,
    check_role,
    list_users,
    read_users,
    remove_user,
    verify_login,
)
from dagster_project.home import Home

# Reverse proxies whose X-Forwarded-For the dashboard believes (`dangjian serve --trusted-proxy`).
TRUSTED_PROXIES_ENV = "DANGJIAN_TRUSTED_PROXIES"


def users_file() -> Path:
    """The users file of the home this process serves ($DANGJIAN_HOME)."""
    return Home.from_env().users


__all__ = [
    "COLLEGE_CODE",
    "ROLES",
    "ROLE_COLLEGE",
    "ROLE_ORG",
    "TRUSTED_PROXIES_ENV",
    "User",
    "UserError",
    "add_user",
    "check_name",
    "check_role",
    "list_users",
    "read_users",
    "remove_user",
    "users_file",
    "verify_login",
]
