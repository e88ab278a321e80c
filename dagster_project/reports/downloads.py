"""The reports as bytes, for a download button: the reject list and the result sheet of the part of
a snapshot a connection sees, the blank templates, and any table as CSV or .xlsx — the same files
the command line writes (`dangjian rejects`, `dangjian export`, `dangjian templates`)."""

import io
import tempfile
import zipfile
from pathlib import Path

import duckdb
import polars as pl

from dagster_project.contracts import SHEET_KINDS
from dagster_project.reports.cell_text import inert_frame
from dagster_project.reports.rejects import write_rejects_workbook_from
from dagster_project.reports.result_sheet import write_result_sheet_from
from dagster_project.reports.sheets import new_workbook
from dagster_project.reports.templates import template_name, write_templates


def reject_list_xlsx(con: duckdb.DuckDBPyConnection, source_file: str | None = None) -> bytes:
    """The reject list of one file (or all files) `con`'s `marts` holds. ValueError for a file it
    does not hold."""
    with tempfile.TemporaryDirectory(prefix="dangjian-rejects-") as tmp:
        out = Path(tmp) / "rejects.xlsx"
        write_rejects_workbook_from(con, out, source_file)
        return out.read_bytes()


def result_sheet_xlsx(con: duckdb.DuckDBPyConnection, year: int) -> bytes:
    """The year-end result sheet of `year` from `con`'s `marts`. ValueError for a year without Q4."""
    with tempfile.TemporaryDirectory(prefix="dangjian-result-") as tmp:
        out = Path(tmp) / "result.xlsx"
        write_result_sheet_from(con, year, out)
        return out.read_bytes()


def result_sheet_pdf(con: duckdb.DuckDBPyConnection, year: int) -> bytes:
    """The printable (A4 PDF) result sheet of `year` from `con`'s `marts` (reports/printed.py).
    ValueError for a year without Q4; FileNotFoundError when there is no Chromium to print with."""
    from dagster_project.reports.printed import print_pdf, result_html

    document = result_html(con, year)
    with tempfile.TemporaryDirectory(prefix="dangjian-result-") as tmp:
        out = Path(tmp) / "result.pdf"
        print_pdf(document, out)
        return out.read_bytes()


def template_workbooks() -> dict[str, tuple[str, bytes]]:
    """{sheet kind: (file name, bytes)} of the blank templates."""
    with tempfile.TemporaryDirectory(prefix="dangjian-templates-") as tmp:
        paths = {p.name: p for p in write_templates(Path(tmp))}
        return {k.kind: (template_name(k), paths[template_name(k)].read_bytes()) for k in SHEET_KINDS}


def zip_of(files: dict[str, tuple[str, bytes]]) -> bytes:
    """{…: (file name, bytes)} as one .zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.values():
            archive.writestr(name, content)
    return buffer.getvalue()


def frame_csv(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens the Chinese text correctly; text that Excel would take
    for a formula gets a leading apostrophe (cell_text.py)."""
    return "\ufeff".encode() + inert_frame(frame).write_csv().encode("utf-8")


def frame_xlsx(frame: pl.DataFrame, worksheet: str = "查询结果") -> bytes:
    """An .xlsx of `frame`; text stays text (no formulas, links or numbers made of user values, and
    formula-like text with a leading apostrophe, as in the CSV)."""
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    inert_frame(frame).write_excel(workbook, worksheet=worksheet[:31], autofit=True)
    workbook.close()
    return buffer.getvalue()
