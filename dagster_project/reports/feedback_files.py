"""The 考核反馈报告 and the 通报 draft as bytes, for the dashboards' download buttons: from the viewer's
part of the snapshot (a 学院 login's own copy holds only its college, so it can only get its own).
"""

import tempfile
import zipfile
from pathlib import Path

import duckdb

from dagster_project.reports.bulletin import bulletin_docx
from dagster_project.reports.feedback import college_report_docx, report_name, write_report_docx
from dagster_project.reports.feedback_data import read_college_report, year_end_colleges
from dagster_project.reports.office_pdf import docx_to_pdf

__all__ = ["report_name"]

REPORTS_ZIP_NAME = "{year}年度考核反馈报告（全部二级党组织）.zip"
BULLETIN_NAME = "{year}年度考核结果通报（草稿）.docx"


def college_report_bytes(con: duckdb.DuckDBPyConnection, year: int, college: str) -> bytes:
    """One college's report (.docx) from `con`'s marts. ValueError for a college without Q4 results."""
    return college_report_docx(read_college_report(con, year, college))


def college_report_pdf_bytes(con: duckdb.DuckDBPyConnection, year: int, college: str) -> bytes:
    """One college's report as PDF (LibreOffice); FileNotFoundError without LibreOffice."""
    content = college_report_bytes(con, year, college)
    with tempfile.TemporaryDirectory(prefix="dangjian-report-") as tmp:
        document = Path(tmp) / "report.docx"
        document.write_bytes(content)
        (pdf,) = docx_to_pdf([document], Path(tmp) / "pdf")
        return pdf.read_bytes()


def all_reports_zip(con: duckdb.DuckDBPyConnection, year: int) -> bytes:
    """Every college's report (.docx and PDF; the PDFs left out without LibreOffice) in one .zip."""
    with tempfile.TemporaryDirectory(prefix="dangjian-reports-") as tmp:
        folder = Path(tmp)
        documents = [
            write_report_docx(con, year, code, folder, None) for code, _ in year_end_colleges(con, year)
        ]
        try:
            pdfs = docx_to_pdf(documents, folder / "pdf")
        except (FileNotFoundError, RuntimeError):
            pdfs = []
        archive = folder / "all.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for file in [*documents, *pdfs]:
                z.write(file, file.name)
        return archive.read_bytes()


def bulletin_bytes(con: duckdb.DuckDBPyConnection, year: int) -> bytes:
    """The 通报 draft (.docx) of `year`."""
    return bulletin_docx(con, year)[0]
