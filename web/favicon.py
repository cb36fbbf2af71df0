"""The board's icon, drawn once from one small bitmap: an SVG for browsers and a real ICO (PNG inside)
for /favicon.ico, which feed readers and older clients ask for. No binary file to keep in step."""

from __future__ import annotations

import functools
import struct
import zlib

BRAND = (0x0B, 0x4F, 0x8A)  # --brand of site.css
GLYPH = (  # an "S", 5 × 7 cells
    ".###.",
    "#...#",
    "#....",
    ".###.",
    "....#",
    "#...#",
    ".###.",
)
SIZE, CELL, LEFT, TOP = 32, 4, 6, 2  # 32 px icon, each cell 4 px, glyph centred
RADIUS = 6


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    """RGBA at (x, y): white glyph cells on a brand-blue square with rounded corners."""
    column, row = (x - LEFT) // CELL, (y - TOP) // CELL
    if x >= LEFT and y >= TOP and row < len(GLYPH) and column < len(GLYPH[0]) and GLYPH[row][column] == "#":
        return (255, 255, 255, 255)
    cx = min(max(x, RADIUS), SIZE - 1 - RADIUS)
    cy = min(max(y, RADIUS), SIZE - 1 - RADIUS)
    outside = (x - cx) ** 2 + (y - cy) ** 2 > RADIUS**2
    return (0, 0, 0, 0) if outside else (*BRAND, 255)


def _png() -> bytes:
    rows = b"".join(b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    image = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + image


@functools.cache
def ico() -> bytes:
    """An ICO file with one 32 × 32 PNG image (allowed in ICO since Windows Vista, read by all browsers)."""
    image = _png()
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


@functools.cache
def svg() -> str:
    cells = "".join(
        f'<rect x="{LEFT + c * CELL}" y="{TOP + r * CELL}" width="{CELL}" height="{CELL}"/>'
        for r, line in enumerate(GLYPH)
        for c, mark in enumerate(line)
        if mark == "#"
    )
    colour = "#{:02x}{:02x}{:02x}".format(*BRAND)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" rx="{RADIUS}" fill="{colour}"/>'
        f'<g fill="#fff">{cells}</g></svg>'
    )
