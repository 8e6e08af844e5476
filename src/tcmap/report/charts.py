"""Charts as inline SVG, built from plain numbers: no network, no plotting library, same bytes
for the same data (reports must rebuild byte for byte)."""

from __future__ import annotations

from html import escape

_FONT = "font-family:'DejaVu Sans',Arial,sans-serif"
# A sequential blue scale, light to dark (readable on paper and on a projector).
_SCALE = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5",
          "#08519c", "#08306b")


def _colour(value: float, top: float) -> str:
    if value <= 0 or top <= 0:
        return "#ffffff"
    i = 1 + int((len(_SCALE) - 2) * min(1.0, value / top))
    return _SCALE[i]


def heatmap(rows: list[str], cols: list[str], values: list[list[float]],
            title: str = "", row_labels: list[str] | None = None,
            col_labels: list[str] | None = None, cell: int = 19) -> str:
    """A table of coloured cells with their numbers; labels at left and (rotated) on top."""
    row_labels = row_labels or rows
    col_labels = col_labels or cols
    top_value = max((v for r in values for v in r), default=0)
    cell = max(cell, 6 * len(f"{top_value:g}") + 6)  # room for the largest number
    left = 8 + 7 * max((len(x) for x in row_labels), default=4)
    topm = 10 + 6 * max((len(x) for x in col_labels), default=4)
    width = left + cell * len(cols) + 10 + int(3 * max((len(x) for x in col_labels), default=4))
    height = topm + cell * len(rows) + 24
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
           f'style="{_FONT};font-size:10px">']
    if title:
        out.append(f'<title>{escape(title)}</title>')
    for j, label in enumerate(col_labels):
        x = left + cell * j + cell / 2 + 3
        out.append(f'<text transform="translate({x:.1f},{topm - 4}) rotate(-60)">'
                   f'{escape(label)}</text>')
    for i, label in enumerate(row_labels):
        y = topm + cell * i
        out.append(f'<text x="{left - 4}" y="{y + cell * 0.68:.1f}" text-anchor="end">'
                   f'{escape(label)}</text>')
        for j, v in enumerate(values[i]):
            x = left + cell * j
            fill = _colour(v, top_value)
            ink = "#ffffff" if top_value and v / top_value > 0.55 else "#222222"
            out.append(f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                       f'fill="{fill}" stroke="#d0d0d0" stroke-width="0.5"/>')
            if v:
                out.append(f'<text x="{x + (cell - 1) / 2:.1f}" y="{y + cell * 0.66:.1f}" '
                           f'text-anchor="middle" fill="{ink}">{v:g}</text>')
    out.append("</svg>")
    return "".join(out)


def bars(labels: list[str], series: list[tuple[str, list[float]]], title: str = "",
         width: int = 460, bar: int = 14, unit: str = "") -> str:
    """Horizontal bars, one group per label, one bar per series (with a legend)."""
    colours = ("#2171b5", "#fd8d3c", "#74c476", "#9e9ac8")
    left = 10 + 6.5 * max((len(x) for x in labels), default=4)
    group = bar * len(series) + 6
    legend = 18 if len(series) > 1 else 0
    height = legend + group * len(labels) + 10
    top = max((v for _, vs in series for v in vs), default=0) or 1
    span = width - left - 50
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height:.0f}" role="img" aria-label="{escape(title)}" '
           f'style="{_FONT};font-size:10px">']
    if title:
        out.append(f'<title>{escape(title)}</title>')
    if legend:
        x = left
        for k, (name, _) in enumerate(series):
            out.append(f'<rect x="{x:.0f}" y="3" width="10" height="10" '
                       f'fill="{colours[k % 4]}"/><text x="{x + 14:.0f}" y="12">'
                       f'{escape(name)}</text>')
            x += 24 + 6 * len(name)
    for i, label in enumerate(labels):
        y = legend + group * i
        out.append(f'<text x="{left - 4:.0f}" y="{y + group / 2 + 3:.1f}" '
                   f'text-anchor="end">{escape(label)}</text>')
        for k, (_, values) in enumerate(series):
            v = values[i]
            w = span * v / top
            yy = y + k * bar
            out.append(f'<rect x="{left:.0f}" y="{yy:.0f}" width="{w:.1f}" '
                       f'height="{bar - 2}" fill="{colours[k % 4]}"/>')
            out.append(f'<text x="{left + w + 3:.1f}" y="{yy + bar - 4:.0f}">'
                       f'{v:g}{escape(unit)}</text>')
    out.append("</svg>")
    return "".join(out)
