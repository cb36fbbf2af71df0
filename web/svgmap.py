"""A small server-made SVG: one bubble per Landkreis at its coordinates, sized by open postings.

No tiles, no scripts, no external requests. Positions use an equirectangular projection scaled by
cos(latitude) — good enough for Bavaria's size. The page pairs it with a table (the text alternative).
"""

from __future__ import annotations

import math

from markupsafe import Markup, escape

from vacancies.districts import District

WIDTH = 640
PAD = 36


def _projection(items: list[District]):
    lons = [d.lon for d in items]
    lats = [d.lat for d in items]
    shrink = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = (max(lons) - min(lons)) * shrink or 1
    span_y = (max(lats) - min(lats)) or 1
    scale = (WIDTH - 2 * PAD) / span_x
    height = round(span_y * scale + 2 * PAD)

    def point(d: District) -> tuple[float, float]:
        return PAD + (d.lon - min(lons)) * shrink * scale, PAD + (max(lats) - d.lat) * scale

    return point, height


def radius(count: int) -> float:
    return 3.0 if count == 0 else round(5 + 4 * math.sqrt(count), 1)


def render(items: list[District], counts: dict[str, int], standalone: bool = False) -> Markup:
    point, height = _projection(items)
    total = sum(counts.values())
    title = "Offene Stellen je Landkreis"
    districts = sum(1 for c in counts.values() if c)
    desc = (f"{total} {'offene Stelle' if total == 1 else 'offene Stellen'} in {districts} "
            f"{'Landkreis' if districts == 1 else 'Landkreisen'}")  # fmt: skip
    head = 'xmlns="http://www.w3.org/2000/svg" ' if standalone else ""
    parts = [
        f'<svg {head}viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="map-title map-desc" '
        f'class="map" width="{WIDTH}" height="{height}">',
        f'<title id="map-title">{title}</title><desc id="map-desc">{escape(desc)}</desc>',
        f'<rect x="1" y="1" width="{WIDTH - 2}" height="{height - 2}" rx="8" fill="#f4f7fa" '
        'stroke="#8a9bb0"/>',
    ]
    ordered = sorted(items, key=lambda d: -counts.get(d.slug, 0))  # small bubbles drawn on top
    for d in reversed(ordered):
        parts.append(_bubble(d, counts.get(d.slug, 0), point))
    for d in ordered:
        if counts.get(d.slug, 0):
            x, y = point(d)
            r = radius(counts[d.slug])
            anchor = "start" if x < WIDTH * 0.2 else "end" if x > WIDTH * 0.8 else "middle"
            x = x - r if anchor == "start" else x + r if anchor == "end" else x
            parts.append(
                f'<text x="{x:.1f}" y="{y - r - 3:.1f}" text-anchor="{anchor}" font-size="12" '
                f'fill="#1a2733" aria-hidden="true">{escape(d.name)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def _bubble(d: District, count: int, point) -> str:
    x, y = point(d)
    noun = "offene Stelle" if count == 1 else "offene Stellen"
    fill = "#0b5cab" if count else "#9aa7b4"
    opacity = "0.75" if count else "1"
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius(count)}" fill="{fill}" fill-opacity="{opacity}" '
        f'stroke="#ffffff" stroke-width="1"><title>{escape(d.name)}: {count} {noun}</title></circle>'
    )
