"""The dbt project flows one way — sources → staging → intermediate → marts, never back — and every model
says by its folder and its name which layer it is in (read from dbt's manifest).

- staging: `models/staging/`, named `stg_<source>__<entity>`, reads only its source;
- intermediate: `models/intermediate/<business area>/`, named `int_<entity>s_<verb>ed`, reads staging,
  intermediate models and the rulebook (seeds) — never a mart, never a source;
- marts: `models/marts/`, no layer prefix, a select of intermediate models or of the rulebook — never
  of staging, a source or another mart.
"""

import json
import re
from pathlib import Path

import pytest

STAGING_NAME = re.compile(r"^stg_(?P<source>[a-z0-9]+)__[a-z0-9_]+$")
# int_<entity>s_<verb>ed: lower case words joined by single underscores, ending in a past participle
# (regular, or one of the irregular ones the project uses)
INTERMEDIATE_NAME = re.compile(r"^int_[a-z0-9]+(_[a-z0-9]+)*_([a-z]+ed|frozen)$")
MART_NAME = re.compile(r"^(?!stg_|int_)[a-z][a-z0-9_]*$")


@pytest.fixture(scope="module")
def manifest(dbt_manifest: Path) -> dict:
    return json.loads(dbt_manifest.read_text(encoding="utf-8"))


def _models(manifest: dict) -> dict[str, dict]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "dangjian"
    }


def layer(node: dict) -> str:
    """staging / intermediate / marts from the model's folder (models/<layer>/…)."""
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else ""


def layer_problems(manifest: dict) -> list[str]:
    """Every breach of the one-way flow and of the folder and naming rules, in words."""
    nodes = {**manifest["nodes"], **manifest["sources"]}
    models = _models(manifest)
    problems = []
    for node in sorted(models.values(), key=lambda n: n["name"]):
        name, where = node["name"], layer(node)
        parents = [nodes[p] for p in node["depends_on"]["nodes"] if p in nodes]
        parent_kinds = {
            "source"
            if p["resource_type"] == "source"
            else "seed"
            if p["resource_type"] == "seed"
            else layer(p)
            for p in parents
        }
        if where == "staging":
            match = STAGING_NAME.match(name)
            sources = {p["source_name"] for p in parents if p["resource_type"] == "source"}
            if not match:
                problems.append(f"{name}: a staging model is named stg_<source>__<entity>")
            elif sources != {match["source"]}:
                problems.append(f"{name}: reads sources {sorted(sources)}, its name says {match['source']}")
            if parent_kinds - {"source"}:
                problems.append(
                    f"{name}: a staging model reads only its source, not {sorted(parent_kinds - {'source'})}"
                )
        elif where == "intermediate":
            folder = Path(node["original_file_path"]).parts
            if len(folder) != 4:
                problems.append(
                    f"{name}: lives in models/intermediate/<business area>/, not {node['original_file_path']}"
                )
            if not INTERMEDIATE_NAME.match(name):
                problems.append(f"{name}: an intermediate model is named int_<entity>s_<verb>ed")
            wrong = parent_kinds - {"staging", "intermediate", "seed"}
            if wrong:
                problems.append(
                    f"{name}: an intermediate model reads staging, intermediate and seeds, not {sorted(wrong)}"
                )
        elif where == "marts":
            if not MART_NAME.match(name):
                problems.append(f"{name}: a mart has no layer prefix")
            wrong = parent_kinds - {"intermediate", "seed"}
            if wrong:
                problems.append(
                    f"{name}: a mart selects from intermediate models or seeds, not {sorted(wrong)}"
                )
        else:
            problems.append(f"{name}: not in models/staging, models/intermediate or models/marts")
    return problems


def test_models_flow_one_way_and_live_in_their_layer(manifest):
    problems = layer_problems(manifest)
    assert not problems, "\n".join(problems)


def test_the_check_sees_a_mart_read_back_and_a_misplaced_model(manifest):
    """The rules above catch what they promise: an intermediate model reading a mart, a mart reading a
    staging model, a model outside its layer's folder or without its layer's name."""
    models = _models(manifest)
    some_mart = next(uid for uid, n in models.items() if layer(n) == "marts")
    some_staging, other_staging = [uid for uid, n in models.items() if layer(n) == "staging"][:2]
    some_int = next(uid for uid, n in models.items() if layer(n) == "intermediate")
    broken = json.loads(json.dumps(manifest))
    broken["nodes"][some_int]["depends_on"]["nodes"].append(some_mart)
    broken["nodes"][some_mart]["depends_on"]["nodes"].append(some_staging)
    broken["nodes"][other_staging]["original_file_path"] = (
        "models/intermediate/x/" + models[other_staging]["name"]
    )
    found = "\n".join(layer_problems(broken))
    assert (
        f"{models[some_int]['name']}: an intermediate model reads staging, intermediate and seeds, not ['marts']"
        in found
    )
    assert (
        f"{models[some_mart]['name']}: a mart selects from intermediate models or seeds, not ['staging']"
        in found
    )
    assert f"{models[other_staging]['name']}: an intermediate model is named int_<entity>s_<verb>ed" in found
