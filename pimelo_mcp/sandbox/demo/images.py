"""Real PNG images for the demo catalog, drawn in pure Python (zlib + struct, no Pillow).

Each product kind has a simple flat rendering (a shoe, a jacket, a backpack…) made of
rectangles, ellipses and polygons in a unit square, drawn in the product's colour over
a soft vertical gradient with a floor shadow. Rows are filled span by span, so a whole
set of images takes a fraction of a second.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

RGB = tuple[int, int, int]
Point = tuple[float, float]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Sizes the images cycle through (width, height).
IMAGE_SIZES: tuple[tuple[int, int], ...] = (
    (320, 320),
    (400, 400),
    (480, 360),
    (512, 512),
    (600, 450),
    (360, 480),
    (640, 480),
    (800, 600),
)


@dataclass(frozen=True)
class Shape:
    """One primitive of a rendering, in unit-square coordinates (y grows downwards)."""

    kind: str  # "rect", "ellipse", "dome" (upper half of an ellipse), "poly"
    role: str  # which colour: main, dark, light, sole, black, grey, accent, lens, shadow
    points: tuple[Point, ...]  # rect: 2 corners; ellipse/dome: centre and radii; poly: vertices


def rect(role: str, x0: float, y0: float, x1: float, y1: float) -> Shape:
    return Shape("rect", role, ((x0, y0), (x1, y1)))


def ellipse(role: str, cx: float, cy: float, rx: float, ry: float) -> Shape:
    return Shape("ellipse", role, ((cx, cy), (rx, ry)))


def dome(role: str, cx: float, cy: float, rx: float, ry: float) -> Shape:
    return Shape("dome", role, ((cx, cy), (rx, ry)))


def poly(role: str, *points: Point) -> Shape:
    return Shape("poly", role, points)


def _mirror(points: Sequence[Point]) -> tuple[Point, ...]:
    return tuple((1.0 - x, y) for x, y in points)


_SHOE_UPPER = (
    (0.10, 0.70),
    (0.12, 0.44),
    (0.30, 0.40),
    (0.46, 0.50),
    (0.70, 0.55),
    (0.86, 0.60),
    (0.93, 0.70),
)
_SHOE = (
    ellipse("shadow", 0.52, 0.84, 0.44, 0.035),
    poly(
        "sole", (0.07, 0.69), (0.93, 0.69), (0.96, 0.75), (0.91, 0.81), (0.10, 0.81), (0.06, 0.75)
    ),
    poly("main", *_SHOE_UPPER),
    ellipse("dark", 0.21, 0.43, 0.09, 0.03),
    poly("light", (0.30, 0.62), (0.52, 0.53), (0.58, 0.56), (0.36, 0.66)),
    rect("accent", 0.47, 0.515, 0.49, 0.545),
    rect("accent", 0.53, 0.53, 0.55, 0.56),
    rect("accent", 0.59, 0.545, 0.61, 0.575),
)
_TRAIL_SHOE = (
    ellipse("shadow", 0.52, 0.85, 0.44, 0.035),
    poly(
        "black", (0.07, 0.69), (0.93, 0.69), (0.96, 0.75), (0.91, 0.81), (0.10, 0.81), (0.06, 0.75)
    ),
    *(rect("black", 0.12 + 0.1 * i, 0.80, 0.17 + 0.1 * i, 0.835) for i in range(8)),
    poly("main", *_SHOE_UPPER),
    poly("dark", (0.10, 0.70), (0.11, 0.62), (0.93, 0.66), (0.93, 0.70)),
    ellipse("dark", 0.21, 0.43, 0.09, 0.03),
    poly("light", (0.30, 0.60), (0.52, 0.52), (0.58, 0.55), (0.36, 0.64)),
)
_TORSO = ((0.31, 0.22), (0.42, 0.17), (0.58, 0.17), (0.69, 0.22), (0.72, 0.86), (0.28, 0.86))
_SLEEVE = ((0.31, 0.22), (0.19, 0.33), (0.12, 0.76), (0.21, 0.78), (0.28, 0.44))
_JACKET_BASE = (
    ellipse("shadow", 0.5, 0.9, 0.3, 0.025),
    poly("main", *_SLEEVE),
    poly("main", *_mirror(_SLEEVE)),
    poly("main", *_TORSO),
    rect("dark", 0.12, 0.73, 0.21, 0.78),
    rect("dark", 0.79, 0.73, 0.88, 0.78),
)
_RAIN_JACKET = (
    *_JACKET_BASE,
    dome("dark", 0.5, 0.2, 0.12, 0.09),
    rect("accent", 0.493, 0.2, 0.507, 0.86),
    rect("dark", 0.34, 0.55, 0.44, 0.57),
    rect("dark", 0.56, 0.55, 0.66, 0.57),
)
_INSULATED_JACKET = (
    *_JACKET_BASE,
    rect("dark", 0.29, 0.36, 0.71, 0.375),
    rect("dark", 0.29, 0.5, 0.72, 0.515),
    rect("dark", 0.28, 0.64, 0.72, 0.655),
    rect("dark", 0.2, 0.45, 0.27, 0.46),
    rect("dark", 0.73, 0.45, 0.8, 0.46),
    rect("dark", 0.42, 0.14, 0.58, 0.2),
    rect("accent", 0.493, 0.17, 0.507, 0.86),
)
_SOFTSHELL_JACKET = (
    *_JACKET_BASE,
    rect("dark", 0.41, 0.13, 0.59, 0.2),
    poly("light", (0.31, 0.22), (0.69, 0.22), (0.7, 0.3), (0.3, 0.3)),
    rect("black", 0.494, 0.13, 0.506, 0.86),
)
_DAYPACK = (
    ellipse("shadow", 0.5, 0.89, 0.28, 0.025),
    ellipse("dark", 0.5, 0.2, 0.07, 0.05),
    ellipse("main", 0.5, 0.86, 0.22, 0.03),
    rect("main", 0.28, 0.32, 0.72, 0.86),
    dome("main", 0.5, 0.33, 0.22, 0.14),
    rect("dark", 0.34, 0.57, 0.66, 0.81),
    rect("accent", 0.36, 0.6, 0.64, 0.61),
    rect("light", 0.3, 0.3, 0.7, 0.31),
)
_TREKKING_PACK = (
    ellipse("shadow", 0.5, 0.92, 0.24, 0.025),
    rect("main", 0.31, 0.2, 0.69, 0.9),
    dome("dark", 0.5, 0.22, 0.2, 0.1),
    rect("dark", 0.3, 0.18, 0.7, 0.26),
    rect("black", 0.27, 0.45, 0.73, 0.47),
    rect("black", 0.27, 0.65, 0.73, 0.67),
    rect("dark", 0.36, 0.52, 0.64, 0.84),
    rect("accent", 0.38, 0.54, 0.62, 0.55),
)
_HYDRATION_PACK = (
    ellipse("shadow", 0.5, 0.88, 0.24, 0.025),
    poly("main", (0.3, 0.2), (0.42, 0.2), (0.45, 0.5), (0.42, 0.84), (0.3, 0.84), (0.26, 0.5)),
    poly(
        "main",
        *_mirror(((0.3, 0.2), (0.42, 0.2), (0.45, 0.5), (0.42, 0.84), (0.3, 0.84), (0.26, 0.5))),
    ),
    rect("dark", 0.3, 0.45, 0.4, 0.7),
    rect("dark", 0.6, 0.45, 0.7, 0.7),
    ellipse("accent", 0.35, 0.38, 0.035, 0.06),
    ellipse("accent", 0.65, 0.38, 0.035, 0.06),
    rect("black", 0.42, 0.55, 0.58, 0.565),
)
_CAP = (
    ellipse("shadow", 0.55, 0.74, 0.36, 0.03),
    ellipse("dark", 0.7, 0.62, 0.24, 0.06),
    dome("main", 0.45, 0.64, 0.27, 0.3),
    rect("dark", 0.18, 0.6, 0.72, 0.64),
    ellipse("dark", 0.45, 0.34, 0.03, 0.02),
    rect("light", 0.44, 0.36, 0.46, 0.6),
)
_BEANIE = (
    ellipse("shadow", 0.5, 0.83, 0.3, 0.03),
    dome("main", 0.5, 0.66, 0.25, 0.36),
    ellipse("light", 0.5, 0.27, 0.08, 0.075),
    rect("dark", 0.24, 0.62, 0.76, 0.8),
    *(rect("main", 0.27 + 0.08 * i, 0.64, 0.3 + 0.08 * i, 0.78) for i in range(6)),
)
_BOTTLE = (
    ellipse("shadow", 0.5, 0.9, 0.18, 0.02),
    rect("main", 0.37, 0.34, 0.63, 0.86),
    ellipse("main", 0.5, 0.86, 0.13, 0.025),
    dome("main", 0.5, 0.36, 0.13, 0.1),
    rect("grey", 0.43, 0.16, 0.57, 0.27),
    rect("black", 0.44, 0.12, 0.56, 0.16),
    rect("light", 0.37, 0.5, 0.63, 0.66),
    rect("accent", 0.4, 0.36, 0.43, 0.8),
)
_SOCK = (
    ellipse("shadow", 0.55, 0.88, 0.28, 0.025),
    poly(
        "main",
        (0.36, 0.14),
        (0.56, 0.14),
        (0.56, 0.58),
        (0.78, 0.66),
        (0.84, 0.73),
        (0.8, 0.84),
        (0.46, 0.84),
        (0.36, 0.72),
    ),
    rect("light", 0.36, 0.14, 0.56, 0.22),
    ellipse("dark", 0.43, 0.76, 0.08, 0.08),
    ellipse("dark", 0.8, 0.77, 0.05, 0.07),
    rect("dark", 0.36, 0.3, 0.56, 0.32),
)
_WATCH = (
    ellipse("shadow", 0.5, 0.93, 0.16, 0.02),
    rect("main", 0.41, 0.06, 0.59, 0.94),
    rect("dark", 0.41, 0.78, 0.59, 0.8),
    ellipse("dark", 0.5, 0.88, 0.012, 0.012),
    ellipse("grey", 0.5, 0.5, 0.19, 0.19),
    ellipse("black", 0.5, 0.5, 0.16, 0.16),
    rect("accent", 0.495, 0.39, 0.505, 0.5),
    rect("lens", 0.5, 0.495, 0.6, 0.505),
    rect("grey", 0.68, 0.46, 0.71, 0.54),
)
_HEADLAMP = (
    ellipse("shadow", 0.5, 0.78, 0.42, 0.03),
    rect("main", 0.06, 0.45, 0.94, 0.55),
    rect("dark", 0.06, 0.48, 0.94, 0.5),
    rect("black", 0.35, 0.36, 0.65, 0.64),
    ellipse("grey", 0.5, 0.5, 0.1, 0.1),
    ellipse("lens", 0.5, 0.5, 0.075, 0.075),
    rect("main", 0.61, 0.4, 0.64, 0.46),
)

SHAPES: dict[str, tuple[Shape, ...]] = {
    "road_runner": _SHOE,
    "trail_runner": _TRAIL_SHOE,
    "rain_jacket": _RAIN_JACKET,
    "insulated_jacket": _INSULATED_JACKET,
    "softshell_jacket": _SOFTSHELL_JACKET,
    "daypack": _DAYPACK,
    "trekking_pack": _TREKKING_PACK,
    "hydration_pack": _HYDRATION_PACK,
    "cap": _CAP,
    "beanie": _BEANIE,
    "water_bottle": _BOTTLE,
    "socks": _SOCK,
    "sport_watch": _WATCH,
    "headlamp": _HEADLAMP,
}

# Brand logos: a disc in the brand colour with a white mark.
LOGOS: dict[str, tuple[Shape, ...]] = {
    "peaks": (
        ellipse("main", 0.5, 0.5, 0.46, 0.46),
        poly("accent", (0.2, 0.68), (0.42, 0.3), (0.55, 0.5), (0.63, 0.4), (0.8, 0.68)),
    ),
    "wave": (
        ellipse("main", 0.5, 0.5, 0.46, 0.46),
        poly(
            "accent",
            (0.18, 0.55),
            (0.35, 0.42),
            (0.5, 0.55),
            (0.65, 0.42),
            (0.82, 0.55),
            (0.82, 0.63),
            (0.65, 0.5),
            (0.5, 0.63),
            (0.35, 0.5),
            (0.18, 0.63),
        ),
    ),
    "bolt": (
        ellipse("main", 0.5, 0.5, 0.46, 0.46),
        poly(
            "accent",
            (0.55, 0.18),
            (0.3, 0.55),
            (0.47, 0.55),
            (0.42, 0.82),
            (0.7, 0.43),
            (0.53, 0.43),
        ),
    ),
    "ring": (
        ellipse("main", 0.5, 0.5, 0.46, 0.46),
        ellipse("accent", 0.5, 0.5, 0.28, 0.28),
        ellipse("main", 0.5, 0.5, 0.18, 0.18),
        rect("accent", 0.46, 0.12, 0.54, 0.3),
    ),
}

_FIXED: dict[str, RGB] = {
    "sole": (242, 241, 236),
    "black": (44, 45, 50),
    "grey": (150, 153, 160),
    "accent": (250, 250, 250),
    "lens": (255, 236, 160),
}


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def _scale(c: RGB, f: float) -> bytes:
    return bytes((min(255, round(c[0] * f)), min(255, round(c[1] * f)), min(255, round(c[2] * f))))


class _Raster:
    """A shape in pixel space, able to give its horizontal spans on one row."""

    def __init__(self, shape: Shape, ox: float, oy: float, side: float) -> None:
        self.kind = shape.kind
        self.role = shape.role
        pts = [(ox + x * side, oy + y * side) for x, y in shape.points]
        if shape.kind in ("ellipse", "dome"):
            (cx, cy), _ = pts[0], pts[1]
            rx, ry = shape.points[1][0] * side, shape.points[1][1] * side
            self.params = (cx, cy, rx, ry)
            self.top = cy - ry
            self.bottom = cy if shape.kind == "dome" else cy + ry
            self.poly: list[Point] = []
        else:
            if shape.kind == "rect":
                (x0, y0), (x1, y1) = pts
                pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
            self.poly = pts
            self.params = (0.0, 0.0, 0.0, 0.0)
            self.top = min(y for _, y in pts)
            self.bottom = max(y for _, y in pts)

    def spans(self, y: float) -> list[tuple[float, float]]:
        if y < self.top or y > self.bottom:
            return []
        if self.kind in ("ellipse", "dome"):
            cx, cy, rx, ry = self.params
            d = 1.0 - ((y - cy) / ry) ** 2
            if d <= 0:
                return []
            half = rx * d**0.5
            return [(cx - half, cx + half)]
        xs: list[float] = []
        pts = self.poly
        n = len(pts)
        for i in range(n):
            (xa, ya), (xb, yb) = pts[i], pts[(i + 1) % n]
            if (ya <= y < yb) or (yb <= y < ya):
                xs.append(xa + (y - ya) * (xb - xa) / (yb - ya))
        xs.sort()
        return [(xs[i], xs[i + 1]) for i in range(0, len(xs) - 1, 2)]


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def encode_png(width: int, height: int, rows: Sequence[bytes]) -> bytes:
    """An 8-bit RGB PNG from `height` rows of `3 * width` bytes (filter 0 on each row)."""
    if len(rows) != height or any(len(row) != 3 * width for row in rows):
        raise ValueError("rows do not match the image size")
    raw = b"".join(b"\x00" + row for row in rows)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def render(shape: str, color: RGB, width: int, height: int, *, logo: bool = False) -> bytes:
    """The PNG of one product kind (or brand logo mark) in one colour."""
    side = min(width, height) * (1.0 if logo else 0.92)
    ox, oy = (width - side) / 2, (height - side) / 2
    rasters = [_Raster(s, ox, oy, side) for s in (LOGOS if logo else SHAPES)[shape]]
    top_bg = (255, 255, 255) if logo else _blend(color, (255, 255, 255), 0.86)
    bottom_bg: RGB = (255, 255, 255) if logo else (222, 224, 228)
    light = _blend(color, (255, 255, 255), 0.45)
    dark = _blend(color, (0, 0, 0), 0.38)
    rows: list[bytes] = []
    for y in range(height):
        t = y / max(1, height - 1)
        bg = _blend(top_bg, bottom_bg, t)
        shade = 1.0 if logo else 1.08 - 0.2 * t
        row = bytearray(bytes(bg) * width)
        yc = y + 0.5
        for r in rasters:
            spans = r.spans(yc)
            if not spans:
                continue
            role = r.role
            if role == "main":
                px = _scale(color, shade)
            elif role == "dark":
                px = _scale(dark, shade)
            elif role == "light":
                px = _scale(light, shade)
            elif role == "shadow":
                px = _scale(bg, 0.8)
            else:
                px = _scale(_FIXED[role], min(1.0, shade))
            for xa, xb in spans:
                x0 = max(0, round(xa))
                x1 = min(width, round(xb))
                if x1 > x0:
                    row[3 * x0 : 3 * x1] = px * (x1 - x0)
        rows.append(bytes(row))
    return encode_png(width, height, rows)


@dataclass(frozen=True)
class RenderedImage:
    code: str
    filename: str
    width: int
    height: int
    content: bytes


@cache
def render_all(specs: tuple[tuple[str, str, RGB], ...]) -> tuple[RenderedImage, ...]:
    """Render (shape, colour code, rgb) triples; sizes cycle through IMAGE_SIZES."""
    out: list[RenderedImage] = []
    for index, (shape, color_code, rgb) in enumerate(specs):
        width, height = IMAGE_SIZES[index % len(IMAGE_SIZES)]
        out.append(
            RenderedImage(
                code=f"img_{shape}_{color_code}",
                filename=f"{shape}_{color_code}.png",
                width=width,
                height=height,
                content=render(shape, rgb, width, height),
            )
        )
    return tuple(out)


@cache
def render_logos(
    specs: tuple[tuple[str, str, RGB], ...], size: int = 160
) -> tuple[RenderedImage, ...]:
    """Render (brand code, mark, rgb) triples as square brand logos."""
    return tuple(
        RenderedImage(
            code=f"img_logo_{brand}",
            filename=f"logo_{brand}.png",
            width=size,
            height=size,
            content=render(mark, rgb, size, size, logo=True),
        )
        for brand, mark, rgb in specs
    )
