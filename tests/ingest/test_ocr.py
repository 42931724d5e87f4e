"""OCR with the real Tesseract: images, scanned and mixed PDFs, blank scans, no Tesseract."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ingest.parsing import ParseError, parse_file
from ingest.parsing import ocr as ocr_module
from tests.ingest.parse_fixtures import page_image, scanned_pdf

NOTICE = ("Quarterly safety inspection", "Fire exits must stay clear", "Report faults to reception")


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scans")
    page_image(NOTICE).save(root / "notice.png")
    page_image(NOTICE).convert("RGB").save(root / "notice.jpg", quality=80)
    first, second = page_image(NOTICE[:1]), page_image(("Second page of the fax",))
    first.save(root / "fax.tiff", save_all=True, append_images=[second], dpi=(300, 300))
    page_image(("Budget holder Alice Smith",), grid=True).save(root / "ruled.png")
    Image.new("L", (1200, 1600), 250).save(root / "blank.png")
    scanned_pdf(
        root / "mixed.pdf",
        ["The handbook starts with a text layer on this page.", page_image(NOTICE)],
    )
    scanned_pdf(root / "blank-scan.pdf", [Image.new("L", (1200, 1600), 250)])
    return root


def _text(path: Path) -> str:
    doc, _ = parse_file(path)
    return " ".join(e.text for e in doc.elements)


def test_images_are_read_with_their_confidence(scans: Path) -> None:
    for name in ("notice.png", "notice.jpg"):
        doc, parser = parse_file(scans / name)
        text = " ".join(e.text for e in doc.elements)
        assert parser == "image"
        assert all(line in text for line in NOTICE), (name, text)
        assert doc.meta["ocr_pages"] == [1] and 60 < doc.meta["ocr_confidence"] <= 100


def test_every_tiff_frame_is_a_page(scans: Path) -> None:
    doc, _ = parse_file(scans / "fax.tiff")
    pages = {e.page: e.text for e in doc.elements}
    assert "Quarterly safety inspection" in pages[1] and "Second page" in pages[2]
    assert doc.meta["ocr_pages"] == [1, 2]


def test_ruling_lines_do_not_hide_the_text(scans: Path) -> None:
    assert "Budget holder Alice Smith" in _text(scans / "ruled.png")


def test_only_the_scanned_page_of_a_pdf_is_read_by_ocr(scans: Path) -> None:
    doc, parser = parse_file(scans / "mixed.pdf")
    assert parser == "pdf" and doc.meta["ocr_pages"] == [2]
    by_page = {p: " ".join(e.text for e in doc.elements if e.page == p) for p in (1, 2)}
    assert "starts with a text layer" in by_page[1]
    assert all(line in by_page[2] for line in NOTICE)


def test_a_text_pdf_records_no_ocr(mixed_folder: Path) -> None:
    doc, _ = parse_file(mixed_folder / "handbook.pdf")
    assert "ocr_confidence" not in doc.meta


def test_blank_scans_fail_with_a_reason(scans: Path) -> None:
    with pytest.raises(ParseError, match="no usable text after OCR"):
        parse_file(scans / "blank.png")
    with pytest.raises(ParseError, match="no extractable text.*OCR of 1 scanned page"):
        parse_file(scans / "blank-scan.pdf")


def test_without_tesseract_each_file_says_what_to_install(
    scans: Path, mixed_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no tesseract on it
    ocr_module._tesseract_problem.cache_clear()
    try:
        for name in ("notice.png", "mixed.pdf"):
            with pytest.raises(ParseError, match="OCR needs Tesseract.*tesseract-ocr-eng"):
                parse_file(scans / name)
        assert parse_file(mixed_folder / "handbook.pdf")[0].elements  # no OCR needed
    finally:
        ocr_module._tesseract_problem.cache_clear()
