"""The home holds ID-card numbers in clear (raw, the archived workbooks) and the login hashes: after a
real `dangjian run` (a child process, as deployed) nothing in it is open to other accounts.

The home is prepared the way a user's shell leaves it (umask 022: folders 0755, files 0644) before
the run, so the run must also tighten what was there.
"""

import os
import stat
from pathlib import Path

from dagster_project.access.users import add_user
from tests.support.trust_home import dangjian, write_inbox


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_home_is_private(tmp_path):
    home = tmp_path / "fresh" / "home"
    done = dangjian(home, "user", "list")
    assert done.returncode == 0, done.stdout + done.stderr
    assert mode(home) == 0o700
    for folder in ("inbox", "archive", "exports", "dagster", "tmp"):
        assert mode(home / folder) == 0o700, folder
    assert mode(home / "dagster" / "dagster.yaml") == 0o600


def test_after_a_real_run_the_home_is_owner_only(tmp_path):
    home = tmp_path / "home"
    write_inbox(home / "inbox")
    add_user(home / "users.json", "zzb", "zzb-password-1", "org")
    os.chmod(home, 0o755)
    os.chmod(home / "users.json", 0o644)
    for path in (home / "inbox").iterdir():
        os.chmod(path, 0o644)

    done = dangjian(home, "run")
    assert done.returncode == 0, done.stdout + done.stderr

    assert mode(home) == 0o700
    for name in ("warehouse.duckdb", "serving.duckdb", "users.json"):
        assert mode(home / name) == 0o600, name
    assert mode(home / "archive") == 0o700
    archived = sorted((home / "archive").iterdir())
    assert len(archived) == 5  # four files and index.jsonl
    assert {p.name: mode(p) for p in archived} == {p.name: 0o600 for p in archived}
    # Everything the run wrote (Dagster's run storage, dbt's compiled SQL, logs): owner only.
    opened = {
        str(p.relative_to(home)): oct(mode(p))
        for p in home.rglob("*")
        if p.parts[len(home.parts)] != "inbox" and mode(p) & 0o077
    }
    assert opened == {}
