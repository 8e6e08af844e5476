"""Rates with their confidence intervals as inline SVG: a bar per group and a whisker.

Built from plain numbers, no plotting library and no network; the same figures give the same
bytes, so a report rebuilt from the same data is identical.
"""

from __future__ import annotations

from html import escape
from typing import Any

_FONT = "font-family:'DejaVu Sans',Arial,sans-serif"
_BAR, _SMALL, _WHISKER, _GRID = "#4292c6", "#c6dbef", "#08306b", "#e0e0e0"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def interval_chart(rows: list[dict[str, Any]], title: str = "", width: int = 560,
                   label_chars: int = 34) -> str:
    """Horizontal bars of rates (0-100 %) with 95 % interval whiskers and 'k/n' at the right.

    Each row is a dict with label, rate, interval ([low, high]), k, n and small; a row
    without a rate is drawn as 'no answers'; small cells are pale and marked with an asterisk.
    """
    row_h = 18
    longest = max((len(_short(str(r["label"]), label_chars)) for r in rows), default=4)
    left = 10 + 6 * longest
    right = 92
    span = width - left - right
    top = 16
    height = top + row_h * len(rows) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'style="{_FONT};font-size:10px">']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for pct in (0, 25, 50, 75, 100):
        x = left + span * pct / 100
        out.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 6}" '
                   f'stroke="{_GRID}" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle" '
                   f'fill="#555555">{pct}%</text>')
    for i, r in enumerate(rows):
        y = top + row_h * i
        mid = y + row_h / 2
        label = _short(str(r["label"]), label_chars)
        out.append(f'<text x="{left - 4}" y="{mid + 3:.1f}" text-anchor="end">'
                   f"<title>{escape(str(r['label']))}</title>{escape(label)}</text>")
        rate = r.get("rate")
        if rate is None:
            out.append(f'<text x="{left + 4}" y="{mid + 3:.1f}" fill="#777777">'
                       f"no answers</text>")
            continue
        fill = _SMALL if r.get("small") else _BAR
        out.append(f'<rect x="{left}" y="{y + 3}" width="{span * rate:.1f}" '
                   f'height="{row_h - 6}" fill="{fill}"/>')
        lo, hi = r.get("interval") or (rate, rate)
        x1, x2 = left + span * lo, left + span * hi
        out.append(f'<path d="M{x1:.1f},{mid:.1f}H{x2:.1f}M{x1:.1f},{mid - 4:.1f}'
                   f'V{mid + 4:.1f}M{x2:.1f},{mid - 4:.1f}V{mid + 4:.1f}" '
                   f'stroke="{_WHISKER}" stroke-width="1.2" fill="none"/>')
        mark = "*" if r.get("small") else ""
        out.append(f'<text x="{left + span + 6}" y="{mid + 3:.1f}">'
                   f"{100 * rate:.0f}% ({r['k']}/{r['n']}){mark}</text>")
    out.append("</svg>")
    return "".join(out)


def figure_rows(groups: list[dict[str, Any]], measure: str) -> list[dict[str, Any]]:
    """The chart rows of one measure from figure groups (training_figures' shape)."""
    return [{"label": g["label"], **g[measure]} for g in groups]
