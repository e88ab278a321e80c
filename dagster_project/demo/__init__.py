"""The demo university: deterministic, realistic workbooks for `dangjian demo`.

`generate_demo(inbox, seed, scale)` writes, for each assessment year 2023–2025,

* one workbook per 二级党组织, `2024_01_计算机学院党委.xlsx`, with the sheets 党员花名册, 学习培训台账,
  组织生活台账, 经费台账 and 党费台账, and
* one workbook from the 党委组织部, `2024_组织部_考核汇总.xlsx`, with 组织架构, 任务清单, 述职评议,
  加减分 and 责任清单自查,

in the layouts colleges use, with the headers of the contract (`contracts.KINDS`): a title row, a
blank row, the header row, the data rows and a 填表人/审核人 footer.

At province scale a sheet outgrows Excel (1,048,576 rows), so `fmt="csv"` or `fmt="parquet"` writes
the same university as one file per workbook sheet, `2024_01_计算机学院党委_学习培训台账.csv`. A CSV
keeps the sheet's layout (title, blank row, header, data, footer: its rows are the workbook's rows); a
Parquet file has the headers as column names and typed columns (a column holding a messy text is a
text column), so its data row i is row i + 2. The same seed and scale give the same people and rows
in every format; only which few dates are written as text in another spelling differs.

The university is built so that rankings and trends mean something. Every college has a diligence level
per year (profiles diligent / average / lax / improving / declining) that drives training hours and
their spread over the year, meeting counts, attendance, spending, dues, task completion, votes and
self-checks. Known problems are planted (an overdue 换届, oversized branches, branches with a committee
but no 支部委员会 records, a secretary who is not 双带头人, one 一票否决), and a handful of messy cells
that a reader must reject are listed in `DemoSummary.messy`.

Determinism: every random draw comes from a `random.Random` seeded from `seed` (string seeds are hashed
with SHA-512, independent of PYTHONHASHSEED) and the workbooks carry a fixed creation time, so the same
seed gives byte-identical files.

The package: vocabulary.py (names, courses, topics, tasks, the messy cells), model.py (people,
branches, colleges, books), people.py and university.py (building the university from the seed),
college_book.py, training.py, activities.py, funding.py, org_book.py and tasks.py (the rows of each
sheet kind), messy.py (planting the bad cells), writers.py (xlsx, CSV, Parquet) and generate.py
(generate_demo).
"""

from dagster_project.demo.generate import COLLEGE_SHEETS, FORMATS, ORG_SHEETS, DemoSummary, generate_demo
from dagster_project.demo.model import LEADER_ROLES, UNIVERSITY_CODE, YEARS, MessyRow
from dagster_project.demo.people import id_card_valid
from dagster_project.demo.writers import HEADER_ROW

__all__ = [
    "COLLEGE_SHEETS",
    "FORMATS",
    "HEADER_ROW",
    "LEADER_ROLES",
    "ORG_SHEETS",
    "UNIVERSITY_CODE",
    "YEARS",
    "DemoSummary",
    "MessyRow",
    "generate_demo",
    "id_card_valid",
]
