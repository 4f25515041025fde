"""A small multilayer perceptron trained in NumPy to separate two classes of 2-D points (two
spirals, two moons or two circles): its loss, its decision boundary and what each hidden unit
computes over the plane.

Full-batch training with Adam on the binary cross-entropy of the output logit; fixed seeds.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .nn import MLP, Adam, sigmoid, softplus

DATASETS = {
    "spirals": "Two interleaved spirals",
    "moons": "Two interlocking half-moons",
    "circles": "A disc inside a ring",
}
POINTS = 300  # training points, half per class
EXTENT = 1.6  # the plane drawn: [-EXTENT, EXTENT]²


def dataset(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points (n, 2) roughly within [-1.5, 1.5]² and labels (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    half = POINTS // 2
    labels = np.repeat([0, 1], half)
    if name == "spirals":
        r = np.sqrt(rng.uniform(0.02, 1.0, half)) * 1.4
        angle = r * 3.2 * math.pi / 1.4
        arm = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1)
        points = np.concatenate([arm, -arm]) + rng.normal(0, 0.06, (POINTS, 2))
    elif name == "moons":
        angle = rng.uniform(0, math.pi, half)
        upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)
        lower = np.stack([1 - np.cos(angle), 0.5 - np.sin(angle)], axis=1)
        points = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 1.1
        points += rng.normal(0, 0.08, (POINTS, 2))
    elif name == "circles":
        angle = rng.uniform(0, 2 * math.pi, POINTS)
        radius = np.concatenate([rng.uniform(0, 0.55, half), rng.uniform(0.9, 1.35, half)])
        points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    else:
        raise ValueError(f"unknown data set {name!r}")
    return points, labels


@dataclass(frozen=True)
class Settings:
    data: str = "spirals"
    layers: int = 2
    width: int = 16
    activation: str = "tanh"
    steps: int = 1000
    lr: float = 0.01
    seed: int = 0


@dataclass(frozen=True)
class Result:
    settings: Settings
    losses: list[float]
    accuracies: list[float]
    accuracy: float
    parameters: int
    net: MLP


def train(settings: Settings) -> Result:
    points, labels = dataset(settings.data)
    rng = np.random.default_rng(settings.seed)
    sizes = [2, *[settings.width] * settings.layers, 1]
    net = MLP.create(sizes, settings.activation, rng)
    opt = Adam(settings.lr)
    target = labels[:, None].astype(float)
    sign = 1.0 - 2.0 * target  # loss = softplus(sign · logit)
    losses, accuracies = [], []
    for _ in range(settings.steps):
        logits, cache = net.forward(points)
        losses.append(float(softplus(sign * logits).mean()))
        accuracies.append(float(((logits > 0) == (target > 0.5)).mean()))
        net.backward(cache, (sigmoid(logits) - target) / len(points))
        opt.step(net.params, net.grad)
    logits, _ = net.forward(points)
    accuracy = float(((logits > 0) == (target > 0.5)).mean())
    return Result(settings, losses, accuracies, accuracy, int(net.params.size), net)


def _grid(pixels: int) -> np.ndarray:
    axis = np.linspace(-EXTENT, EXTENT, pixels)
    xx, yy = np.meshgrid(axis, axis[::-1])  # row 0 is the top: y up
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def _to_pixel(points: np.ndarray, size: int) -> np.ndarray:
    return (points + EXTENT) / (2 * EXTENT) * (size - 1) * np.array([1, -1]) + [0, size - 1]


CLASS_RGB = (np.array([31, 119, 180]), np.array([214, 39, 40]))  # blue: class 0, red: class 1


def boundary_png(result: Result, size: int = 320, resolution: int = 160) -> bytes:
    """P(class 1) over the plane (blue → white → red), the 0.5 contour darkened, and the
    training points on top (class 0 as blue circles, class 1 as red squares)."""
    logits, _ = result.net.forward(_grid(resolution))
    p = sigmoid(logits).reshape(resolution, resolution, 1)
    white = np.array([255, 255, 255])
    weight = np.abs(p - 0.5) * 2 * 0.65
    colour = np.where(p > 0.5, CLASS_RGB[1], CLASS_RGB[0])
    rgb = white * (1 - weight) + colour * weight
    edge = np.zeros((resolution, resolution), bool)
    side = p[..., 0] > 0.5
    edge[:-1] |= side[:-1] != side[1:]
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    rgb[edge] = [40, 40, 40]
    image = Image.fromarray(rgb.astype(np.uint8), "RGB").resize((size, size), Image.NEAREST)
    draw = ImageDraw.Draw(image)
    points, labels = dataset(result.settings.data)
    for (x, y), label in zip(_to_pixel(points, size), labels, strict=True):
        fill = tuple(int(c) for c in CLASS_RGB[label])
        if label == 0:
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill=fill, outline=(255, 255, 255))
        else:
            draw.rectangle((x - 3, y - 3, x + 3, y + 3), fill=fill, outline=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def layer_png(result: Result, layer: int, resolution: int = 36, scale: int = 2) -> bytes:
    """Each unit of hidden layer `layer` (0-based) as a tile: its activation over the plane,
    dark = low, light = high (scaled per unit), up to 8 tiles a row."""
    maps = result.net.hidden(_grid(resolution))[layer]  # (resolution², width)
    low, high = maps.min(axis=0), maps.max(axis=0)
    scaled = (maps - low) / np.where(high > low, high - low, 1.0)
    units = maps.shape[1]
    columns = min(units, 8)
    rows = -(-units // columns)
    tile, gap = resolution * scale, 4
    canvas = np.full((rows * (tile + gap) - gap, columns * (tile + gap) - gap, 3), 200, np.uint8)
    dark, light = np.array([27, 23, 48]), np.array([236, 231, 255])
    tiles = scaled.T.reshape(units, resolution, resolution, 1)
    tiles = np.repeat(np.repeat(tiles, scale, axis=1), scale, axis=2)  # nearest neighbour
    tiles = (dark * (1 - tiles) + light * tiles).astype(np.uint8)
    for unit in range(units):
        r, c = divmod(unit, columns)
        top, left = r * (tile + gap), c * (tile + gap)
        canvas[top : top + tile, left : left + tile] = tiles[unit]
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGB").save(buffer, "PNG")
    return buffer.getvalue()


def unit_summary(result: Result) -> list[dict]:
    """Per hidden layer: how many units are ever active (ReLU) or saturated (tanh) on the data."""
    points, _ = dataset(result.settings.data)
    rows = []
    for i, acts in enumerate(result.net.hidden(points)):
        if result.settings.activation == "relu":
            dead = int((acts.max(axis=0) <= 0).sum())
            note = f"{dead} of {acts.shape[1]} units never fire on the data (dead ReLUs)"
        else:
            saturated = float((np.abs(acts) > 0.99).mean())
            note = f"{saturated:.0%} of activations saturated (|tanh| > 0.99)"
        rows.append({"layer": i + 1, "units": acts.shape[1], "mean": float(acts.mean()),
                     "note": note})  # fmt: skip
    return rows
