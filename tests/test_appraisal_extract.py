"""Reading documents: text per page from PDF, DOCX and text; bad files are clear problems."""

from __future__ import annotations

import pytest

from tcmap.appraisal.extract import extract
from tcmap.errors import InputError

from conftest import DATA

DOCS = DATA / "appraisal"


def test_a_pdf_gives_text_per_page_and_its_declared_title():
    doc = extract(DOCS / "project-good.pdf")
    assert doc.kind == "pdf" and doc.page_unit == "page" and doc.pages == 4
    assert doc.title.startswith("Safer Work in Construction")
    output = next(b for b in doc.blocks if b.text.startswith("Output 1.1:"))
    assert output.page == 2
    # A line broken by the PDF is one paragraph again.
    assert "through a training of trainers delivered with the International Training Centre" \
        in output.text


def test_a_docx_without_page_breaks_is_cut_into_sections_at_its_headings():
    doc = extract(DOCS / "project-good.docx")
    assert doc.kind == "docx" and doc.page_unit == "section"
    risk_rows = [b for b in doc.blocks if b.kind == "row"]
    assert risk_rows[0].text == "Risk | Likelihood | Mitigation"
    heading = next(b for b in doc.blocks if b.text == "8. Risks and assumptions")
    assert heading.kind == "heading" and risk_rows[0].page == heading.page


def test_a_markdown_source_reads_like_the_document():
    doc = extract(DOCS / "sources" / "dwcp-capacity.md")
    assert doc.kind == "text" and any(b.text.startswith("Output 3.1.2:") for b in doc.blocks)


@pytest.mark.parametrize("name, code", [
    ("bad-encrypted.pdf", "encrypted-pdf"),
    ("bad-image-only.pdf", "image-only-pdf"),
    ("bad-corrupt.docx", "corrupt-docx"),
    ("ratings.yaml", "unsupported-document-type"),
    ("no-such-file.pdf", "file-not-found"),
])
def test_unreadable_documents_raise_a_catalogued_problem_with_a_hint(name, code):
    with pytest.raises(InputError) as exc:
        extract(DOCS / name)
    assert exc.value.code == code and exc.value.hint
    assert str(DOCS) not in exc.value.message or code == "file-not-found"


def test_an_empty_text_file_and_a_non_pdf_named_pdf_are_refused(tmp_path):
    (tmp_path / "empty.txt").write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        extract(tmp_path / "empty.txt")
    assert exc.value.code == "empty-document"
    (tmp_path / "fake.pdf").write_bytes(b"this is not a PDF at all")
    with pytest.raises(InputError) as exc:
        extract(tmp_path / "fake.pdf")
    assert exc.value.code == "corrupt-pdf"


def test_latin1_text_is_read_with_a_warning(tmp_path):
    (tmp_path / "fr.txt").write_bytes("Évaluation des capacités réalisée en 2011.".encode(
        "latin-1"))
    doc = extract(tmp_path / "fr.txt")
    assert doc.blocks[0].text.startswith("Évaluation")
    assert [p.code for p in doc.problems] == ["text-not-utf8"]
