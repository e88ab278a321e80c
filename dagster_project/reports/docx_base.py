"""The page and type of every .docx the warehouse writes (考核反馈报告, 通报 draft): A4 portrait,
Chinese text in Noto Sans CJK SC at 11 pt (the font the chart images use; Word or WPS without it
substitutes their own CJK font), plain grid tables with a shaded header row.

python-docx writes a real Word document (styles, tables, pictures), so Word, WPS and LibreOffice open
it as a document to edit, not a picture of one.
"""

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

FONT = "Noto Sans CJK SC"
BODY_SIZE = Pt(11)
TABLE_SIZE = Pt(10.5)
HEADER_FILL = "E8E8E8"
FLAG_FILL = "FDE3E0"


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _set_font(style_or_run: Any, size: Pt | None = None, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def new_document() -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(25)
    section.left_margin = section.right_margin = Mm(22)
    _set_font(doc.styles["Normal"], BODY_SIZE)
    doc.styles["Normal"].paragraph_format.space_after = Pt(4)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.3
    for name, size in (("Title", Pt(18)), ("Heading 1", Pt(14)), ("Heading 2", Pt(12))):
        _set_font(doc.styles[name], size, bold=True)
        doc.styles[name].font.color.rgb = None
    return doc


def title(doc: DocumentType, text: str, meta: str) -> None:
    heading = doc.add_paragraph(text, style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line = doc.add_paragraph(meta)
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER


def heading(doc: DocumentType, text: str) -> None:
    doc.add_paragraph(text, style="Heading 1")


def paragraph(doc: DocumentType, text: str, *, lead: str | None = None) -> None:
    """A body paragraph, optionally opening with a bold `lead` ("主要成绩：")."""
    p = doc.add_paragraph()
    p.paragraph_format.first_line_indent = Pt(22)
    if lead:
        p.add_run(lead).bold = True
    p.add_run(text)


def _shade(cell: Any, fill: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    properties.append(shading)


def table(
    doc: DocumentType,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    flagged: Sequence[bool] = (),
    widths_mm: Sequence[float] = (),
) -> None:
    """A grid table; rows with a True in `flagged` shaded (一票否决, 差). Cells are text."""
    grid = doc.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for c, header in enumerate(headers):
        cell = grid.rows[0].cells[c]
        cell.text = header
        _shade(cell, HEADER_FILL)
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
    # repeat the header row on every page the table runs over
    header_props = grid.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for r, values in enumerate(rows, start=1):
        # a row stays on one page (a problem's text is not cut in two)
        keep = OxmlElement("w:cantSplit")
        keep.set(qn("w:val"), "true")
        grid.rows[r]._tr.get_or_add_trPr().append(keep)
        for c, value in enumerate(values):
            cell = grid.rows[r].cells[c]
            cell.text = "" if value is None else str(value)
            if r - 1 < len(flagged) and flagged[r - 1]:
                _shade(cell, FLAG_FILL)
    if widths_mm:
        # LibreOffice lays out by the grid columns, Word by the cell widths: set both
        grid.autofit = False
        for c, width in enumerate(widths_mm):
            grid.columns[c].width = Mm(width)
    for row in grid.rows:
        for c, cell in enumerate(row.cells):
            if c < len(widths_mm):
                cell.width = Mm(widths_mm[c])
            for p in cell.paragraphs:
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.line_spacing = 1.1
                for run in p.runs:
                    run.font.size = TABLE_SIZE
    doc.add_paragraph()


def picture(doc: DocumentType, png: bytes, width_mm: float = 150) -> None:
    doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER


def to_bytes(doc: DocumentType) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
