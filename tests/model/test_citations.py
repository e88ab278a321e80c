"""Every rulebook row cites its source as a reader can find it: a source document by its own title (in
《》, as registered in seeds/rule_sources.csv) and clause, a national regulation by name, or
"本系统默认（可修改）" — never a project note, a specification or an abbreviation such as "002 附件2"."""

import csv
import os
import re
from pathlib import Path

import pytest

from dagster_project.home import REPO_ROOT

SEEDS = REPO_ROOT / "seeds"
DEFAULT = "本系统默认（可修改）"
PART = re.compile(rf"^(?:《(?P<title>[^《》]+)》[^《》；]*|{re.escape(DEFAULT)}(?:：[^《》；]+)?)$")

# The five source documents as their own texts title them (the 《…》 of each 通知, or its first line).
SOURCE_DOCUMENTS = {
    "关于建立健全基层党建工作责任制的实施办法",
    "中共嘉应学院委员会加强党的基层组织建设三年行动计划（2021-2023年）实施方案",
    "中共辽宁科技学院委员会开展“基层党建制度落实年”活动的实施方案",
    "中共上海开放大学委员会关于落实基层党建工作责任制的实施细则（试行）",
    "广西艺术学院关于全面加强基层党组织建设的意见",
}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _registered() -> dict[str, str]:
    return {row["title"]: row["kind"] for row in _rows(SEEDS / "rule_sources.csv")}


def test_the_registered_sources_are_the_source_documents_and_regulations_they_name():
    registered = _registered()
    assert set(registered.values()) == {"高校制度文件", "党内法规"}
    assert {t for t, kind in registered.items() if kind == "高校制度文件"} == SOURCE_DOCUMENTS


def test_every_rulebook_citation_is_one_of_the_three_forms_and_names_a_registered_title():
    registered = _registered()
    rulebooks = sorted(p for p in SEEDS.glob("*.csv") if p.name != "rule_sources.csv")
    assert len(rulebooks) >= 11
    problems = []
    for path in rulebooks:
        rows = _rows(path)
        assert rows and "source" in rows[0], path.name
        for n, row in enumerate(rows, start=2):
            source = (row["source"] or "").strip()
            parts = source.split("；") if source else [""]
            for part in parts:
                match = PART.match(part)
                if match is None:
                    problems.append((path.name, n, part, "不是三种写法之一"))
                elif match["title"] is not None and match["title"] not in registered:
                    problems.append((path.name, n, part, "标题不在 rule_sources.csv 中"))
    assert problems == []


@pytest.mark.parametrize(
    "bad",
    [
        "002 附件2 (十一)",
        "000 (一票否决)",
        "project default (SPEC §5.1)",
        "党支部工作条例 (reference/domain.md §3.1)",
        "《辽宁科技学院党建工作方案》附件2（十一）",  # a title that is not the document's own
        "本系统默认",
    ],
)
def test_the_check_refuses_the_old_citations(bad):
    match = PART.match(bad)
    assert match is None or match["title"] not in _registered()


def _seed_texts() -> list[str] | None:
    folder = Path(os.environ.get("DANGJIAN_SEED_TEXTS", REPO_ROOT.parent / "shared" / "seeds"))
    files = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    return [re.sub(r"\s+", "", f.read_text(encoding="utf-8")) for f in files] or None


def test_every_registered_title_is_written_in_the_source_texts():
    """Checked against the source documents' texts where they are at hand (../shared/seeds, or
    $DANGJIAN_SEED_TEXTS): each registered title occurs in one of them, verbatim but for spaces."""
    texts = _seed_texts()
    if texts is None:
        pytest.skip("the source documents' texts are not on this machine")
    missing = [t for t in _registered() if not any(re.sub(r"\s+", "", t) in text for text in texts)]
    assert missing == []
