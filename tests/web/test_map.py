"""The Landkreise map draws Bavaria's real districts (issue 16, item 8): shapes, keys, shading, links.

The names shown on hover/focus and the map at 360 px are checked in a browser in
tests/web/test_browser_authority.py.
"""

from __future__ import annotations

import csv
import math
import re

import pytest

from vacancies import districts
from vacancies.geo import config_dir
from web import svgmap

MOVE = re.compile(r"M(-?[\d.]+) (-?[\d.]+)l([^z]*)z")


def rings(path: str) -> list[list[tuple[float, float]]]:
    """Points of the tool's path syntax: an absolute move, then relative lines."""
    out = []
    for x, y, steps in MOVE.findall(path):
        point = (float(x), float(y))
        ring = [point]
        numbers = [float(n) for n in re.findall(r"-?[\d.]+", steps)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            point = (point[0] + dx, point[1] + dy)
            ring.append(point)
        out.append(ring)
    return out


def inside(point: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    x, y = point
    hit = False
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (ay > y) != (by > y) and x < ax + (y - ay) * (bx - ax) / (by - ay):
            hit = not hit
    return hit


def project(lat: float, lon: float) -> tuple[float, float]:
    p = svgmap.geometry()["projection"]
    return p["pad"] + (lon - p["west"]) * p["shrink"] * p["scale"], p["pad"] + (p["north"] - lat) * p["scale"]


def reference() -> list[dict]:
    with (config_dir() / "geo" / "districts_bayern.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_district_of_bavaria_has_its_shape_under_its_official_key():
    shapes = svgmap.geometry()["districts"]
    assert set(shapes) == {row["district_key"] for row in reference()}
    assert {d.key for d in districts.load()} <= set(shapes)
    assert len(svgmap.geometry()["regions"]) == 7


def test_each_shape_lies_where_the_district_is():
    """The district's mean coordinate (GeoNames, an independent source) falls inside its own shape —
    or, for a few crescent-shaped ones, within 8 px of it; never inside a neighbour's."""
    shapes = svgmap.geometry()["districts"]
    misses = []
    for row in reference():
        point = project(float(row["latitude"]), float(row["longitude"]))
        own = rings(shapes[row["district_key"]]["path"])
        if not any(inside(point, ring) for ring in own):
            nearest = min(math.dist(point, p) for ring in own for p in ring)
            others = [k for k, s in shapes.items() if any(inside(point, r) for r in rings(s["path"]))]
            misses.append((row["name"], round(nearest, 1), others))
    assert all(distance <= 8 for _, distance, _ in misses), misses
    assert len(misses) <= 3, misses


def test_label_points_lie_inside_their_district():
    for key, shape in svgmap.geometry()["districts"].items():
        assert any(inside(tuple(shape["label"]), ring) for ring in rings(shape["path"])), key


def test_geometry_file_is_small_and_names_its_source():
    path = config_dir() / "geo" / "bavaria_districts.json"
    assert path.stat().st_size < 150 * 1024
    assert "© GeoBasis-DE / BKG" in svgmap.attribution()
    readme = (config_dir() / "geo" / "README.md").read_text(encoding="utf-8")
    assert "tools/make_bavaria_map.py" in readme and "GeoBasis-DE / BKG" in readme


@pytest.mark.parametrize(("count", "step"), [(0, 0), (1, 1), (4, 1), (5, 2), (19, 3), (20, 4), (500, 4)])
def test_shading_steps(count, step):
    assert svgmap.step(count) == step


def test_page_map_links_every_landkreis_once_and_shades_by_count():
    items = list(districts.load())
    miltenberg = districts.by_slug()["miltenberg"]
    svg = svgmap.render(items, {"miltenberg": 12})
    assert svg.count('<a href="/landkreise/') == len(items) == 71
    assert f'<use href="#k{miltenberg.key}" fill="{svgmap.STEPS[3][2]}"/>' in svg
    assert "<title>Miltenberg: 12 offene Stellen</title>" in svg
    assert "<title>Nürnberg (kreisfreie Stadt)</title>" in svg
    assert 'href="/landkreise/nuernberg"' not in svg  # a city has no page here (Nürnberger Land has)
    assert svg.count('class="map-label"') == 71  # names for hover/focus only, hidden by the stylesheet


def test_standalone_map_is_a_plain_picture():
    svg = svgmap.render(list(districts.load()), {"miltenberg": 1}, standalone=True)
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" role="img"')
    assert "href" not in svg and "<text" not in svg
    assert svg.count("<path d=") == 96 + 1  # the districts and the Regierungsbezirk borders


def test_districts_page_shows_legend_and_source(client):
    html = client.get("/landkreise").text
    assert 'class="map-legend"' in html and "20 und mehr" in html and "kreisfreie Stadt" in html
    assert "© GeoBasis-DE / BKG" in html
