"""Regenerate the binary files of the sample corpus from their readable sources.

Run from the repository root with the project's venv::

    .venv/bin/python scripts/make_data.py

Sources live in ``data/src/**/*.md``: a YAML front matter block whose ``format`` says what
to build (pdf, scan-pdf, docx, pptx, xlsx, eml) and whose ``output`` names the file under
``data/corpus``; the body is a small Markdown subset (headings, paragraphs, ``-`` and
``1.`` lists, pipe tables, ``Notes:`` lines for slide notes). The script also writes the
deliberately bad inputs in ``data/broken`` and the empty file in ``data/corpus/notes``.

Output is deterministic: fixed creation dates and metadata, fixed zip timestamps, seeded
randomness. A file is only rewritten when its bytes change, so a second run touches nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SRC = DATA / "src"
CORPUS = DATA / "corpus"
BROKEN = DATA / "broken"

ZIP_TIME = (2026, 1, 1, 0, 0, 0)
PRODUCER = "Quillfield document tools"


# --------------------------------------------------------------------------- parsing


@dataclass
class Block:
    kind: str  # heading, para, bullets, numbers, table, notes
    text: str = ""
    level: int = 0
    items: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Source:
    path: Path
    meta: dict
    blocks: list[Block]

    @property
    def when(self) -> datetime:
        value = self.meta.get("date")
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day, 9, 0, tzinfo=UTC)
        return datetime(2026, 1, 1, tzinfo=UTC)


_TABLE_SEP = re.compile(r"^\|?\s*:?-{3,}")
_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")


def _set_core_properties(props: Any, src: Any) -> None:
    """Fixed document metadata (title, author, dates), so regenerated files are identical."""
    props.title = src.meta["title"]
    props.author = src.meta.get("author", "Quillfield")
    props.last_modified_by = src.meta.get("author", "Quillfield")
    props.created = src.when.replace(tzinfo=None)
    props.modified = src.when.replace(tzinfo=None)
    props.revision = 1


def _plain(text: str) -> str:
    """Inline Markdown the renderers do not style: bold markers and code ticks."""
    return text.replace("**", "").replace("`", "")


def _cells(line: str) -> list[str]:
    return [_plain(c.strip()) for c in line.strip().strip("|").split("|")]


def parse_source(path: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise SystemExit(f"{path}: missing front matter")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front) or {}
    blocks: list[Block] = []
    para: list[str] = []
    # E-mails keep their line breaks (sign-offs, addresses); elsewhere lines are re-flowed.
    joiner = "\n" if meta.get("format") == "eml" else " "

    def flush() -> None:
        if para:
            blocks.append(Block("para", _plain(joiner.join(para))))
            para.clear()

    for raw in body.splitlines():
        line = raw.rstrip()
        stripped = line.strip()
        if not stripped:
            flush()
            continue
        if stripped.startswith("#"):
            flush()
            hashes = len(stripped) - len(stripped.lstrip("#"))
            blocks.append(Block("heading", _plain(stripped[hashes:].strip()), level=hashes))
        elif stripped.startswith("|"):
            flush()
            if _TABLE_SEP.match(stripped):
                continue
            if not blocks or blocks[-1].kind != "table":
                blocks.append(Block("table"))
            blocks[-1].rows.append(_cells(stripped))
        elif stripped.startswith("- "):
            flush()
            if not blocks or blocks[-1].kind != "bullets":
                blocks.append(Block("bullets"))
            blocks[-1].items.append(_plain(stripped[2:]))
        elif _NUMBERED.match(stripped):
            flush()
            if not blocks or blocks[-1].kind != "numbers":
                blocks.append(Block("numbers"))
            blocks[-1].items.append(_plain(_NUMBERED.match(stripped).group(2)))
        elif stripped.startswith("Notes:"):
            flush()
            blocks.append(Block("notes", _plain(stripped[len("Notes:") :].strip())))
        else:
            para.append(stripped)
    flush()
    return Source(path, meta, blocks)


# --------------------------------------------------------------------------- writing


def write_if_changed(path: Path, data: bytes) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return False
    path.write_bytes(data)
    return True


_CORE_DATES = re.compile(
    rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)"
)


def normalise_zip(data: bytes, when: datetime) -> bytes:
    """Rewrite an OOXML package with fixed timestamps so that output is byte-stable."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _CORE_DATES.sub(lambda m: m.group(1) + stamp + m.group(3), payload)
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, payload)
    return out.getvalue()


# --------------------------------------------------------------------------- PDF


def _font_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def build_pdf(src: Source) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    meta = src.meta
    fonts = _font_dir()

    class Doc(FPDF):
        def header(self) -> None:
            if self.page_no() == 1:
                return
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, meta.get("header", meta["title"]), align="L")
            self.cell(0, 5, "Quillfield internal", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_draw_color(200, 200, 200)
            self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
            self.ln(6)
            self.set_text_color(0, 0, 0)

        def footer(self) -> None:
            if self.page_no() == 1:
                return
            self.set_y(-14)
            self.set_font("DejaVu", "", 8)
            self.set_text_color(110, 110, 110)
            self.cell(0, 5, meta.get("footer", ""), align="L")
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
            self.set_text_color(0, 0, 0)

    pdf = Doc(format="A4")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))
    pdf.set_margins(22, 20, 22)
    pdf.set_auto_page_break(True, margin=20)
    pdf.set_creation_date(src.when)
    pdf.set_title(meta["title"])
    pdf.set_author(meta.get("author", "Quillfield"))
    pdf.set_subject(meta.get("subtitle", ""))
    pdf.set_creator(PRODUCER)
    pdf.set_producer(PRODUCER)
    pdf.set_lang("en-GB")

    # Cover page.
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 11)
    pdf.set_text_color(30, 90, 120)
    pdf.cell(0, 8, "QUILLFIELD", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(60)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "B", 26)
    pdf.multi_cell(0, 12, meta["title"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if meta.get("subtitle"):
        pdf.set_font("DejaVu", "", 15)
        pdf.multi_cell(0, 9, meta["subtitle"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(12)
    pdf.set_font("DejaVu", "", 10)
    for line in meta.get("cover", []):
        pdf.multi_cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def render_toc(doc: FPDF, outline: list) -> None:
        doc.set_x(doc.l_margin)
        doc.set_font("DejaVu", "B", 16)
        doc.cell(0, 10, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.ln(3)
        for section in outline:
            if section.level > 0:
                continue
            doc.set_font("DejaVu", "", 10.5)
            doc.cell(150, 6.5, section.name)
            doc.cell(
                0, 6.5, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
            )

    body_h = 5.6
    first_chapter = True
    if meta.get("toc"):
        pdf.add_page()
        pdf.insert_toc_placeholder(render_toc, pages=1)
    else:
        pdf.add_page()

    for block in src.blocks:
        if block.kind == "heading" and block.level == 1:
            if meta.get("chapter_page_break") and not first_chapter:
                pdf.add_page()
            first_chapter = False
            if pdf.get_y() > pdf.h - 60:
                pdf.add_page()
            pdf.start_section(block.text, level=0)
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 16)
            pdf.set_text_color(30, 90, 120)
            pdf.multi_cell(0, 9, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(2)
        elif block.kind == "heading":
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()
            pdf.start_section(block.text, level=min(block.level - 1, 2))
            pdf.ln(2)
            pdf.set_font("DejaVu", "B", 12 if block.level == 2 else 11)
            pdf.multi_cell(0, 7, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(1)
        elif block.kind == "para":
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(0, body_h, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.ln(2.5)
        elif block.kind in ("bullets", "numbers"):
            pdf.set_font("DejaVu", "", 10)
            for i, item in enumerate(block.items, 1):
                marker = "•" if block.kind == "bullets" else f"{i}."
                pdf.set_x(pdf.l_margin + 3)
                pdf.cell(6, body_h, marker)
                pdf.multi_cell(0, body_h, item, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
                pdf.ln(0.8)
            pdf.ln(2)
        elif block.kind == "table":
            pdf.set_font("DejaVu", "", 9)
            pdf.set_draw_color(170, 170, 170)
            with pdf.table(
                line_height=5,
                text_align="LEFT",
                padding=1.4,
                headings_style=_heading_style(),
                first_row_as_headings=True,
            ) as table:
                for row in block.rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)
    return bytes(pdf.output())


def _heading_style():
    from fpdf.fonts import FontFace

    return FontFace(emphasis="BOLD", fill_color=(225, 235, 240))


def build_scan_pdf(src: Source) -> bytes:
    """A PDF whose only page is a picture of text: no text layer, as from a scanner."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    rng = random.Random(20250407)
    width, height = 1240, 1754  # A4 at 150 dpi
    page = Image.new("L", (width, height), 246)
    draw = ImageDraw.Draw(page)
    fonts = _font_dir()
    title_font = ImageFont.truetype(str(fonts / "DejaVuSansMono-Bold.ttf"), 26)
    body_font = ImageFont.truetype(str(fonts / "DejaVuSansMono.ttf"), 22)
    # The body is drawn line by line, exactly as written in the source.
    raw = src.path.read_text(encoding="utf-8").split("---\n", 2)[2]
    text_lines = raw.strip("\n").splitlines()
    y = 150
    sign_y = 0
    for i, line in enumerate(text_lines):
        font = title_font if i < 2 else body_font
        draw.text((110 + rng.randint(-2, 2), y), line, fill=rng.randint(25, 45), font=font)
        if line.startswith("Signed:"):
            sign_y = y
        y += 44 if line else 30
    # A scrawled signature, a stamp and scanner noise.
    sx, sy = 230, sign_y + 12
    for _ in range(3):
        pts = [(sx + k * 18, sy + rng.randint(-14, 14)) for k in range(14)]
        draw.line(pts, fill=40, width=3)
    draw.ellipse((880, y + 40, 1090, y + 250), outline=90, width=5)
    draw.text((915, y + 125), "RECEIVED", fill=90, font=body_font)
    for _ in range(2500):
        px, py = rng.randrange(width), rng.randrange(height)
        draw.point((px, py), fill=rng.randint(120, 200))
    page = page.rotate(0.7, resample=Image.Resampling.BICUBIC, fillcolor=236)
    page = page.filter(ImageFilter.GaussianBlur(0.6))
    buf = io.BytesIO()
    page.save(buf, format="JPEG", quality=55, optimize=True)

    pdf = FPDF(format="A4")
    pdf.set_creation_date(src.when)
    pdf.set_creator("Canon iR-ADV C5535 scan")
    pdf.set_producer("Canon iR-ADV C5535 scan")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    buf.seek(0)
    pdf.image(buf, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


# --------------------------------------------------------------------------- DOCX


def build_docx(src: Source) -> bytes:
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    _set_core_properties(doc.core_properties, src)
    props = doc.core_properties
    props.comments = ""
    props.subject = ""
    props.keywords = ""

    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10.5)

    section = doc.sections[0]
    section.header.paragraphs[0].text = f"Quillfield · {src.meta['title']}"
    section.footer.paragraphs[0].text = "Internal · Printed copies are uncontrolled"

    for block in src.blocks:
        if block.kind == "heading":
            doc.add_heading(block.text, level=0 if block.level == 1 else block.level - 1)
        elif block.kind == "para":
            doc.add_paragraph(block.text)
        elif block.kind == "bullets":
            for item in block.items:
                doc.add_paragraph(item, style="List Bullet")
        elif block.kind == "numbers":
            for i, item in enumerate(block.items, 1):
                doc.add_paragraph(f"{i}. {item}", style="List Paragraph")
        elif block.kind == "table":
            header, *rows = block.rows
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, value in zip(table.rows[0].cells, header, strict=True):
                cell.text = value
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            for row in rows:
                cells = table.add_row().cells
                for cell, value in zip(cells, row, strict=True):
                    cell.text = value
            doc.add_paragraph()
    buf = io.BytesIO()
    doc.save(buf)
    return normalise_zip(buf.getvalue(), src.when)


# --------------------------------------------------------------------------- PPTX


def build_pptx(src: Source) -> bytes:
    from pptx import Presentation
    from pptx.util import Inches, Pt

    prs = Presentation()
    # Widescreen 16:9; stretch the default template's master and layouts to match.
    ratio = Inches(13.333) / prs.slide_width
    prs.slide_width = Inches(13.333)
    for shape in [*prs.slide_master.shapes] + [
        ph for layout in prs.slide_layouts for ph in layout.placeholders
    ]:
        if shape._element.xfrm is not None:  # positioned here, not inherited
            shape.left, shape.width = int(shape.left * ratio), int(shape.width * ratio)
    _set_core_properties(prs.core_properties, src)

    # Group blocks into slides: each heading starts one.
    slides: list[list[Block]] = []
    for block in src.blocks:
        if block.kind == "heading":
            slides.append([block])
        elif slides:
            slides[-1].append(block)

    width = prs.slide_width
    for blocks in slides:
        title = blocks[0]
        body = blocks[1:]
        notes = " ".join(b.text for b in body if b.kind == "notes")
        table = next((b for b in body if b.kind == "table"), None)
        if title.level == 1:
            slide = prs.slides.add_slide(prs.slide_layouts[0])
            slide.shapes.title.text = title.text
            slide.placeholders[1].text = " ".join(b.text for b in body if b.kind == "para")
        elif table is not None:
            slide = prs.slides.add_slide(prs.slide_layouts[5])
            slide.shapes.title.text = title.text
            rows, cols = len(table.rows), len(table.rows[0])
            shape = slide.shapes.add_table(
                rows, cols, Inches(0.8), Inches(1.8), width - Inches(1.6), Inches(0.5) * rows
            )
            for r, row in enumerate(table.rows):
                for c, value in enumerate(row):
                    cell = shape.table.cell(r, c)
                    cell.text = value
                    for para in cell.text_frame.paragraphs:
                        for run in para.runs:
                            run.font.size = Pt(18)
        else:
            slide = prs.slides.add_slide(prs.slide_layouts[1])
            slide.shapes.title.text = title.text
            frame = slide.placeholders[1].text_frame
            items = [i for b in body if b.kind in ("bullets", "numbers") for i in b.items]
            items += [b.text for b in body if b.kind == "para"]
            for n, item in enumerate(items):
                para = frame.paragraphs[0] if n == 0 else frame.add_paragraph()
                para.text = item
                para.font.size = Pt(20)
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    buf = io.BytesIO()
    prs.save(buf)
    return normalise_zip(buf.getvalue(), src.when)


# --------------------------------------------------------------------------- XLSX


def _number(value: str):
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value


def build_xlsx(src: Source) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    props = wb.properties
    props.title = src.meta["title"]
    props.creator = src.meta.get("author", "Quillfield")
    props.lastModifiedBy = src.meta.get("author", "Quillfield")
    props.created = src.when.replace(tzinfo=None)
    props.modified = src.when.replace(tzinfo=None)

    sheet = None
    for block in src.blocks:
        if block.kind == "heading" and block.text.startswith("Sheet:"):
            sheet = wb.create_sheet(block.text.split(":", 1)[1].strip())
        elif block.kind == "table" and sheet is not None:
            for r, row in enumerate(block.rows, 1):
                for c, raw in enumerate(row, 1):
                    value = raw if r == 1 else _number(raw)
                    cell = sheet.cell(row=r, column=c, value=value if value != "" else None)
                    if r == 1:
                        cell.font = Font(bold=True)
                        cell.fill = PatternFill("solid", fgColor="DDE8EE")
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                    elif isinstance(value, float):
                        cell.number_format = "0.00"
                    elif isinstance(value, int):
                        cell.number_format = "#,##0"
            for c in range(1, len(block.rows[0]) + 1):
                longest = max(len(str(row[c - 1])) for row in block.rows if len(row) >= c)
                sheet.column_dimensions[get_column_letter(c)].width = min(max(10, longest + 2), 90)
            sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return normalise_zip(buf.getvalue(), src.when)


# --------------------------------------------------------------------------- EML


def _markdown_to_text_and_html(src: Source) -> tuple[str, str]:
    text: list[str] = []
    html: list[str] = ['<div style="font-family: Arial, sans-serif; font-size: 14px">']
    for block in src.blocks:
        if block.kind == "heading":
            text.append(block.text.upper())
            html.append(f"<h3>{escape(block.text)}</h3>")
        elif block.kind == "para":
            text.append(block.text)
            html.append(f"<p>{escape(block.text).replace(chr(10), '<br>')}</p>")
        elif block.kind in ("bullets", "numbers"):
            bullet = [f"- {i}" if block.kind == "bullets" else "" for i in block.items]
            if block.kind == "numbers":
                bullet = [f"{n}. {i}" for n, i in enumerate(block.items, 1)]
            text.append("\n".join(bullet))
            tag = "ul" if block.kind == "bullets" else "ol"
            items = "".join(f"<li>{escape(i)}</li>" for i in block.items)
            html.append(f"<{tag}>{items}</{tag}>")
    html.append("</div>")
    return "\n\n".join(text) + "\n", "\n".join(html) + "\n"


def build_eml(src: Source) -> bytes:
    meta = src.meta
    msg = EmailMessage(policy=default_policy)
    msg["From"] = meta["from"]
    msg["To"] = meta["to"]
    if meta.get("cc"):
        msg["Cc"] = meta["cc"]
    msg["Subject"] = meta["subject"]
    msg["Date"] = format_datetime(src.when)
    msg["Message-ID"] = meta["message_id"]
    plain, html = _markdown_to_text_and_html(src)
    msg.set_content(plain, cte="quoted-printable")
    msg.add_alternative(html, subtype="html", cte="quoted-printable")
    msg.set_boundary("----=_Part_" + meta["message_id"].strip("<>").split("@")[0])
    return msg.as_bytes(policy=default_policy.clone(linesep="\n"))


# --------------------------------------------------------------------------- broken inputs


def build_broken(pdf_source: bytes) -> dict[str, bytes]:
    """Deliberately bad inputs for ingestion tests; never part of the default source."""
    rng = random.Random(6)
    cp1252_note = (
        "Kitchen rota \u2013 Bristol, 4th floor\n"
        "Week of 9 March: Zo\u00eb and Ren\u00e9e. Please empty the dishwasher by 10:00.\n"
        "\u201cClean as you go\u201d \u2013 fridge clear-out Friday 16:00, \u00a35 fine jar "
        "for anything left behind (proceeds to the caf\u00e9 charity box).\n"
    )
    return {
        "truncated-policy.pdf": pdf_source[: len(pdf_source) * 2 // 5],
        "not-really-a-docx.docx": (
            b"Meeting notes 3 March\n\nThis was saved as plain text but given a .docx "
            b"extension by an export script.\nActions: Gareth to order more bike racks.\n"
        ),
        "random-bytes.txt": rng.randbytes(4096),
        "cp1252-kitchen-rota.txt": cp1252_note.encode("cp1252"),
        "corrupt-spreadsheet.xlsx": b"PK\x03\x04\x14\x00\x06\x00" + rng.randbytes(1500),
        "empty-upload.pdf": b"",
    }


# --------------------------------------------------------------------------- main

BUILDERS = {
    "pdf": build_pdf,
    "scan-pdf": build_scan_pdf,
    "docx": build_docx,
    "pptx": build_pptx,
    "xlsx": build_xlsx,
    "eml": build_eml,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-q", "--quiet", action="store_true", help="print only a summary")
    args = parser.parse_args(argv)

    changed = unchanged = 0
    built: dict[str, bytes] = {}
    for path in sorted(SRC.rglob("*.md")):
        src = parse_source(path)
        fmt = src.meta.get("format")
        if fmt not in BUILDERS:
            print(f"{path.relative_to(ROOT)}: unknown format {fmt!r}", file=sys.stderr)
            return 1
        data = BUILDERS[fmt](src)
        built[src.meta["output"]] = data
        target = CORPUS / src.meta["output"]
        if write_if_changed(target, data):
            changed += 1
            if not args.quiet:
                print(f"wrote {target.relative_to(ROOT)} ({len(data):,} bytes)")
        else:
            unchanged += 1

    extras = {CORPUS / "notes" / "empty-notes.txt": b""}
    for name, data in build_broken(built["finance/travel-policy-v1.pdf"]).items():
        extras[BROKEN / name] = data
    for target, data in extras.items():
        if write_if_changed(target, data):
            changed += 1
            if not args.quiet:
                print(f"wrote {target.relative_to(ROOT)} ({len(data):,} bytes)")
        else:
            unchanged += 1

    print(f"make_data: {changed} file(s) written, {unchanged} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
