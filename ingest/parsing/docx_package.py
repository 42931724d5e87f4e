"""DOCX packages made readable for python-docx (and so unstructured) before parsing.

Three kinds of real files lose text otherwise:

- **Strict Open XML** (Word's "Strict" save option) uses ``purl.oclc.org`` namespaces;
  python-docx knows only the transitional ones and cannot even find the main part.
  The namespaces are mapped back, part by part.
- **Text boxes and shapes** keep their text in ``w:txbxContent`` inside a drawing,
  which python-docx's paragraph text never reaches. Their paragraphs are moved out,
  right after the paragraph that anchors them; the VML fallback copy of the same box
  (``mc:Fallback``) is dropped so the text is not read twice.

- **Short table rows** (fewer cells than the table's grid) make unstructured drop the
  rest of the table; they are padded with empty cells.

Footnotes and endnotes live in their own parts; ``notes`` reads them.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from lxml import etree

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_STRICT = {
    b"http://purl.oclc.org/ooxml/wordprocessingml/main": (
        b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/relationships": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/main": (
        b"http://schemas.openxmlformats.org/drawingml/2006/main"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing": (
        b"http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
    ),
    b"http://purl.oclc.org/ooxml/drawingml/picture": (
        b"http://schemas.openxmlformats.org/drawingml/2006/picture"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/math": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/math"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/sharedTypes": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes"
    ),
    b"http://purl.oclc.org/ooxml/officeDocument/extendedProperties": (
        b"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    ),
}
_STORIES = ("word/document.xml", "word/header", "word/footer")
_NOTES = (("word/footnotes.xml", "footnote"), ("word/endnotes.xml", "endnote"))


def _is_story(name: str) -> bool:
    return name.endswith(".xml") and name.startswith(_STORIES)


def _unstrict(data: bytes) -> bytes:
    for strict, transitional in _STRICT.items():
        data = data.replace(strict, transitional)
    return data


def _lift_text_boxes(root: etree._Element) -> bool:
    """Each text box's paragraphs as ordinary paragraphs after their anchor paragraph."""
    for fallback in root.iter(f"{{{_MC}}}Fallback"):
        if fallback.xpath(".//w:txbxContent", namespaces={"w": _W}):
            fallback.getparent().remove(fallback)
    boxes = list(root.iter(f"{{{_W}}}txbxContent"))
    for box in reversed(boxes):  # innermost last-to-first keeps the reading order
        anchor = next(
            (a for a in box.iterancestors(f"{{{_W}}}p") if a.getparent() is not None), None
        )
        if anchor is None:
            continue
        for block in reversed(list(box)):
            if block.tag in (f"{{{_W}}}p", f"{{{_W}}}tbl"):
                anchor.addnext(block)
    return bool(boxes)


def _span(cell: etree._Element, name: str) -> int:
    found = cell.find(f"{{{_W}}}{'tcPr' if name == 'gridSpan' else 'trPr'}/{{{_W}}}{name}")
    return int(found.get(f"{{{_W}}}val", "1")) if found is not None else 0


def _pad_short_rows(root: etree._Element) -> bool:
    """Rows with fewer cells than their table's grid get empty cells at the end.

    Word draws such a row; python-docx, asked for the cell below a vertically merged
    one, finds none there and unstructured drops the rest of the table ("Skipping cell
    ... no tc element at grid_offset"), the text a person sees in it included."""
    padded = False
    for table in root.iter(f"{{{_W}}}tbl"):
        columns = len(table.findall(f"{{{_W}}}tblGrid/{{{_W}}}gridCol"))
        for row in table.findall(f"{{{_W}}}tr"):
            cells = row.findall(f"{{{_W}}}tc")
            width = sum(max(_span(c, "gridSpan"), 1) for c in cells)
            width += _span(row, "gridBefore") + _span(row, "gridAfter")
            for _ in range(columns - width):
                cell = etree.SubElement(row, f"{{{_W}}}tc")
                etree.SubElement(cell, f"{{{_W}}}p")
                padded = True
    return padded


def _repaired(data: bytes) -> bytes:
    """A story part with its text boxes lifted and its short table rows padded, or the
    same bytes if it needs neither."""
    root = etree.fromstring(data)
    lifted = b"txbxContent" in data and _lift_text_boxes(root)
    if not (_pad_short_rows(root) or lifted):
        return data
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def readable_copy(path: Path) -> Path | None:
    """A rewritten temporary copy when the package needs one (caller deletes it), else None."""
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
        parts = {name: package.read(name) for name in names}
    strict = b"purl.oclc.org/ooxml" in parts.get("_rels/.rels", b"")
    fixed = {}
    for name in names:
        data = _unstrict(parts[name]) if strict else parts[name]
        if _is_story(name) and (b"txbxContent" in data or b"<w:tbl" in data):
            data = _repaired(data)
        fixed[name] = data
    if not strict and all(fixed[name] is parts[name] for name in names):
        return None
    with (
        tempfile.NamedTemporaryFile(suffix=".docx", delete=False) as handle,
        zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for name in names:
            out.writestr(name, fixed[name])
    return Path(handle.name)


def notes(path: Path) -> list[str]:
    """The text of every footnote and endnote, in order (separators skipped)."""
    out: list[str] = []
    with zipfile.ZipFile(path) as package:
        for part, tag in _NOTES:
            if part not in package.namelist():
                continue
            root = etree.fromstring(_unstrict(package.read(part)))
            for note in root.iter(f"{{{_W}}}{tag}"):
                if note.get(f"{{{_W}}}type") not in (None, "normal"):
                    continue
                for paragraph in note.iter(f"{{{_W}}}p"):
                    text = "".join(t.text or "" for t in paragraph.iter(f"{{{_W}}}t")).strip()
                    if text:
                        out.append(text)
    return out
