"""The assessment report: one readable HTML page (inline styles and SVG charts), the same as
PDF with WeasyPrint, and the data as JSON.

The content is `show_assessment`'s dict plus one chart per level: a radar of existing against
desired scores by core issue (or domain), or bars when a level has fewer than three axes.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections.abc import Callable
from html import escape
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from tcmap.assessment.summary import show_assessment
from tcmap.errors import ConfigError
from tcmap.report import weasyprint_pdf
from tcmap.report.charts import bars
from tcmap.taxonomy import Framework

FORMATS = ("html", "pdf", "json")
_FONT = "font-family:'DejaVu Sans',Arial,sans-serif"
_EXISTING, _DESIRED = "#2171b5", "#e6550d"


def _label_lines(text: str, width: int = 18) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return [*lines, line] if line else lines


def radar(axes: list[str], series: list[tuple[str, list[float | None], str]], top: int,
          title: str = "", size: int = 300) -> str:
    """A radar chart: one spoke per axis (0 at the centre, `top` at the rim), one closed
    polygon per series; a missing value sits at the centre and its label says so."""
    r = size / 2 - 70  # room around the rim for the axis labels
    cx, cy = size / 2 + 60, r + 52
    n = len(axes)
    width, height = size + 120, int(cy + r + 72)

    def point(i: float, v: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * v / top * math.cos(angle), cy + r * v / top * math.sin(angle)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'style="{_FONT};font-size:10px">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for ring in range(1, top + 1):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, ring) for i in range(n)))
        out.append(f'<polygon points="{pts}" fill="none" stroke="#d0d0d0" stroke-width="0.7"/>')
        # Ring numbers between the first two spokes, clear of the axis labels.
        x, y = point(0.5, ring)
        out.append(f'<text x="{x:.1f}" y="{y + 3:.1f}" fill="#888" text-anchor="middle">'
                   f"{ring}</text>")
    for i, label in enumerate(axes):
        x, y = point(i, top)
        out.append(f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" '
                   'stroke="#bbbbbb" stroke-width="0.7"/>')
        lx, ly = point(i, top * 1.13)
        anchor = "middle" if abs(lx - cx) < 8 else ("start" if lx > cx else "end")
        lines = _label_lines(label)
        ly -= 5 * (len(lines) - 1) if ly < cy else 0
        for k, line in enumerate(lines):
            out.append(f'<text x="{lx:.1f}" y="{ly + 3 + 11 * k:.1f}" text-anchor="{anchor}">'
                       f"{escape(line)}</text>")
    for name, values, colour in series:
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in (
            point(i, v or 0) for i, v in enumerate(values)))
        dash = ' stroke-dasharray="5,3"' if colour == _DESIRED else ""
        out.append(f'<polygon points="{pts}" fill="{colour}" fill-opacity="0.15" '
                   f'stroke="{colour}" stroke-width="2"{dash}><title>{escape(name)}</title>'
                   "</polygon>")
    lx = 8
    for name, _, colour in series:
        out.append(f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{lx + 14}" y="{height - 5}">{escape(name)}</text>')
        lx += 24 + 6 * len(name)
    out.append("</svg>")
    return "".join(out)


def level_charts(content: dict[str, Any]) -> dict[str, str]:
    """One SVG per level: existing and desired scores by cross-section (or cell)."""
    top = content["instrument"]["scale"]["max"]
    rows = content["cross_sections"] or content["cells"]
    charts = {}
    for level in content["levels"]:
        mine = [r for r in rows if r["level"] == level["level"]]
        labels = [r["core_issue_title"] for r in mine]
        existing = [r["score"] for r in mine]
        desired = [r["desired"] for r in mine]
        title = f"{level['title']}: existing and desired capacity"
        if all(v is None for v in existing):
            continue  # nothing rated at this level yet: the table says so
        if len(mine) >= 3:
            charts[level["level"]] = radar(labels, [("Existing", existing, _EXISTING),
                                                    ("Desired", desired, _DESIRED)],
                                           top, title)
        else:
            charts[level["level"]] = bars(labels, [("Existing", [v or 0 for v in existing]),
                                                   ("Desired", [v or 0 for v in desired])],
                                          title, width=250)
    return charts


def _env():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    folder = Path(str(resources.files("tcmap.assessment").joinpath("templates")))
    return Environment(loader=FileSystemLoader(folder), autoescape=select_autoescape(
        ["html", "j2"]), undefined=StrictUndefined, keep_trailing_newline=True)


def render_report_html(content: dict[str, Any]) -> str:
    """The assessment as one self-contained HTML page."""
    from markupsafe import Markup

    css = Path(str(resources.files("tcmap.assessment").joinpath("templates", "report.css")))
    charts = {k: Markup(v) for k, v in level_charts(content).items()}
    cell_titles = {r["cell"]: r["cell_title"] for r in content["cells"]}
    return _env().get_template("assessment-report.html.j2").render(
        c=content, charts=charts, cell_titles=cell_titles,
        css=Markup(css.read_text(encoding="utf-8")))


def pdf_available() -> bool:
    return importlib.util.find_spec("weasyprint") is not None


def write_assessment_report(session: Session, assessment_id: int, out_dir: Path,
                            formats: tuple[str, ...] | None = None,
                            pdf: Callable[[str, Path], None] = weasyprint_pdf,
                            framework: Framework | None = None) -> dict[str, str]:
    """Write assessment-<id>.html, .pdf and .json into the folder; the paths written.

    Without formats: HTML and JSON, and PDF when WeasyPrint is installed.
    """
    if formats is None:
        formats = ("html", "pdf", "json") if pdf_available() else ("html", "json")
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ConfigError(f"Unknown report format(s): {', '.join(sorted(unknown))}.",
                          hint="Use html, pdf and json, comma-separated.")
    content = show_assessment(session, assessment_id, framework)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"assessment-{assessment_id}"
    html = render_report_html(content)
    written = {}
    if "html" in formats:
        stem.with_suffix(".html").write_text(html, encoding="utf-8")
        written["html"] = str(stem.with_suffix(".html"))
    if "pdf" in formats:
        pdf(html, stem.with_suffix(".pdf"))
        written["pdf"] = str(stem.with_suffix(".pdf"))
    if "json" in formats:
        stem.with_suffix(".json").write_text(json.dumps(
            content, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
        written["json"] = str(stem.with_suffix(".json"))
    return written
