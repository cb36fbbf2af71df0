"""A small server-made SVG map of Bavaria: its 96 districts, shaded by open postings.

The shapes are the BKG's official district boundaries (VG250), simplified once to 0.1 px paths in
config/geo/bavaria_districts.json by tools/make_bavaria_map.py (source, licence and steps there and in
config/geo/README.md). No tiles, no scripts, no external requests.

Names are not printed on the map: 71 Landkreise on a phone-wide map would overlap. Each Landkreis is a
link to its page whose name appears on hover and keyboard focus (one at a time, so nothing overlaps);
the table under the map is the full list and the text alternative. The links sit in a layer above the
coloured areas, with transparent shapes, so a shown name is never hidden by a neighbour painted later.
`/karte.svg` (standalone) is the plain picture: no links, a native tooltip per area.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from markupsafe import Markup, escape

from vacancies.districts import District
from vacancies.geo import config_dir

# (smallest count, legend text, fill): a few fixed steps read more easily than a continuous scale.
STEPS = (
    (0, "keine offene Stelle", "#d6dee6"),
    (1, "1 bis 4", "#a9c8e8"),
    (5, "5 bis 9", "#7eaedc"),
    (10, "10 bis 19", "#3b7fc2"),
    (20, "20 und mehr", "#0b4a8b"),
)
CITY_FILL = "#faf6ee"  # kreisfreie Städte: no Landratsamt, so never postings of their own here
STROKE = "#ffffff"
REGION_STROKE = "#33475b"


def geometry_file() -> Path:
    return config_dir() / "geo" / "bavaria_districts.json"


@functools.cache
def geometry(path: str | None = None) -> dict:
    return json.loads(Path(path or geometry_file()).read_text(encoding="utf-8"))


def attribution() -> str:
    return geometry()["attribution"]


def step(count: int) -> int:
    return max(i for i, (least, _, _) in enumerate(STEPS) if count >= least)


def legend() -> list[tuple[str, str]]:
    """(text, fill) per shade, then the kreisfreie Städte: the page draws it as HTML below the map."""
    return [(text, fill) for _, text, fill in STEPS] + [("kreisfreie Stadt", CITY_FILL)]


def noun(count: int) -> str:
    return "offene Stelle" if count == 1 else "offene Stellen"


def render(items: list[District], counts: dict[str, int], standalone: bool = False) -> Markup:
    geo = geometry()
    by_key = {d.key: d for d in items}
    width, height = geo["width"], geo["height"]
    head = 'xmlns="http://www.w3.org/2000/svg" role="img" ' if standalone else 'role="group" '
    parts = [
        f'<svg {head}viewBox="0 0 {width} {height}" aria-labelledby="map-title map-desc" class="map" '
        f'width="{width}" height="{height}">',
        f'<title id="map-title">Offene Stellen je Landkreis</title><desc id="map-desc">'
        f"{escape(_description(counts))}</desc>",
    ]
    areas = geo["districts"]
    if standalone:
        parts.append(_areas(areas, by_key, counts, lambda key, area: f'd="{area["path"]}"'))
    else:
        parts.append("<defs>" + "".join(f'<path id="k{key}" d="{a["path"]}"/>' for key, a in areas.items())
                     + "</defs>")  # fmt: skip
        parts.append(_areas(areas, by_key, counts, lambda key, area: None))
    regions = "".join(r["path"] for r in geo["regions"].values())
    parts.append(f'<path d="{regions}" fill="none" stroke="{REGION_STROKE}" stroke-width="1.3" '
                 'stroke-linejoin="round" class="map-regions"/>')  # fmt: skip
    if not standalone:
        parts.append(_links(areas, by_key, counts, width))
    parts.append("</svg>")
    return Markup("".join(parts))


def _description(counts: dict[str, int]) -> str:
    total = sum(counts.values())
    districts = sum(1 for c in counts.values() if c)
    return f"{total} {noun(total)} in {districts} {'Landkreis' if districts == 1 else 'Landkreisen'}"


def _areas(areas: dict, by_key: dict[str, District], counts: dict[str, int], inline) -> str:
    """The coloured layer; in the page the shapes are <use>s of the <defs>, drawn once more as links."""
    out = [f'<g stroke="{STROKE}" stroke-width="0.7" stroke-linejoin="round" class="map-areas">']
    for key, area in areas.items():
        district = by_key.get(key)
        count = counts.get(district.slug, 0) if district else 0
        fill = STEPS[step(count)][2] if district else CITY_FILL
        title = _title(area, district, count)
        shape = inline(key, area)
        if shape:
            out.append(f'<path {shape} fill="{fill}"><title>{escape(title)}</title></path>')
        elif district is None:  # a city is no link: its tooltip sits on the coloured shape
            out.append(f'<use href="#k{key}" fill="{fill}"><title>{escape(title)}</title></use>')
        else:
            out.append(f'<use href="#k{key}" fill="{fill}"/>')
    out.append("</g>")
    return "".join(out)


def _title(area: dict, district: District | None, count: int) -> str:
    if district is None:
        return f"{area['name']} (kreisfreie Stadt)"
    return f"{district.name}: {count} {noun(count)}"


def _links(areas: dict, by_key: dict[str, District], counts: dict[str, int], width: int) -> str:
    out = ['<g class="map-links">']
    for key, area in areas.items():
        district = by_key.get(key)
        if district is None:
            continue
        title = escape(_title(area, district, counts.get(district.slug, 0)))
        x, y = area["label"]
        anchor = "start" if x < width * 0.18 else "end" if x > width * 0.82 else "middle"
        out.append(
            f'<a href="/landkreise/{district.slug}" aria-label="{title}"><title>{title}</title>'
            f'<use href="#k{key}" fill="transparent"/><text x="{x}" y="{y}" text-anchor="{anchor}" '
            f'class="map-label" aria-hidden="true">{escape(district.name)}</text></a>'
        )
    out.append("</g>")
    return "".join(out)
