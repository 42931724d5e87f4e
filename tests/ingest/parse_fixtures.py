"""Small generated documents with the text a person sees written beside them.

Each fixture is one file plus ``NAME.EXT.md``, its expected text, for ``footnote bench
parse`` and ``tests/benchmarks/test_parsing.py``. They hold what real files hold and
naive parsers lose: text boxes, headers and footers, footnotes, Strict OOXML, several
sheets with merged cells and formulas, slide notes and tables, running PDF headers and
"Page X of Y", hyphenation, two columns, rotated text, links, and scans. Make them with
``python -m tests.ingest.parse_fixtures DIR``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

_FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def page_image(lines: tuple[str, ...], grid: bool = False) -> Image.Image:
    """A white page with dark text, as a 300 dpi scanner would see it."""
    image = Image.new("L", (1700, 200 + 110 * len(lines)), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(_FONTS / "DejaVuSans.ttf"), 48)
    for i, line in enumerate(lines):
        draw.text((120, 100 + 110 * i), line, fill=30, font=font)
        if grid:
            draw.line((80, 80 + 110 * i, 1620, 80 + 110 * i), fill=0, width=4)
    if grid:
        bottom = 80 + 110 * len(lines)
        draw.line((80, bottom, 1620, bottom), fill=0, width=4)
        for x in (80, 1620):
            draw.line((x, 80, x, bottom), fill=0, width=4)
    return image


def scanned_pdf(path: Path, pages: list[str | Image.Image]) -> None:
    """A PDF whose pages are text (a text layer) or pictures (scans)."""
    from fpdf import FPDF

    pdf = FPDF()
    for page in pages:
        pdf.add_page()
        if isinstance(page, str):
            pdf.set_font("Helvetica", size=12)
            pdf.multi_cell(0, 6, page)
        else:
            buf = io.BytesIO()
            page.save(buf, format="PNG")
            pdf.image(buf, x=10, y=10, w=190)
    pdf.output(str(path))


def _rewrite_zip(path: Path, edit: Callable[[str, bytes], bytes], extra: dict[str, str]) -> None:
    """Rewrite every part of an OOXML package through ``edit`` and add ``extra`` parts."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, edit(name, data))
        for name, text in extra.items():
            out.writestr(name, text)


_TEXT_BOX = (
    '<w:r><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
    'relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
    '<wp:simplePos x="0" y="0"/><wp:positionH relativeFrom="column"><wp:posOffset>0'
    '</wp:posOffset></wp:positionH><wp:positionV relativeFrom="paragraph"><wp:posOffset>0'
    '</wp:posOffset></wp:positionV><wp:extent cx="2000000" cy="600000"/><wp:wrapSquare '
    'wrapText="bothSides"/><wp:docPr id="7" name="Text Box 7"/><a:graphic '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData '
    'uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
    '<wps:cNvSpPr txBox="1"/><wps:spPr/><wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}'
    "</w:t></w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp></a:graphicData>"
    "</a:graphic></wp:anchor></w:drawing></w:r>"
)
_FOOTNOTES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{_W}">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
    '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
    '<w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r>'
    "<w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>"
)


def write_docx(path: Path) -> str:
    """Headings, a list, a table, a header and footer on three pages, a text box and a
    footnote; returns the expected text."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Quillfield travel policy internal"
    section.footer.paragraphs[0].text = "Owned by the finance operations team"
    document.add_heading("Travel policy", level=1)
    document.add_paragraph("Book economy class for flights under six hours. FOOTNOTE_HERE")
    document.add_paragraph("Rail is preferred for journeys under four hours.")
    for item in ("Taxis after nine in the evening", "Hotels up to the city limit"):
        document.add_paragraph(item, style="List Bullet")
    document.add_paragraph("TEXTBOX_HERE").runs[0].add_break(WD_BREAK.PAGE)
    document.add_heading("Limits", level=2)
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Item", "Limit"), ("Dinner", "forty pounds"), ("Hotel", "150")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    document.add_page_break()
    document.add_paragraph("Claims are paid with the next monthly salary run.")
    document.save(path)
    footnote = "Long haul flights may be booked in premium economy"
    box = "Ask the travel desk before you book anything unusual"

    def edit(name: str, data: bytes) -> bytes:
        if name == "word/document.xml":
            text = data.decode()
            text = text.replace(
                "<w:t>TEXTBOX_HERE</w:t>", "</w:r>" + _TEXT_BOX.format(text=box) + "<w:r><w:t/>"
            )
            return text.replace(
                " FOOTNOTE_HERE</w:t></w:r>",
                '</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r>',
            ).encode()
        if name == "word/_rels/document.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
                b'officeDocument/2006/relationships/footnotes" Target="footnotes.xml"/>'
                b"</Relationships>",
            )
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>',
            )
        return data

    _rewrite_zip(path, edit, {"word/footnotes.xml": _FOOTNOTES.format(text=footnote)})
    return (
        "Quillfield travel policy internal\n# Travel policy\n"
        "Book economy class for flights under six hours.\n"
        "Rail is preferred for journeys under four hours.\n"
        "- Taxis after nine in the evening\n- Hotels up to the city limit\n"
        f"{box}\n## Limits\n| Item | Limit |\n| Dinner | forty pounds |\n| Hotel | 150 |\n"
        "Claims are paid with the next monthly salary run.\n"
        f"{footnote}\nOwned by the finance operations team\n"
    )


_STRICT = {
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main": (
        b"http://purl.oclc.org/ooxml/wordprocessingml/main"
    ),
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
}


def write_strict_docx(path: Path) -> str:
    """A DOCX saved as Strict Open XML (other namespaces, same structure)."""
    import docx

    document = docx.Document()
    document.add_heading("Visitor policy", level=1)
    document.add_paragraph("Visitors sign in at reception and wear a badge at all times.")
    document.add_paragraph("Escort visitors to the lifts when they leave the building.")
    document.save(path)

    def edit(name: str, data: bytes) -> bytes:
        for transitional, strict in _STRICT.items():
            data = data.replace(transitional, strict)
        return data

    _rewrite_zip(path, edit, {})
    return (
        "# Visitor policy\nVisitors sign in at reception and wear a badge at all times.\n"
        "Escort visitors to the lifts when they leave the building.\n"
    )


def write_xlsx(path: Path) -> str:
    """Two sheets, a merged title row, a line break in a cell and a formula whose value
    Excel cached."""
    from openpyxl import Workbook

    book = Workbook()
    budget = book.active
    budget.title = "Budget"
    budget.append(("Team budgets for the year",))
    budget.merge_cells("A1:C1")
    for row in (
        ("Team", "Budget", "Cost\ncentre owner"),
        ("Platform", 120000, "Ravi"),
        ("Design", 80000, "Ann"),
    ):
        budget.append(row)
    budget.append(("Total", "=SUM(B3:B4)", ""))
    people = book.create_sheet("Headcount")
    for row in (("Office", "People"), ("Bristol", 140), ("Dublin", 60)):
        people.append(row)
    book.save(path)

    def edit(name: str, data: bytes) -> bytes:  # the value a spreadsheet program caches
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(
                rb"<f>SUM\(B3:B4\)</f>(<v\s*/>|<v></v>)?", b"<f>SUM(B3:B4)</f><v>200000</v>", data
            )
        return data

    _rewrite_zip(path, edit, {})
    return (
        "## Budget\nTeam budgets for the year\n| Team | Budget | Cost centre owner |\n"
        "| Platform | 120000 | Ravi |\n| Design | 80000 | Ann |\n| Total | 200000 | |\n"
        "## Headcount\n| Office | People |\n| Bristol | 140 |\n| Dublin | 60 |\n"
    )


def write_pptx(path: Path) -> str:
    """Two slides: bullets with speaker notes, and a table."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Quarterly review"
    slide.placeholders[1].text = "Revenue grew in the north region"
    slide.notes_slide.notes_text_frame.text = "Mention the new distributor in Leeds"
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Hiring plan"
    rows = (("Team", "Hires"), ("Platform", "four"), ("Support", "two"))
    table = slide.shapes.add_table(3, 2, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    deck.save(path)
    return (
        "# Quarterly review\nRevenue grew in the north region\n"
        "Mention the new distributor in Leeds\n# Hiring plan\n"
        "| Team | Hires |\n| Platform | four |\n| Support | two |\n"
    )


_COLUMN = (
    "Our offices recycle paper, glass and cans. The facilities team empties the "
    "containers every Friday and publishes the monthly figures on the intranet. ",
    "Printer cartridges go back to the supplier in the prepaid envelopes, and old "
    "laptops are wiped and donated to local schools through the IT service desk. ",
    "Heating in the Bristol office switches off at seven in the evening; the Dublin "
    "office buys renewable electricity under a contract reviewed every spring. ",
)


def write_pdf(path: Path) -> str:
    """Three pages in two columns, a running header, "Page X of Y" and hyphenation."""
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, "Quillfield sustainability report", new_x="LMARGIN", new_y="NEXT")

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Report()
    pdf.alias_nb_pages()
    expected = ["Quillfield sustainability report"]
    for n in range(1, 4):
        pdf.add_page()
        pdf.set_font("Helvetica", size=18)
        heading = f"Chapter {n} waste and energy"
        pdf.cell(0, 12, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        top = pdf.get_y()
        left = f"{_COLUMN[n - 1]}Section {n} covers the environ-\nmental targets of the year."
        right = f"The second column of page {n} describes electricity use in kilo-\nwatt hours."
        pdf.set_xy(10, top)
        pdf.multi_cell(90, 5, left)
        pdf.set_xy(110, top)
        pdf.multi_cell(90, 5, right)
        expected += [
            f"# {heading}",
            left.replace("environ-\nmental", "environmental"),
            right.replace("kilo-\nwatt", "kilowatt"),
        ]
    pdf.output(str(path))
    return "\n".join(expected) + "\n"


def write_table_pdf(path: Path) -> str:
    """A ruled table between two paragraphs (pdfminer alone reads it column by column)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=16)
    pdf.cell(0, 10, "Travel allowances", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    before = "Claims are paid monthly. The rates below apply to every office from April."
    after = "Receipts must be kept for six years. Ask finance about anything else."
    pdf.multi_cell(0, 6, before)
    pdf.ln(4)
    rows = [
        ("City", "Hotel cap", "Meals per day"),
        ("London", "GBP 180", "GBP 45"),
        ("Manchester", "GBP 120", "GBP 35"),
        ("Dublin", "EUR 170", "EUR 50"),
    ]
    with pdf.table() as table:
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.ln(4)
    pdf.multi_cell(0, 6, after)
    pdf.output(str(path))
    lines = [" | ".join(cells) for cells in rows]
    return "\n".join(["# Travel allowances", before, *lines, after]) + "\n"


def write_rotated_pdf(path: Path) -> str:
    """A page with a sideways note, which pdfminer reads one letter per line."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 8, "Invoices are kept for seven years.", new_x="LMARGIN", new_y="NEXT")
    with pdf.rotation(90, x=100, y=200):
        pdf.text(100, 200, "Sideways margin note about archived invoices")
    pdf.output(str(path))
    return "Invoices are kept for seven years.\nSideways margin note about archived invoices\n"


def write_html(path: Path) -> str:
    """A page whose text is all in navigation links (an intranet index page)."""
    links = ("Leave policy", "Expense claims", "Office guides", "Security handbook")
    items = "".join(f'<li><a href="/{n}">{text}</a></li>' for n, text in enumerate(links))
    path.write_text(
        f"<html><head><title>Intranet index</title></head><body><nav><ul>{items}</ul></nav>"
        "</body></html>",
        encoding="utf-8",
    )
    return "\n".join(f"- {text}" for text in links) + "\n"


_SCAN_LINES = ("Quarterly safety inspection", "Fire exits must stay clear")


def write_png(path: Path) -> str:
    page_image(_SCAN_LINES).save(path)
    return "\n".join(_SCAN_LINES) + "\n"


def write_scanned_pdf(path: Path) -> str:
    scanned_pdf(path, ["The first page has a text layer.", page_image(_SCAN_LINES)])
    return "The first page has a text layer.\n" + "\n".join(_SCAN_LINES) + "\n"


def write_markdown(path: Path) -> str:
    text = "# Parking\n\nThe car park opens at seven. Ask reception for a visitor permit.\n"
    path.write_text(text, encoding="utf-8")
    return text


FIXTURES: dict[str, Callable[[Path], str]] = {
    "travel-policy.docx": write_docx,
    "visitor-policy-strict.docx": write_strict_docx,
    "budgets.xlsx": write_xlsx,
    "quarterly-review.pptx": write_pptx,
    "sustainability-report.pdf": write_pdf,
    "rotated-note.pdf": write_rotated_pdf,
    "travel-rates.pdf": write_table_pdf,
    "intranet-index.html": write_html,
    "safety-notice.png": write_png,
    "partly-scanned.pdf": write_scanned_pdf,
    "parking.md": write_markdown,
}


def make_fixtures(root: Path) -> list[Path]:
    """Write every fixture and its expected text (``NAME.EXT.md``) under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, write in FIXTURES.items():
        path = root / name
        expected = write(path)
        path.with_name(name + ".md").write_text(expected, encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "parse-fixtures")
    print("\n".join(str(p) for p in make_fixtures(target)))
