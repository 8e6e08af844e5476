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
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PrefixLoader,
        StrictUndefined,
        select_autoescape,
    )

    from tcmap.analysis.snapshot import SECTIONS

    def folder(package: str) -> str:
        return str(resources.files(package).joinpath("templates"))

    # Each section's partial lives with its noun: "training/report_section.html.j2" is
    # tcmap/training/templates/report_section.html.j2.
    sections = {name: FileSystemLoader(folder(target.partition(":")[0].rsplit(".", 1)[0]))
                for name, target in SECTIONS.items()}
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(folder("tcmap.report")), PrefixLoader(sections)]),
        autoescape=select_autoescape(["html", "htm", "xml", "j2"]),
        undefined=StrictUndefined, keep_trailing_newline=True)


class Numbers:
    """The report's numbering, in reading order: paragraphs, and tables and figures by name
    (a name keeps the number it got when first mentioned, in the text or in its caption)."""

    def __init__(self) -> None:
        self.paras = 0
        self.named: dict[tuple[str, str], int] = {}
        self.counts = {"table": 0, "figure": 0}
        self.remembered: dict[str, int] = {}

    def para(self) -> int:
        self.paras += 1
        return self.paras

    def _number(self, kind: str, name: str) -> int:
        if (kind, name) not in self.named:
            self.counts[kind] += 1
            self.named[(kind, name)] = self.counts[kind]
        return self.named[(kind, name)]

    def table(self, name: str) -> int:
        return self._number("table", name)

    def figure(self, name: str) -> int:
        return self._number("figure", name)

    def remember(self, name: str, number: int) -> int:
        self.remembered[name] = number
        return number

    def later(self, name: str) -> str:
        """A number not known yet where it is mentioned (the decision, in the summary)."""
        return f"\x00{name}\x00"


def render_html(content: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (styles and charts inline)."""
    from tcmap.analysis.snapshot import SECTIONS

    env = _env()
    css = Path(str(resources.files("tcmap.report").joinpath("templates", "report.css")))
    num = Numbers()
    content = {"sections": {}, **content}
    html = env.get_template("report.html.j2").render(
        c=content, css=css.read_text(encoding="utf-8"), num=num, section_order=list(SECTIONS))
    for name, number in num.remembered.items():
        html = html.replace(f"\x00{name}\x00", str(number))
    return html


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
