"""Downloads of the dashboards: the reject list, the result sheet, the 考核反馈报告 and 通报 draft, the
blank templates, a page's table as CSV or xlsx — all written by `dagster_project.reports` (the same
files the CLI writes), from the viewer's part of the snapshot, and cached per snapshot version and scope."""

import json
from collections.abc import Callable

import polars as pl
import streamlit as st

from dagster_project import reports, serving
from dashboards import auth
from dashboards.snapshot import current_scope, cursor, serving_path


def rejects_workbook(source_file: str | None = None) -> bytes:
    """The rejects workbook of one file (or all files) the viewer may see, as .xlsx bytes.

    Written by `dagster_project.reports` (the same workbook `dangjian rejects` writes); cached per
    snapshot and scope. Raises ValueError for an
    unknown file (a file of another college is unknown to a 学院 user).
    """
    return _rejects_workbook(source_file, current_scope())


def rejects_download(source_file: str | None = None) -> Callable[[], bytes]:
    """`rejects_workbook` for a download button's deferred `data`: Streamlit calls it later on a
    worker thread that has no session, so the login is checked again then (`auth.deferred`)."""
    return auth.deferred(lambda scope: _rejects_workbook(source_file, scope))


def _rejects_workbook(source_file: str | None, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_rejects_workbook(str(path), source_file, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=32)
def _cached_rejects_workbook(path: str, source_file: str | None, version: int, scope: str | None) -> bytes:
    del version
    with cursor(path, scope) as con:
        return reports.reject_list_xlsx(con, source_file)


def result_sheet_workbook(year: int) -> bytes:
    """The year-end result sheet of `year` from the viewer's part of the snapshot, as .xlsx bytes.

    Written by `dagster_project.reports` (the same workbook `dangjian export` writes; a 学院 user
    gets its own rows); cached per snapshot and scope. Raises ValueError for a year without Q4.
    """
    return _result_sheet(int(year), current_scope())


def result_sheet_download(year: int) -> Callable[[], bytes]:
    """`result_sheet_workbook` for a download button's deferred `data` (login checked again then)."""
    return auth.deferred(lambda scope: _result_sheet(int(year), scope))


def _result_sheet(year: int, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_result_sheet(str(path), year, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _cached_result_sheet(path: str, year: int, version: int, scope: str | None) -> bytes:
    del version
    with cursor(path, scope) as con:
        return reports.result_sheet_xlsx(con, year)


def result_pdf_download(year: int) -> Callable[[], bytes]:
    """The printable result sheet (A4 PDF) of `year` for a download button's deferred `data`."""
    return auth.deferred(lambda scope: _result_pdf(int(year), scope))


def _result_pdf(year: int, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_result_pdf(str(path), year, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=8)
def _cached_result_pdf(path: str, year: int, version: int, scope: str | None) -> bytes:
    del version
    with cursor(path, scope) as con:
        return reports.result_sheet_pdf(con, year)


def problem_sheet_download(year: int, college: str | None = None) -> Callable[[], bytes]:
    """The 问题清单 of `year` as a pre-filled 整改台账 (the same workbook `dangjian problems` writes),
    of the viewer's part of the snapshot, for a download button's deferred `data` (login checked
    again then). A 学院 user gets its own problems only."""
    return auth.deferred(lambda scope: _problem_sheet(int(year), college, scope))


def _problem_sheet(year: int, college: str | None, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_problem_sheet(str(path), year, college, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _cached_problem_sheet(
    path: str, year: int, college: str | None, version: int, scope: str | None
) -> bytes:
    del version
    with cursor(path, scope) as con:
        return reports.problem_sheet_xlsx(con, year, college)


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The year-end documents (考核反馈报告 .docx / .pdf, all reports as .zip, the 通报 draft) by kind.
_DOCUMENTS = {
    "report_docx": lambda con, year, college: reports.college_report_bytes(con, year, college),
    "report_pdf": lambda con, year, college: reports.college_report_pdf_bytes(con, year, college),
    "reports_zip": lambda con, year, _college: reports.all_reports_zip(con, year),
    "bulletin": lambda con, year, _college: reports.bulletin_bytes(con, year),
}


def year_end_document_download(kind: str, year: int, college: str | None = None) -> Callable[[], bytes]:
    """A year-end document (`_DOCUMENTS`) of the viewer's part of the snapshot for a download
    button's deferred `data` (login checked again then): a 学院 login's copy holds its own college
    only, so it can get only its own report."""
    if kind not in _DOCUMENTS:
        raise ValueError(kind)
    return auth.deferred(lambda scope: _year_end_document(kind, int(year), college, scope))


def _year_end_document(kind: str, year: int, college: str | None, scope: str | None) -> bytes:
    path = serving_path()
    return _cached_year_end_document(str(path), kind, year, college, path.stat().st_mtime_ns, scope)


@st.cache_data(ttl=600, show_spinner=False, max_entries=16)
def _cached_year_end_document(
    path: str, kind: str, year: int, college: str | None, version: int, scope: str | None
) -> bytes:
    del version
    with cursor(path, scope) as con:
        return _DOCUMENTS[kind](con, year, college)


@st.cache_data(show_spinner=False)
def template_workbooks() -> dict[str, tuple[str, bytes]]:
    """{sheet kind: (file name, bytes)} of the blank templates (`dagster_project.reports`)."""
    return reports.template_workbooks()


@st.cache_data(show_spinner=False)
def templates_zip() -> bytes:
    """Every blank template in one .zip."""
    return reports.zip_of(template_workbooks())


YES, NO = "是", "否"


def readable_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """A table as a reader of the file expects it: 是/否 for a true/false column (not TRUE/FALSE),
    an empty cell for a missing value, and a list or record of a SQL result as its text (a CSV cannot
    hold one at all)."""
    columns = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Boolean:
            column = pl.when(pl.col(name)).then(pl.lit(YES)).when(~pl.col(name)).then(pl.lit(NO))
        elif dtype.is_nested():
            texts = [
                None if v is None else json.dumps(v, ensure_ascii=False, default=str)
                for v in frame[name].to_list()
            ]
            column = pl.Series(name, texts, dtype=pl.String)
        else:
            column = pl.col(name)
        columns.append(column.alias(name))
    return frame.select(columns)


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM, so Excel opens the Chinese text correctly; text that Excel would take
    for a formula gets a leading apostrophe (dagster_project/reports/cell_text.py)."""
    return reports.frame_csv(readable_frame(frame))


def xlsx_bytes(frame: pl.DataFrame, worksheet: str = "查询结果") -> bytes:
    """An .xlsx of `frame`; text stays text (no formulas, links or numbers made of user values, and
    formula-like text with a leading apostrophe, as in the CSV)."""
    return reports.frame_xlsx(readable_frame(frame), worksheet)


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_download_button(
    frame: pl.DataFrame,
    worksheet: str,
    file_name: str,
    key: str,
    for_scope: Callable[[pl.DataFrame, str | None], pl.DataFrame] | None = None,
) -> None:
    """A "下载 Excel" button for a table a page shows: the bytes are made when it is clicked, with the
    login checked again then (`auth.deferred`). `for_scope(frame, scope)`, when given, makes the
    downloaded table from the shown one for the viewer's scope at that moment (e.g. `with_names`)."""

    def make(scope: str | None) -> bytes:
        return xlsx_bytes(for_scope(frame, scope) if for_scope else frame, worksheet)

    st.download_button(
        "下载 Excel",
        data=auth.deferred(make),
        file_name=file_name,
        mime=XLSX_MIME,
        on_click="ignore",
        icon=":material/download:",
        key=key,
    )


def report_download_buttons(year: int, college: str, college_name: str, key: str) -> None:
    """The 考核反馈报告 of one college for `year`: .docx (to edit) and PDF (to print), made on click."""
    stem = reports.report_name(year, college_name)
    left, right = st.columns(2)
    left.download_button(
        "下载考核反馈报告（Word）",
        data=year_end_document_download("report_docx", year, college),
        file_name=f"{stem}.docx",
        mime=DOCX_MIME,
        on_click="ignore",
        icon=":material/description:",
        key=f"{key}_docx",
    )
    right.download_button(
        "下载考核反馈报告（PDF）",
        data=year_end_document_download("report_pdf", year, college),
        file_name=f"{stem}.pdf",
        mime="application/pdf",
        on_click="ignore",
        icon=":material/print:",
        key=f"{key}_pdf",
    )


def with_names(
    frame: pl.DataFrame, scope: str | None, *, key: str, college: str, name: str = "姓名"
) -> pl.DataFrame:
    """`frame` with a `name` column after `key`, from the names file beside the snapshot (never from
    the snapshot, which has none): every person's name for the 组织部 (scope None), only the people
    of its own college for a 学院 login — other rows get no name. The `college` column is dropped."""
    names = serving.names_for(serving_path(), scope)
    looked_up = [
        names.get((k, c)) if scope is None or c == scope else None
        for k, c in zip(frame[key].to_list(), frame[college].to_list(), strict=True)
    ]
    position = frame.columns.index(key) + 1
    named = frame.insert_column(position, pl.Series(name, looked_up, dtype=pl.String))
    return named.drop(college)
