"""A draft (`drafting`) to files: a PDF through WeasyPrint from the kind's Django
template, and a .docx through python-docx with the same content, for editing in WPS
or Word.

The PDF needs a CJK font on the machine: Debian's `fonts-noto-cjk`. The .docx names
the fonts offices have (仿宋, 黑体, 方正小标宋简体) and embeds none.
"""

import io
import threading

from django.template.loader import render_to_string
from docx import Document as WordDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

RED = RGBColor(0xD4, 0x00, 0x00)
BODY_FONT = "仿宋"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"


_local = threading.local()


def font_config() -> FontConfiguration:
    """One font configuration per thread: a new one per document loads the CJK fonts
    again each time and grows the process by ~20 MiB a document."""
    config = getattr(_local, "font_config", None)
    if config is None:
        config = _local.font_config = FontConfiguration()
    return config


def html_of(draft: dict, *, preview: bool = False) -> str:
    return render_to_string(
        [f"documents/kinds/{draft['kind']}.html", "documents/document.html"],
        {"d": draft, "preview": preview},
    )


def pdf_of(draft: dict, *, preview: bool = False) -> bytes:
    return HTML(string=html_of(draft, preview=preview)).write_pdf(font_config=font_config())


def combined_pdf(drafts: list[dict]) -> bytes:
    """Several documents in one PDF for printing (each starts on a new page)."""
    config = font_config()
    rendered = [HTML(string=html_of(draft)).render(font_config=config) for draft in drafts]
    if not rendered:
        raise ValueError("no documents to combine")
    pages = [page for document in rendered for page in document.pages]
    return rendered[0].copy(pages).write_pdf()


# --- .docx -------------------------------------------------------------------------------


def _font(run, name: str, size: float, *, bold: bool = False, color: RGBColor | None = None):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _paragraph(
    doc,
    text: str,
    *,
    font=BODY_FONT,
    size=16.0,
    align=None,
    indent=False,
    bold=False,
    color=None,
    space_after=0.0,
):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    form = paragraph.paragraph_format
    form.space_after = Pt(space_after)
    form.space_before = Pt(0)
    form.line_spacing = Pt(28)
    if indent:
        form.first_line_indent = Pt(size * 2)
    for index, part in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if index:
            run.add_break()  # keep the line breaks of a multi-line paragraph
        run.add_text(part)
        _font(run, font, size, bold=bold, color=color)
    return paragraph


def _red_rule(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "1"),
        ("w:color", "D40000"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _table(doc, block: dict) -> None:
    header, rows = block["header"], block["rows"]
    with_header = len(header) > 2
    table = doc.add_table(rows=len(rows) + with_header, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = ([header] if with_header else []) + rows
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            cell = table.cell(r, c)
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(value))
            heading = with_header and r == 0
            _font(run, HEADING_FONT if heading else BODY_FONT, 13)


def docx_of(draft: dict) -> bytes:
    doc = WordDocument()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    minutes = draft["kind"] == "meeting_minutes"
    header = draft["title"] if minutes else draft["body_name"]
    _paragraph(
        doc, header, font=TITLE_FONT, size=30, align=center, bold=True, color=RED, space_after=12
    )
    last = _paragraph(doc, draft.get("reference") or "", align=center)
    _red_rule(last)
    if not minutes:
        _paragraph(
            doc, draft["title"], font=TITLE_FONT, size=22, align=center, bold=True, space_after=16
        )
    if draft.get("recipient"):
        _paragraph(doc, f"{draft['recipient']}：")
    for block in draft["blocks"]:
        kind = block["type"]
        if kind == "p":
            _paragraph(doc, block["text"], indent=True)
        elif kind == "h":
            _paragraph(doc, block["text"], font=HEADING_FONT, indent=True)
        elif kind == "line":
            _paragraph(doc, block["text"])
        elif kind == "table":
            _table(doc, block)
        elif kind == "signatures":
            for label, name in block["parties"]:
                _paragraph(doc, f"{label}：{name}", space_after=12)
    if draft["kind"] != "closure_agreement":
        _paragraph(doc, "")
        if draft.get("seal"):
            _paragraph(doc, "（印章）", align=right, size=10, color=RED)
        _paragraph(doc, draft["body_name"], align=right)
        _paragraph(doc, draft["date_text"], align=right)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
