"""The governing-body report: HTML from a template, PDF from the HTML (WeasyPrint).

`build_report` takes a snapshot, computes the content (report.content), renders it and writes
the files. The HTML depends on nothing but the snapshot and the framework, so rebuilding from
the same snapshot gives the same bytes. The PDF renderer is swappable (`pdf=`), for tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from tcmap.errors import ConfigError


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = Path(str(resources.files("tcmap.report").joinpath("templates")))
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(),
                       undefined=StrictUndefined, keep_trailing_newline=True)


def render_html(content: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (styles and charts inline)."""
    env = _env()
    css = Path(str(resources.files("tcmap.report").joinpath("templates", "report.css")))
    decision = 9 + len(content["proposals"])
    return env.get_template("report.html.j2").render(
        c=content, css=css.read_text(encoding="utf-8"), decision_para=decision)


def weasyprint_pdf(html: str, path: Path) -> None:
    """Render HTML to PDF with WeasyPrint (the `report` extra)."""
    try:
        from weasyprint import HTML
    except ImportError:
        raise ConfigError("PDF output needs WeasyPrint, which is not installed.",
                          hint="pip install 'tcmap[report]', or ask for --format html.") from None
    HTML(string=html).write_pdf(path)


def write_report(content: dict[str, Any], out_dir: Path, formats: tuple[str, ...] = ("html", "pdf"),
                 pdf: Callable[[str, Path], None] = weasyprint_pdf) -> dict[str, str]:
    """Write the report's files (report.html, report.pdf, report.json) into the folder."""
    unknown = set(formats) - {"html", "pdf", "json"}
    if unknown:
        raise ConfigError(f"Unknown report format(s): {', '.join(sorted(unknown))}.",
                          hint="Use html, pdf and json.")
    out_dir.mkdir(parents=True, exist_ok=True)
    html = render_html(content)
    written = {}
    if "html" in formats:
        (out_dir / "report.html").write_text(html, encoding="utf-8")
        written["html"] = str(out_dir / "report.html")
    if "pdf" in formats:
        pdf(html, out_dir / "report.pdf")
        written["pdf"] = str(out_dir / "report.pdf")
    if "json" in formats:
        (out_dir / "report.json").write_text(
            json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True, default=str),
            encoding="utf-8")
        written["json"] = str(out_dir / "report.json")
    return written
