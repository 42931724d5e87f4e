"""A generated mixed-format folder (made here, so tests never depend on data/ or shared/)."""

from __future__ import annotations

from pathlib import Path

import pytest


def write_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Expense policy", level=1)
    document.add_heading("Travel", level=2)
    document.add_paragraph("Book economy class for flights under six hours. Trains beat planes.")
    document.add_paragraph("You may claim the following:")
    for item in ("Taxi fares after 21:00", "Hotel up to 150 EUR a night"):
        document.add_paragraph(item, style="List Bullet")
    table = document.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Item", "Limit"), ("Meal", "30 EUR"), ("Hotel", "150 EUR")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    document.save(path)


def write_pptx(path: Path) -> None:
    from pptx import Presentation

    deck = Presentation()
    for title, body in (
        ("Quarterly review", "Revenue grew in the north region."),
        ("Hiring plan", "We hire four platform engineers in spring."),
    ):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        slide.placeholders[1].text = body
    deck.save(path)


def write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Budget"
    for row in (("Team", "Budget"), ("Platform", 120000), ("Design", 80000)):
        sheet.append(row)
    book.save(path)


def write_pdf(path: Path, pages: tuple[str, ...]) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True)
    for i, body in enumerate(pages, 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=20)
        pdf.cell(0, 12, f"Chapter {i}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, body)
    pdf.output(str(path))


def write_eml(path: Path) -> None:
    path.write_text(
        "From: ops@example.com\nTo: all@example.com\nSubject: Office closure on Friday\n"
        "Date: Mon, 2 Mar 2026 09:00:00 +0000\nContent-Type: text/plain; charset=utf-8\n\n"
        "The office is closed on Friday for maintenance. Work from home.\n",
        encoding="utf-8",
    )


def make_mixed_folder(root: Path) -> Path:
    """One small file per supported format, plus an access sidecar."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "hr").mkdir(exist_ok=True)
    (root / "hr" / "leave.md").write_text(
        "---\ntitle: Leave policy\ngroups: [hr]\ndate: 2026-01-15\n---\n"
        "# Leave policy\n\n## Annual leave\n\nEveryone gets 28 days of annual leave a year. "
        "Carry over at most five days.\n\n## Sick leave\n\nTell your manager before 10:00.\n",
        encoding="utf-8",
    )
    (root / "notes.txt").write_text(
        "MEETING NOTES\n\nThe wifi password rotates monthly. Ask IT for the new one.\n",
        encoding="utf-8",
    )
    (root / "latin1.txt").write_bytes(
        "Caf\xe9 menu: cr\xe8me br\xfbl\xe9e on Fridays.".encode("latin-1")
    )
    (root / "holidays.csv").write_text("Date,Holiday\n2026-01-01,New Year\n2026-12-25,Christmas\n")
    (root / "page.html").write_text(
        "<html><body><h1>Laptop policy</h1><p>Laptops are replaced every four years.</p>"
        "<ul><li>Encrypt the disk</li><li>Lock the screen</li></ul></body></html>"
    )
    write_docx(root / "expenses.docx")
    write_pptx(root / "review.pptx")
    write_xlsx(root / "budget.xlsx")
    write_pdf(root / "handbook.pdf", ("Welcome to the company handbook.", "Security rules apply."))
    write_eml(root / "closure.eml")
    (root / "access.toml").write_text('default = ["all"]\n[files]\n"budget.xlsx" = ["finance"]\n')
    return root


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    return make_mixed_folder(tmp_path / "docs")
