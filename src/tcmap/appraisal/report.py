"""The appraisal sheet as a document: HTML from a template, PDF from the HTML, and JSON.

The sheet is the dict of `appraisals.appraisal_sheet`; the template only reads it. The PDF
renderer is swappable (`pdf=`), for tests, and defaults to WeasyPrint (the `report` extra).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from tcmap.errors import ConfigError
from tcmap.report import weasyprint_pdf

FORMATS = ("html", "pdf", "json")


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = Path(str(resources.files("tcmap.appraisal").joinpath("templates")))
    # .j2 escaped too: the sheet quotes the appraised document's own text.
    env = Environment(loader=FileSystemLoader(folder),
                      autoescape=select_autoescape(["html", "htm", "xml", "j2"]),
                      undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters["score"] = score_label
    return env


def score_label(value: Any, scale: dict[str, str] | None = None) -> str:
    """0..3 as "2 adequate", "na" as "N/A", None as a dash."""
    if value is None:
        return "–"
    if value == "na":
        return "N/A"
    if isinstance(value, float):
        return f"{value:.2f}"
    return f"{value} {scale.get(str(value), '')}".strip() if scale else str(value)


def render_html(sheet: dict[str, Any]) -> str:
    """The sheet as one self-contained HTML page (styles inline)."""
    css = Path(str(resources.files("tcmap.appraisal").joinpath("templates", "appraisal.css")))
    return _env().get_template("appraisal.html.j2").render(
        s=sheet, css=css.read_text(encoding="utf-8"))


def write_sheet(sheet: dict[str, Any], out_dir: Path, formats: tuple[str, ...] = ("html", "pdf"),
                pdf: Callable[[str, Path], None] = weasyprint_pdf) -> dict[str, str]:
    """Write appraisal-<id>.html, .pdf and .json into the folder; returns the paths."""
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ConfigError(f"Unknown format(s): {', '.join(sorted(unknown))}.",
                          hint="Use html, pdf and json.")
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"appraisal-{sheet['id']}"
    written = {}
    if "html" in formats or "pdf" in formats:
        html = render_html(sheet)
        if "html" in formats:
            stem.with_suffix(".html").write_text(html, encoding="utf-8")
            written["html"] = str(stem.with_suffix(".html"))
        if "pdf" in formats:
            pdf(html, stem.with_suffix(".pdf"))
            written["pdf"] = str(stem.with_suffix(".pdf"))
    if "json" in formats:
        stem.with_suffix(".json").write_text(
            json.dumps(sheet, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
        written["json"] = str(stem.with_suffix(".json"))
    return written


def pdf_bytes(sheet: dict[str, Any]) -> bytes:
    """The sheet as PDF bytes (WeasyPrint), for a download."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise ConfigError("PDF output needs WeasyPrint, which is not installed.",
                          hint="pip install 'tcmap[report]', or ask for the HTML sheet.") from None
    return HTML(string=render_html(sheet)).write_pdf()
