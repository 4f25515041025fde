"""The diffusion lab's bundled sample images, drawn by this code (Pillow and NumPy) so that the
repository ships no binary and the licence is ours to give: CC0 1.0 (public domain dedication).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image, ImageDraw

SIZE = 256  # drawn at this size; frames are downscaled from it


def _scene() -> Image.Image:
    """A landscape: sky gradient, sun, two mountain ranges, a lake and a small house."""
    y = np.linspace(0.0, 1.0, SIZE)[:, None, None]
    top, horizon = np.array([40, 90, 200]), np.array([250, 190, 140])
    sky = (top * (1 - y) + horizon * y) * np.ones((1, SIZE, 1))
    image = Image.fromarray(sky.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((170, 40, 222, 92), fill=(255, 236, 150))
    draw.polygon(
        [(0, 170), (60, 90), (120, 160), (170, 100), (256, 175), (256, 256), (0, 256)],
        fill=(90, 80, 130),
    )
    draw.polygon(
        [(0, 190), (80, 140), (150, 185), (210, 150), (256, 180), (256, 256), (0, 256)],
        fill=(50, 110, 70),
    )
    draw.rectangle((0, 205, 256, 256), fill=(40, 120, 170))
    for row in range(210, 256, 9):
        draw.line((20 + row % 40, row, 90 + row % 40, row), fill=(150, 200, 230), width=2)
    draw.rectangle((150, 150, 190, 185), fill=(235, 225, 200))
    draw.polygon([(144, 152), (170, 126), (196, 152)], fill=(170, 50, 40))
    draw.rectangle((165, 165, 176, 185), fill=(90, 60, 40))
    return image


def _checkerboard() -> Image.Image:
    """An 8 × 8 checkerboard: sharp edges, the first detail noise hides."""
    cells = (np.add.outer(np.arange(SIZE) // 32, np.arange(SIZE) // 32) % 2).astype(np.uint8)
    grey = np.where(cells == 1, 235, 25).astype(np.uint8)
    return Image.fromarray(np.stack([grey] * 3, axis=-1), "RGB")


def _shapes() -> Image.Image:
    """A horizontal colour gradient with a circle, a square and a triangle on it."""
    x = np.linspace(0.0, 1.0, SIZE)[None, :, None]
    left, right = np.array([250, 250, 245]), np.array([120, 60, 170])
    base = (left * (1 - x) + right * x) * np.ones((SIZE, 1, 1))
    image = Image.fromarray(base.astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    draw.ellipse((24, 30, 124, 130), fill=(220, 40, 40))
    draw.rectangle((140, 40, 230, 130), fill=(30, 140, 60))
    draw.polygon([(60, 230), (128, 140), (196, 230)], fill=(30, 60, 200))
    return image


SAMPLES: dict[str, tuple[str, Callable[[], Image.Image]]] = {
    "scene": ("A drawn landscape: sky, sun, mountains, a lake and a house", _scene),
    "checkerboard": ("A black-and-white checkerboard", _checkerboard),
    "shapes": ("A red circle, a green square and a blue triangle on a gradient", _shapes),
}


@cache
def sample(name: str, size: int) -> np.ndarray:
    """The sample `name` as uint8 RGB pixels, (size, size, 3), read-only."""
    _, draw = SAMPLES[name]
    image = draw()
    if size != SIZE:
        image = image.resize((size, size), Image.Resampling.LANCZOS)
    pixels = np.asarray(image, dtype=np.uint8).copy()
    pixels.setflags(write=False)
    return pixels
