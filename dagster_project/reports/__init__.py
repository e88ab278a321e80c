"""Reports people act on, written from the published snapshot or the contract: the reject list to send
back to a college (rejects.py), the year-end result sheet (result_sheet.py), the blank templates
(templates.py), the 问题清单 as a pre-filled 整改台账 (problem_sheet.py), the 考核反馈报告 per college
(feedback.py) and the 通报 draft (bulletin.py) as .docx — every sheet through one
writer (sheets.py), every text through cell_text.py so that nothing becomes a formula.

What the dashboards use, as bytes for a download button, is exported here.
"""

from dagster_project.reports.downloads import (
    frame_csv,
    frame_xlsx,
    reject_list_xlsx,
    result_sheet_pdf,
    result_sheet_xlsx,
    template_workbooks,
    zip_of,
)
from dagster_project.reports.feedback_files import (
    BULLETIN_NAME,
    REPORTS_ZIP_NAME,
    all_reports_zip,
    bulletin_bytes,
    college_report_bytes,
    college_report_pdf_bytes,
    report_name,
)
from dagster_project.reports.problem_sheet import problem_sheet_xlsx
from dagster_project.reports.rejects import KIND_TITLES, kinds_text, row_values_text
from dagster_project.reports.templates import TemplateInfo, template_catalog

__all__ = [
    "BULLETIN_NAME",
    "KIND_TITLES",
    "REPORTS_ZIP_NAME",
    "TemplateInfo",
    "all_reports_zip",
    "bulletin_bytes",
    "college_report_bytes",
    "college_report_pdf_bytes",
    "frame_csv",
    "frame_xlsx",
    "kinds_text",
    "problem_sheet_xlsx",
    "reject_list_xlsx",
    "report_name",
    "result_sheet_pdf",
    "result_sheet_xlsx",
    "row_values_text",
    "template_catalog",
    "template_workbooks",
    "zip_of",
]
