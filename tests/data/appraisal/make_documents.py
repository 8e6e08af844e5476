"""Write the appraisal's sample documents from sources/*.md: PDF (WeasyPrint) and DOCX.

    .venv/bin/python tests/data/appraisal/make_documents.py

Each source is a small markdown-like text: `# ` starts a heading, `| a | b |` a table row,
other lines are paragraphs (one paragraph per line, as in a results framework). The same
source gives the PDF and the DOCX, so both carry the same text. The script also writes the bad
inputs: an encrypted PDF, an image-only PDF (a picture of a page, no text layer) and a corrupt
DOCX. Output is deterministic: fixed dates in the metadata and in the DOCX's zip entries.
"""

from __future__ import annotations

import base64
import html
import io
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
FIXED = datetime(2012, 6, 14, 12, 0, 0)
CSS = """
@page { size: A4; margin: 2cm; @bottom-center { content: counter(page); font-size: 9pt; } }
body { font-family: 'DejaVu Serif', serif; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 13pt; margin: 1.1em 0 0.4em; }
h1.title { font-size: 16pt; }
p { margin: 0 0 0.45em; }
table { border-collapse: collapse; margin: 0.4em 0 0.8em; width: 100%; }
td, th { border: 1px solid #777; padding: 3px 5px; font-size: 9.5pt; text-align: left; }
"""


def parse(source: str) -> list[tuple[str, object]]:
    """Blocks of a source: ('h', text), ('p', text) or ('table', [[cells]])."""
    blocks: list[tuple[str, object]] = []
    for line in source.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("# "):
            blocks.append(("h", line[2:]))
        elif line.startswith("|"):
            row = [c.strip() for c in line.strip("|").split("|")]
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(row)
            else:
                blocks.append(("table", [row]))
        else:
            blocks.append(("p", line))
    return blocks


def to_html(blocks, title: str) -> str:
    out = ["<!doctype html><html><head><meta charset='utf-8'>",
           f"<title>{html.escape(title)}</title>",
           "<meta name='dcterms.created' content='2012-06-14'>",
           "<meta name='dcterms.modified' content='2012-06-14'>",
           f"<style>{CSS}</style></head><body>"]
    for i, (kind, value) in enumerate(blocks):
        if kind == "h":
            cls = " class='title'" if i == 0 else ""
            out.append(f"<h1{cls}>{html.escape(value)}</h1>")
        elif kind == "p":
            out.append(f"<p>{html.escape(value)}</p>")
        else:
            head, *rows = value
            out.append("<table><tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in head)
                       + "</tr>")
            for row in rows:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row)
                           + "</tr>")
            out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def write_pdf(html_text: str, path: Path) -> None:
    from weasyprint import HTML

    path.write_bytes(HTML(string=html_text).write_pdf(uncompressed_pdf=False))


def _stable_zip(data: bytes) -> bytes:
    """The same zip with every entry dated FIXED, so the bytes do not depend on the clock."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def write_docx(blocks, title: str, path: Path) -> None:
    import docx

    d = docx.Document()
    props = d.core_properties
    props.title, props.author, props.last_modified_by = title, "tcmap tests", "tcmap tests"
    props.created = props.modified = FIXED
    props.revision = 1
    for i, (kind, value) in enumerate(blocks):
        if kind == "h":
            d.add_heading(value, level=0 if i == 0 else 1)
        elif kind == "p":
            d.add_paragraph(value)
        else:
            table = d.add_table(rows=0, cols=len(value[0]))
            table.style = "Table Grid"
            for row in value:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = text
    buf = io.BytesIO()
    d.save(buf)
    path.write_bytes(_stable_zip(buf.getvalue()))


def write_encrypted(pdf: Path, path: Path) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject

    writer = PdfWriter(clone_from=PdfReader(str(pdf)))
    # A fixed file id: the key is derived from it, so the bytes stay the same run after run.
    writer._ID = ArrayObject([ByteStringObject(b"tcmap-appraisal!")] * 2)  # noqa: SLF001
    # RC4 needs no crypto library to write; the reader must still refuse it without the password.
    writer.encrypt(user_password="appraisal", owner_password="owner", algorithm="RC4-128")
    writer._ID = ArrayObject([writer._ID[0]] * 2)  # noqa: SLF001  (encrypt drew a random second id)
    buf = io.BytesIO()
    writer.write(buf)
    path.write_bytes(buf.getvalue())


def write_image_only(path: Path) -> None:
    """A 'scanned' page: a picture of text lines, no text layer."""
    from PIL import Image, ImageDraw

    img = Image.new("L", (620, 877), 255)
    draw = ImageDraw.Draw(img)
    draw.text((60, 60), "Decent Work Country Programme (scanned copy)", fill=0)
    for i in range(30):
        width = 480 if i % 5 else 300
        draw.rectangle((60, 110 + 24 * i, 60 + width, 118 + 24 * i), fill=80)
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    data = base64.b64encode(buf.getvalue()).decode()
    write_pdf("<!doctype html><html><head><meta name='dcterms.created' content='2012-06-14'>"
              "<style>@page{size:A4;margin:0} img{width:100%}</style></head><body>"
              f"<img src='data:image/png;base64,{data}'></body></html>", path)


def main() -> None:
    written = []
    for source in sorted(SOURCES.glob("*.md")):
        text = source.read_text(encoding="utf-8")
        blocks = parse(text)
        title = blocks[0][1]
        write_pdf(to_html(blocks, title), HERE / f"{source.stem}.pdf")
        write_docx(blocks, title, HERE / f"{source.stem}.docx")
        written += [f"{source.stem}.pdf", f"{source.stem}.docx"]
    write_encrypted(HERE / "project-good.pdf", HERE / "bad-encrypted.pdf")
    write_image_only(HERE / "bad-image-only.pdf")
    good = (HERE / "project-weak.docx").read_bytes()
    (HERE / "bad-corrupt.docx").write_bytes(good[: len(good) // 3])
    written += ["bad-encrypted.pdf", "bad-image-only.pdf", "bad-corrupt.docx"]
    for name in written:
        print(f"{name:28} {(HERE / name).stat().st_size:>8,} bytes")


if __name__ == "__main__":
    main()
