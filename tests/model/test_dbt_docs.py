"""The public tables are documented for the organization department's analysts: every mart has
an enforced contract, a Chinese description, and a data type and Chinese description for every column;
and `dbt docs generate` works on a fresh home."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt"
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

# Public marts that must exist in the manifest and be fully documented.
REQUIRED_MARTS = (
    "dim_org",
    "dim_member",
    "member_training",
    "branch_indicators",
    "branch_scores",
    "weak_branches",
    "rejects",
    "load_summary",
    "college_indicators",
    "college_scores",
    "tasks",
    "activity_records",
    "funding_records",
    "training_records",
    "checklist_answers",
    "rulebook_files",
    "frozen_years",
    "frozen_diff",
    "indicator_sources",
    "rulebook_dimensions",
    "rulebook_indicators",
    "rulebook_grades",
    "rulebook_star_cutoffs",
    "college_benchmarks",
    "college_rank_ladder",
    "college_votes",
    "rulebook_problem_sources",
)
# Public marts checked the same way as soon as they are in the manifest; move a name to REQUIRED_MARTS
# once the model is part of the project for good.
CHECKED_WHEN_PRESENT: tuple[str, ...] = ()
PUBLIC_MARTS = REQUIRED_MARTS + CHECKED_WHEN_PRESENT

CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def models(dbt_manifest: Path) -> dict[str, dict]:
    manifest = json.loads(dbt_manifest.read_text(encoding="utf-8"))
    return {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["package_name"] == "dangjian"
    }


def documentation_problems(node: dict) -> list[str]:
    problems = []
    if not node["config"].get("contract", {}).get("enforced"):
        problems.append("contract not enforced (config: {contract: {enforced: true}})")
    if not CHINESE.search(node.get("description") or ""):
        problems.append("model has no Chinese description")
    if not node["columns"]:
        problems.append("no columns listed")
    for name, column in node["columns"].items():
        if not column.get("data_type"):
            problems.append(f"column {name}: no data_type")
        if not CHINESE.search(column.get("description") or ""):
            problems.append(f"column {name}: no Chinese description")
    return problems


def test_public_mart_lists_do_not_overlap():
    assert len(set(PUBLIC_MARTS)) == len(PUBLIC_MARTS)


@pytest.mark.parametrize("mart", PUBLIC_MARTS)
def test_public_mart_is_documented(models: dict[str, dict], mart: str):
    if mart not in models:
        assert mart not in REQUIRED_MARTS, f"public mart {mart} is missing from the dbt project"
        pytest.skip(f"{mart} is not in the dbt project yet")
    node = models[mart]
    assert node["config"]["schema"] == "marts"
    problems = documentation_problems(node)
    assert not problems, f"{mart} is not fully documented: " + "; ".join(problems)


def test_docs_generate_on_a_fresh_home(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "target"
    env = {
        **os.environ,
        "DANGJIAN_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "docs",
            "generate",
            "--profiles-dir",
            str(DBT_DIR),
            "--project-dir",
            str(DBT_DIR),
            "--target-path",
            str(target),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        env=env,
        cwd=DBT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (target / "index.html").exists()
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    assert catalog["errors"] in (None, [])
    # the documentation shown by `dbt docs serve` carries the Chinese descriptions
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    assert CHINESE.search(manifest["nodes"]["model.dangjian.branch_scores"]["description"])
