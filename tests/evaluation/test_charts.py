"""One chart style: no text under 13 units (≥ 11 px on a phone, ≥ 9 pt in the PDF), labels in full words, counts
right after their bar, the self-efficacy axis's minimum written out, the radar's labels the table's words."""

import re

from network.evaluation import charts

TERRITORY = "Communauté d'agglomération de Béthune-Bruay, Artois-Lys Romane"


def _sizes(svg) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([\d.]+)"', str(svg))]


def _texts(svg) -> list[str]:
    return [text.replace("&#39;", "'") for text in re.findall(r"<text [^>]*>([^<]*)</text>", str(svg))]


def test_every_chart_writes_at_least_13_units():
    svgs = [charts.bar_chart([charts.Bar(TERRITORY, 0.5, "5 sur 10 · 50 %")], "t"),
            charts.bar_chart([charts.Bar("2025", 0.5, "5 sur 10 · 50 %"), charts.Bar("2026", None, "")], "t"),
            charts.bar_chart([], "t"),
            charts.paired_means_chart(24.5, 27.0, 6, "t"), charts.paired_means_chart(None, None, 2, "t"),
            charts.radar_chart(["Diagnostic", "Animation", "Pilotage", "Évaluation"],
                               [charts.RadarSeries("T0", [0.5, 0.6, None, 0.2], charts.BLUE)], "t")]

    assert min(min(_sizes(svg)) for svg in svgs) == 13
    assert all(int(re.search(r'viewBox="0 0 (\d+)', str(svg)).group(1)) <= charts.WIDTH for svg in svgs)


def test_long_territory_name_is_written_in_full_words():
    svg = charts.bar_chart([charts.Bar(TERRITORY, 0.75, "3 sur 4 · 75 %")], "Par territoire")

    assert " ".join(_texts(svg)[5:-1]) == TERRITORY and "…" not in str(svg)


def test_caption_sits_right_after_its_bar():
    svg = str(charts.bar_chart([charts.Bar("Territoire du Ternois", 0.5, "1 sur 2 · 50 %")], "t"))

    bar = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" height="18"', svg)
    caption = re.search(r'<text x="([\d.]+)"[^>]*>1 sur 2 · 50 %</text>', svg)
    assert float(caption.group(1)) == float(bar.group(1)) + float(bar.group(2)) + 6


def test_self_efficacy_axis_says_where_it_starts():
    texts = _texts(charts.paired_means_chart(24.5, 27.0, 6, "t"))

    assert texts[0] == "Score, de 10 (minimum de l'échelle) à 40"
    assert texts[1:5] == ["10", "20", "30", "40"]


def test_radar_labels_are_the_rubrics_words():
    axes = ["Diagnostic de territoire et observation sociale", "Animation", "Pilotage de la CTG", "Évaluation"]
    texts = _texts(charts.radar_chart(axes, [charts.RadarSeries("T0", [0.5] * 4, charts.BLUE)], "t"))
    labels = " ".join(text for text in texts if text not in ("50 %", "100 %", "T0"))

    assert labels == " ".join(axes)


def test_radar_labels_stay_inside_the_drawing():
    axes = ["Offre et besoins des familles", "Relation avec la population", "Mise en réseau des acteurs",
            "Mise en œuvre des politiques", "Diagnostic partagé du territoire"]
    svg = str(charts.radar_chart(axes, [charts.RadarSeries("T0", [0.5] * 5, charts.BLUE)], "t"))

    for x, anchor, text in re.findall(r'<text x="([\d.]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]*)<', svg):
        extent = len(text) * 7.2  # a generous average advance of a 13-unit Helvetica character
        left = {"start": float(x), "middle": float(x) - extent / 2, "end": float(x) - extent}[anchor]
        assert 0 <= left and left + extent <= charts.WIDTH, text
