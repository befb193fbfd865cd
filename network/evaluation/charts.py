"""Server-side SVG charts: no script, no style attribute (CSP), printable, embeddable in the PDF.

Colours are SVG presentation attributes so the same markup renders in the browser and in fpdf2.
"""

import math
from dataclasses import dataclass

from markupsafe import Markup, escape

from network.text import one_line
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
        f'role="img" aria-label="{escape(one_line(title))}"><title>{escape(one_line(title))}</title>{body}</svg>')


def _text(x, y, content, size=12, anchor="start", fill=INK, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}" {FONT}>{escape(one_line(content))}</text>')  # no control character: XML


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _wrap(label: str, limit: int, lines: int = 2) -> list[str]:
    """Whole words on up to `lines` lines of about `limit` characters; only a longer remainder is shortened."""
    out: list[str] = []
    for word in label.split():
        if out and len(out[-1]) + 1 + len(word) <= limit:
            out[-1] += " " + word
        else:
            out.append(word)
    if len(out) > lines:
        out = out[: lines - 1] + [_shorten(" ".join(out[lines - 1:]), limit)]
    return out or [""]


# One chart style: charts are drawn about as wide as a phone's column (WIDTH units ≈ CSS px, never scaled up),
# so no text is shown below 11 px on screen (13 units at 85 %) nor below 9 pt in the PDF.
WIDTH = 380
LABEL_SIZE, TEXT_SIZE = 14, 13
SHORT_LABEL = 10  # labels this short (years, dates) sit left of their bar; longer ones get their own line


def bar_chart(bars: list[Bar], title: str, empty_caption: str = "non saisie",
              empty_message: str = "Aucune donnée pour cette période", widths=None) -> Markup:
    """Horizontal bars of shares (0–100 %), the counts written right after each bar's end. A long label (a
    territory's name) gets its own lines above its bar, in full words, never cut at a fixed width.
    `widths` is accepted for older callers and ignored: the layout follows the labels."""
    inline = all(len(bar.label) <= SHORT_LABEL for bar in bars)
    label_width = 84 if inline else 0
    bar_x, bar_width = 4 + label_width, 240 - label_width // 3
    rows, y = [], 6
    for bar in bars:
        lines = [bar.label] if inline else _wrap(bar.label, 46)
        rows.append((bar, lines, y))
        y += 30 if inline else 18 * len(lines) + 26
    height = max(y, 40) + 24
    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = bar_x + tick * bar_width
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{height - 22}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(_text(x, height - 6, f"{int(tick * 100)} %", size=TEXT_SIZE, anchor="middle", fill=MUTED))
    for bar, lines, top in rows:
        if inline:
            parts.append(_text(bar_x - 8, top + 15, bar.label, size=LABEL_SIZE, anchor="end"))
            bar_top = top + 2
        else:
            parts += [_text(4, top + 13 + 18 * index, line, size=LABEL_SIZE) for index, line in enumerate(lines)]
            bar_top = top + 18 * len(lines) + 2
        if bar.value is None:
            parts.append(f'<rect x="{bar_x}" y="{bar_top}" width="{bar_width}" height="16" fill="none" '
                         f'stroke="{GREY}" stroke-dasharray="4 3"/>')
            parts.append(_text(bar_x + 8, bar_top + 13, empty_caption, size=TEXT_SIZE, fill=MUTED))
            continue
        length = max(0.0, min(1.0, bar.value)) * bar_width
        parts.append(f'<rect x="{bar_x}" y="{bar_top}" width="{length:.1f}" height="18" fill="{bar.colour}"/>')
        parts.append(_text(bar_x + length + 6, bar_top + 14, bar.caption, size=TEXT_SIZE))
    if not bars:
        parts.append(_text(WIDTH / 2, 24, empty_message, size=TEXT_SIZE, anchor="middle", fill=MUTED))
    return _svg(WIDTH, height, "".join(parts), title)


def paired_means_chart(mean_t0: float | None, mean_t1: float | None, paired: int, title: str,
                       minimum: float = 10, maximum: float = 40) -> Markup:
    """Two vertical bars (T0, T1) on the scale's own range, 10 to 40 — its minimum is written where the axis
    starts, so a short bar reads as « close to the minimum », not « close to zero »."""
    width, height, base, top = 320, 240, 190, 34
    if mean_t0 is None or mean_t1 is None:
        body = (f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="none" stroke="{GREY}" '
                f'stroke-dasharray="4 3"/>'
                + _text(width / 2, height / 2 - 4, "Effectif insuffisant (n < 5)", size=LABEL_SIZE, anchor="middle",
                        fill=MUTED)
                + _text(width / 2, height / 2 + 16, f"{plural(paired, 'membre')} avec T0 et T1", size=TEXT_SIZE,
                        anchor="middle", fill=MUTED))
        return _svg(width, height, body, title)
    parts = [_text(4, 16, f"Score, de {minimum:.0f} (minimum de l'échelle) à {maximum:.0f}", size=TEXT_SIZE,
                   fill=MUTED)]
    for value in (10, 20, 30, 40):
        y = base - (value - minimum) / (maximum - minimum) * (base - top)
        parts.append(f'<line x1="40" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{LINE}" stroke-width="1"/>')
        parts.append(_text(34, y + 4, str(value), size=TEXT_SIZE, anchor="end", fill=MUTED))
    for index, (label, value, colour) in enumerate((("T0 (entrée)", mean_t0, BLUE_LIGHT), ("T1 (suivi)", mean_t1,
                                                                                         BLUE))):
        x = 80 + index * 120
        y = base - (value - minimum) / (maximum - minimum) * (base - top)
        parts.append(f'<rect x="{x}" y="{y:.1f}" width="70" height="{base - y:.1f}" fill="{colour}"/>')
        parts.append(_text(x + 35, y - 6, f"{value:.1f}".replace(".", ","), size=LABEL_SIZE, anchor="middle",
                           weight="bold"))
        parts.append(_text(x + 35, base + 18, label, size=TEXT_SIZE, anchor="middle"))
    parts.append(_text(width / 2, height - 4, f"n = {paired} membres appariés", size=TEXT_SIZE, anchor="middle",
                       fill=MUTED))
    return _svg(width, height, "".join(parts), title)


@dataclass(frozen=True)
class RadarSeries:
    name: str
    values: list[float | None]  # 0–1 per axis; None = NC (drawn at the centre, marked on the axis label)
    colour: str


def radar_chart(axes: list[str], series: list[RadarSeries], title: str) -> Markup:
    """Radar of rubric percentages (0–100 %) with T0 and T1 overlaid; each axis carries its label in full (the same
    words as the table beside it), wrapped on up to three lines."""
    width, height, centre_x, centre, radius = WIDTH, 410, WIDTH / 2, 195, 80
    side_limit = int((centre_x - radius * 1.1 - 6) / 7.2)  # characters that fit beside the circle (≈ 7 units each)
    if len(axes) < 3:
        body = _text(width / 2, height / 2, "Il faut au moins 3 rubriques pour un radar", size=TEXT_SIZE,
                     anchor="middle", fill=MUTED)
        return _svg(width, height, body, title)

    def point(index, value):
        angle = -math.pi / 2 + 2 * math.pi * index / len(axes)
        return centre_x + math.cos(angle) * radius * value, centre + math.sin(angle) * radius * value

    parts = []
    for level in (0.25, 0.5, 0.75, 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level) for i in range(len(axes))))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="{LINE}" stroke-width="1"/>')
    for level in (0.5, 1):
        x, y = point(0, level)
        parts.append(_text(x + 4, y + 12, f"{int(level * 100)} %", size=TEXT_SIZE, fill=MUTED))
    for index, axis in enumerate(axes):
        x, y = point(index, 1)
        parts.append(f'<line x1="{centre_x}" y1="{centre}" x2="{x:.1f}" y2="{y:.1f}" stroke="{LINE}" stroke-width="1"/>')
        lx, ly = point(index, 1.1)
        anchor = "middle" if abs(lx - centre_x) < 10 else ("start" if lx > centre_x else "end")
        lines = _wrap(axis, side_limit if anchor != "middle" else 40, lines=3)
        ly += -6 - 15 * (len(lines) - 1) if ly < centre - 10 else (14 if ly > centre + 10 else 4 - 7 * (len(lines) - 1))
        parts += [_text(lx, ly + 15 * number, line, size=TEXT_SIZE, anchor=anchor) for number, line in enumerate(lines)]
    for serie in series:
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v or 0) for i, v in enumerate(serie.values)))
        parts.append(f'<polygon points="{points}" fill="{serie.colour}" fill-opacity="0.25" stroke="{serie.colour}" '
                     f'stroke-width="2"/>')
    for index, serie in enumerate(series):  # legend
        y = height - 8 - 18 * (len(series) - 1 - index)
        parts.append(f'<rect x="8" y="{y - 10}" width="12" height="12" fill="{serie.colour}"/>')
        parts.append(_text(26, y, serie.name, size=TEXT_SIZE))
    return _svg(width, height, "".join(parts), title)
