"""Text of a document, page by page: PDF (pypdf), Word .docx (python-docx), plain text.

PDF pages are real pages. A .docx has no pages of its own: Word records where pages broke when
the file was last saved (`lastRenderedPageBreak`), and authors insert hard page breaks; those
mark the pages when present. A file with neither (one written by a program) is cut at its
Heading 1 paragraphs instead, and `page_unit` says "section". Either way every passage also
carries its paragraph number, so evidence can always be found again. Text files are cut at form
feeds. Unreadable input raises InputError with a catalogued code (encrypted-pdf, image-only-pdf,
corrupt-docx, ...).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tcmap.errors import ConfigError, InputError, Problem

MAX_MB = 50
SUFFIXES = (".pdf", ".docx", ".txt", ".md")
_HINT = 'pip install "tcmap[documents]"'


@dataclass(slots=True)
class Block:
    """One paragraph, heading or table row, with its page and paragraph number."""

    page: int
    para: int
    text: str
    kind: str = "para"  # para, heading or row


@dataclass
class Extracted:
    """A document's text as blocks, with where it came from and what was wrong with it."""

    name: str
    kind: str  # pdf, docx or text
    sha256: str
    pages: int
    page_unit: str  # page or section
    blocks: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    title: str = ""  # the first line of the document (a PDF's first paragraph may run on)

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)

    def summary(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "kind": self.kind, "sha256": self.sha256,
                "pages": self.pages, "page_unit": self.page_unit,
                "paragraphs": len(self.blocks),
                "problems": [p.to_dict() for p in self.problems]}


def extract(path: Path | str, name: str | None = None) -> Extracted:
    """The document's text by page (see the module's docstring for what a page is)."""
    path = Path(path)
    name = name or path.name
    if not path.is_file():
        raise InputError("file-not-found", f"No file {str(path)!r}.", file=name)
    size = path.stat().st_size
    if size > MAX_MB * 2**20:
        raise InputError("document-too-large", f"{name} is {size / 2**20:.0f} MB; the "
                         f"appraisal reads documents up to {MAX_MB} MB.", file=name)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError("unsupported-document-type", file=name, value=suffix or "(none)")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf":
        out = _pdf(path, name, digest)
    elif suffix == ".docx":
        out = _docx(path, name, digest)
    else:
        out = _text(data, name, digest)
    if not any(b.text.strip() for b in out.blocks):
        raise InputError("empty-document", file=name)
    out.title = out.title or out.blocks[0].text
    out.title = out.title[:200]
    return out


def _pdf(path: Path, name: str, digest: str) -> Extracted:
    try:
        from pypdf import PdfReader
        from pypdf.errors import DependencyError, PdfReadError
    except ImportError:
        raise ConfigError("Reading PDF needs pypdf, which is not installed.",
                          hint=_HINT) from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many PDFs carry only an owner password (no printing or copying) and open with
            # an empty user password; those are readable.
            try:
                opened = reader.decrypt("")
            except (DependencyError, NotImplementedError):
                opened = 0
            if not opened:
                raise InputError("encrypted-pdf", file=name)
        pages = [page.extract_text() or "" for page in reader.pages]
        meta = str((reader.metadata or {}).get("/Title") or "").strip()
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError("corrupt-pdf", f"The PDF {name} is damaged and cannot be read ({exc}).",
                         file=name) from None
    if not pages or not any(p.strip() for p in pages):
        raise InputError("image-only-pdf", file=name)
    out = Extracted(name, "pdf", digest, len(pages), "page")
    blank = [str(i) for i, p in enumerate(pages, start=1) if not p.strip()]
    if blank:
        out.problems.append(Problem.make("pages-without-text", file=name,
                                         value=", ".join(blank)))
    first = next((p for p in pages if p.strip()), "")
    # The title the PDF declares, unless it is a converter's file name ("Microsoft Word - x").
    out.title = meta if meta and not meta.lower().startswith(("microsoft", "untitled")) \
        and not meta.lower().endswith((".doc", ".docx", ".pdf")) else \
        " ".join(first.strip().splitlines()[0].split())
    para = 0
    for number, text in enumerate(pages, start=1):
        for chunk in _paragraphs(text):
            para += 1
            out.blocks.append(Block(number, para, chunk))
    return out


_NUMBERED = re.compile(r"^\d+(\.\d+)*\.?\s+[A-Z]")
_STARTERS = ("output", "outcome", "indicator", "produit", "producto", "effet", "résultat",
             "resultado", "indicateur", "indicador", "priority", "priorité", "prioridad",
             "capacity level", "baseline", "target", "risk", "assumption", "objective", "•", "-")


def _paragraphs(page_text: str) -> list[str]:
    """A PDF page's lines joined into paragraphs.

    PDF text has a line break at the end of every printed line. A line continues the previous
    paragraph unless the previous one ended a sentence and this one starts a new unit (a label
    such as "Output 1.2:", a number or a bullet) or is short like a heading.
    """
    lines = [" ".join(raw.split()) for raw in page_text.splitlines()]
    lines = [ln for ln in lines if ln]
    if lines and lines[-1].isdigit():  # the page number in the footer
        lines.pop()
    out: list[str] = []
    for line in lines:
        if out and not _starts_new(out[-1], line):
            # A word hyphenated at the end of a line is joined again.
            out[-1] = out[-1] + line if out[-1].endswith(("-", "\u2013")) and \
                out[-1][-2:-1].isalnum() else f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def is_heading(line: str) -> bool:
    """A numbered heading such as "4. Capacity assessment": short, with no full stop."""
    return bool(_NUMBERED.match(line)) and len(line) < 90 and not line.endswith(".")


def _starts_new(previous: str, line: str) -> bool:
    if line.lower().startswith(_STARTERS) or line.startswith("|"):
        return True
    if previous.endswith(":"):  # "Baseline:" and its value on the next line
        return False
    if is_heading(line) or is_heading(previous):
        return True
    return previous.endswith((".", "!", "?", ")")) and line[:1].isupper()


def _docx(path: Path, name: str, digest: str) -> Extracted:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:
        raise ConfigError("Reading Word files needs python-docx, which is not installed.",
                          hint=_HINT) from None
    try:
        document = docx.Document(str(path))
        items = list(_docx_items(document))
    except PackageNotFoundError:
        raise InputError("corrupt-docx", f"The Word file {name} is damaged or is not a .docx "
                         "(it is not a valid Office Open XML package).", file=name) from None
    except Exception as exc:  # zipfile, lxml and key errors of a damaged package
        raise InputError("corrupt-docx", f"The Word file {name} cannot be read "
                         f"({type(exc).__name__}).", file=name) from None
    by_breaks = any(brk for _, _, brk in items)
    out = Extracted(name, "docx", digest, 1, "page" if by_breaks else "section")
    page, para = 1, 0
    for kind, text, brk in items:
        if by_breaks:
            page += brk
        elif kind == "heading1" and para:
            page += 1
        if not text.strip():
            continue
        para += 1
        out.blocks.append(Block(page, para, text, "heading" if kind.startswith("heading")
                                else kind))
    out.pages = page
    return out


def _docx_items(document):
    """(kind, text, page breaks before it) for each paragraph and table row, in order."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == f"{ns}p":
            p = Paragraph(child, document)
            breaks = len(child.findall(f".//{ns}lastRenderedPageBreak")) + sum(
                1 for br in child.iter(f"{ns}br") if br.get(f"{ns}type") == "page")
            style = (p.style.name if p.style is not None else "") or ""
            kind = ("heading1" if style in ("Heading 1", "Title") else
                    "heading" if style.startswith("Heading") else "para")
            yield kind, p.text, breaks
        elif child.tag == f"{ns}tbl":
            for row in Table(child, document).rows:
                cells = []
                for cell in row.cells:
                    text = " ".join(cell.text.split())
                    if not cells or cells[-1] != text:  # merged cells repeat their text
                        cells.append(text)
                yield "row", " | ".join(cells), 0


def _text(data: bytes, name: str, digest: str) -> Extracted:
    problems = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        problems.append(Problem.make("text-not-utf8", file=name))
    pages = text.split("\f")
    out = Extracted(name, "text", digest, len(pages), "page", problems=problems)
    para = 0
    for number, page in enumerate(pages, start=1):
        for chunk in page.split("\n\n"):
            lines = [ln.strip() for ln in chunk.splitlines() if ln.strip()]
            for kind, line in _text_units(lines):
                para += 1
                out.blocks.append(Block(number, para, line, kind))
    return out


def _text_units(lines: list[str]) -> list[tuple[str, str]]:
    """(kind, text) of a text paragraph's units: a markdown heading, each table row and each
    labelled line is its own unit; other lines continue the unit before them."""
    out: list[list[str]] = []
    for line in lines:
        if line.startswith("#"):
            out.append(["heading", line.lstrip("#").strip()])
        elif line.startswith("|"):
            out.append(["row", " | ".join(c.strip() for c in line.strip("|").split("|"))])
        elif out and out[-1][0] == "para" and not _starts_new(out[-1][1], line):
            out[-1][1] = f"{out[-1][1]} {line}"
        else:
            out.append(["para", line])
    return [(k, t) for k, t in out]
