#!/usr/bin/env python3
"""Draw the icons of the installable team page (issue 21) with the standard
library only: a rounded square in the app's accent colour (#a50e0e, as in
crates/web/static/app.css) holding a white phone whose screen shows a tick —
"help given on a phone".

One list of shapes on a 512-unit square is written both as the SVG icon and,
rasterised here (signed distances, anti-aliased edges, zlib + struct PNG
writer), as the 192 and 512 px PNG icons the web app manifest names:

    python3 scripts/make-icons.py   # rewrites crates/web/static/icon.svg, icon-192.png, icon-512.png
"""

import math
import struct
import zlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "crates" / "web" / "static"
ACCENT = (0xA5, 0x0E, 0x0E)
WHITE = (0xFF, 0xFF, 0xFF)

# (shape, parameters in 512 units, colour), painted in order.
SHAPES = [
    ("rect", (0, 0, 512, 512, 96), ACCENT),  # the tile
    ("rect", (160, 72, 192, 368, 36), WHITE),  # the phone
    ("rect", (182, 124, 148, 240, 10), ACCENT),  # its screen
    ("rect", (228, 94, 56, 12, 6), ACCENT),  # the speaker
    ("circle", (256, 402, 16), ACCENT),  # the button
    ("tick", ((212, 248), (244, 282), (302, 206), 13), WHITE),  # the tick, a 26-unit stroke
]


def hex_colour(c):
    return "#%02x%02x%02x" % c


def svg():
    """The shapes as a small hand-readable SVG."""
    parts = []
    for kind, p, colour in SHAPES:
        fill = hex_colour(colour)
        if kind == "rect":
            x, y, w, h, r = p
            parts.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{fill}"/>')
        elif kind == "circle":
            cx, cy, r = p
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{fill}"/>')
        else:
            (ax, ay), (bx, by), (cx, cy), half = p
            parts.append(
                f'<path d="M{ax} {ay}L{bx} {by}L{cx} {cy}" fill="none" stroke="{fill}" '
                f'stroke-width="{2 * half}" stroke-linecap="round" stroke-linejoin="round"/>'
            )
    body = "\n".join(parts)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512" width="512" height="512">\n'
        "<title>Tổ Số</title>\n"
        f"{body}\n</svg>\n"
    )


def rounded_rect(px, py, x, y, w, h, r):
    """Signed distance from (px, py) to a rounded rectangle (negative inside)."""
    cx, cy = x + w / 2, y + h / 2
    qx = abs(px - cx) - (w / 2 - r)
    qy = abs(py - cy) - (h / 2 - r)
    outside = math.hypot(max(qx, 0), max(qy, 0))
    return outside + min(max(qx, qy), 0) - r


def segment(px, py, ax, ay, bx, by):
    """Distance from (px, py) to the segment a–b."""
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def distance(kind, p, x, y):
    if kind == "rect":
        return rounded_rect(x, y, *p)
    if kind == "circle":
        cx, cy, r = p
        return math.hypot(x - cx, y - cy) - r
    a, b, c, half = p
    return min(segment(x, y, *a, *b), segment(x, y, *b, *c)) - half


def raster(size):
    """RGBA rows of the icon at `size` px; the tile's corners are transparent."""
    scale = 512 / size
    rows = []
    for j in range(size):
        row = bytearray()
        for i in range(size):
            x, y = (i + 0.5) * scale, (j + 0.5) * scale
            r = g = b = a = 0.0
            for kind, p, colour in SHAPES:
                # Coverage of the pixel: the distance in pixels, over a one-pixel ramp.
                cover = max(0.0, min(1.0, 0.5 - distance(kind, p, x, y) / scale))
                if cover == 0.0:
                    continue
                # "Over" compositing, premultiplied.
                r = colour[0] * cover + r * (1 - cover)
                g = colour[1] * cover + g * (1 - cover)
                b = colour[2] * cover + b * (1 - cover)
                a = cover + a * (1 - cover)
            if a > 0:
                row += bytes((round(r / a), round(g / a), round(b / a), round(a * 255)))
            else:
                row += b"\0\0\0\0"
        rows.append(bytes(row))
    return rows


def png(size):
    """The icon as PNG bytes (8-bit RGBA, no filter)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\0" + row for row in raster(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main():
    (STATIC / "icon.svg").write_text(svg(), encoding="utf-8")
    for size in (192, 512):
        (STATIC / f"icon-{size}.png").write_bytes(png(size))
    print("wrote icon.svg, icon-192.png, icon-512.png in", STATIC)


if __name__ == "__main__":
    main()
