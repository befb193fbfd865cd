"""Server-side SVG charts: no script, no style attribute (CSP), printable, embeddable in the PDF.

Colours are SVG presentation attributes so the same markup renders in the browser and in fpdf2.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from network.formatting import plural

BLUE, BLUE_LIGHT, GREEN, AMBER, GREY, INK, MUTED, LINE = (
    "#0b5c8a", "#9cc3dd", "#1e7b4f", "#c98a00", "#b8c2cc", "#1d2733", "#5b6875", "#d5dde5")
GREEN_LIGHT, RED = "#5fa97e", "#b3412f"
FONT = 'font-family="Helvetica, Arial, sans-serif"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0–1; None: no value (e.g. attendance not recorded)
    caption: str  # what is written at the end of the bar ("7 sur 10 · 70 %")
    colour: str = BLUE


def _svg(width: int, height: int, body: str, title: str) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>')


def _text(x, y, content, size=12, anchor="start", fill=INK, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}" {FONT}>{escape(content)}</text>')


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(bars: list[Bar], title: str, empty_caption: str = "non saisie",
              empty_message: str = "Aucune donnée pour cette période", widths: tuple[int, int, int] = (210, 330, 170)
              ) -> Markup:
    """Horizontal bars of shares (0–100 %), one per row, with the counts written beside each bar.

    widths: label, bar and caption columns (a narrower chart keeps its text legible on a phone)."""
    (label_width, bar_width, caption_width), row = widths, 34
    width = label_width + bar_width + caption_width
    height = max(1, len(bars)) * row + 30
    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = label_width + tick * bar_width
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(_text(x, height - 8, f"{int(tick * 100)} %", size=12, anchor="middle", fill=MUTED))
    for index, bar in enumerate(bars):
        y = 6 + index * row
        parts.append(_text(label_width - 8, y + 16, _shorten(bar.label, 26), size=14, anchor="end"))
        if bar.value is None:
            parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="16" fill="none" '
                         f'stroke="{GREY}" stroke-dasharray="4 3"/>')
            parts.append(_text(label_width + bar_width + 8, y + 16, empty_caption, size=13, fill=MUTED))
            continue
        length = max(0.0, min(1.0, bar.value)) * bar_width
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="18" fill="{bar.colour}"/>')
        parts.append(_text(label_width + bar_width + 8, y + 16, bar.caption, size=13))
    if not bars:
        parts.append(_text(width / 2, 20, empty_message, size=12, anchor="middle", fill=MUTED))
    return _svg(width, height, "".join(parts), title)


def paired_means_chart(mean_t0: float | None, mean_t1: float | None, paired: int, title: str,
                       minimum: float = 10, maximum: float = 40) -> Markup:
    """Two vertical bars (T0, T1) on the 10–40 scale; a notice instead when the group is too small."""
    width, height, base, top = 320, 220, 180, 20
    if mean_t0 is None or mean_t1 is None:
        body = (f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="none" stroke="{GREY}" '
                f'stroke-dasharray="4 3"/>'
                + _text(width / 2, height / 2 - 4, "Effectif insuffisant (n < 5)", size=14, anchor="middle",
                        fill=MUTED)
                + _text(width / 2, height / 2 + 16, f"{plural(paired, 'membre')} avec T0 et T1", size=11,
                        anchor="middle", fill=MUTED))
        return _svg(width, height, body, title)
    parts = []
    for value in (10, 20, 30, 40):
        y = base - (value - minimum) / (maximum - minimum) * (base - top)
        parts.append(f'<line x1="40" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(_text(34, y + 4, str(value), size=10, anchor="end", fill=MUTED))
    for index, (label, value, colour) in enumerate((("T0 (entrée)", mean_t0, BLUE_LIGHT), ("T1 (suivi)", mean_t1,
                                                                                         BLUE))):
        x = 80 + index * 120
        y = base - (value - minimum) / (maximum - minimum) * (base - top)
        parts.append(f'<rect x="{x}" y="{y:.1f}" width="70" height="{base - y:.1f}" fill="{colour}"/>')
        parts.append(_text(x + 35, y - 6, f"{value:.1f}".replace(".", ","), size=13, anchor="middle", weight="bold"))
        parts.append(_text(x + 35, base + 18, label, size=12, anchor="middle"))
    parts.append(_text(width / 2, height - 4, f"n = {paired} membres appariés", size=11, anchor="middle",
                       fill=MUTED))
    return _svg(width, height, "".join(parts), title)


@dataclass(frozen=True)
class RadarSeries:
    name: str
    values: list[float | None]  # 0–1 per axis; None = NC (drawn at the centre, marked on the axis label)
    colour: str


def radar_chart(axes: list[str], series: list[RadarSeries], title: str) -> Markup:
    """Radar of rubric percentages (0–100 %) with T0 and T1 overlaid."""
    width, size, centre_x, centre, radius = 640, 460, 320, 230, 140
    if len(axes) < 3:
        body = _text(size / 2, size / 2, "Il faut au moins 3 rubriques pour un radar", size=12, anchor="middle",
                     fill=MUTED)
        return _svg(width, size, body, title)

    def point(index, value):
        angle = -math.pi / 2 + 2 * math.pi * index / len(axes)
        return centre_x + math.cos(angle) * radius * value, centre + math.sin(angle) * radius * value

    parts = []
    for level in (0.25, 0.5, 0.75, 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(len(axes))))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{LINE}" stroke-width="1"/>')
        x, y = point(0, level)
        parts.append(_text(x + 4, y + 4, f"{int(level * 100)} %", size=9, fill=MUTED))
    for index, axis in enumerate(axes):
        x, y = point(index, 1)
        parts.append(f'<line x1="{centre_x}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="{LINE}" stroke-width="1"/>')
        lx, ly = point(index, 1.12)
        anchor = "middle" if abs(lx - centre_x) < 10 else ("start" if lx > centre_x else "end")
        ly += -6 if ly < centre - 10 else (14 if ly > centre + 10 else 4)
        parts.append(_text(lx, ly, _shorten(axis, 32), size=13, anchor=anchor))
    for serie in series:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(serie.values)))
        parts.append(f'<polygon points="{points}" fill="{serie.colour}" fill-opacity="0.25" stroke="{serie.colour}" '
                     f'stroke-width="2"/>')
    for index, serie in enumerate(series):  # legend
        y = size - 10 - 18 * (len(series) - 1 - index)
        parts.append(f'<rect x="16" y="{y - 10}" width="12" height="12" fill="{serie.colour}"/>')
        parts.append(_text(34, y, serie.name, size=13))
    return _svg(width, size, "".join(parts), title)

