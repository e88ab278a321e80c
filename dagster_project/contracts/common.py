"""Columns several sheet kinds share."""

from dagster_project.contracts.model import Column

YEAR = Column("year", "年度", "int", required=True, min_value=2000, max_value=2100)
MEMBER = Column("member_key", "工号/学号", "code", required=True, aliases=("工号", "学号", "人员编号"))
ORG = Column("org_code", "组织编码", "code", required=True)
