"""Geometry for the lab's SVG charts: axes, ticks and polylines in pixel coordinates, so that the
template (`lab/generative/_plot.html`) only draws. Linear or log10 axes.

No colours by CSS here: each series names a stroke colour picked to keep 3:1 contrast on both the
light and the dark theme background (WCAG 1.4.11), and a dash pattern, so that colour is never
the only cue.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Relative luminance between 0.11 and 0.29: at least 3:1 against #fbfaff and against #0f0d1a.
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b")
DASHES = ("", "8 4", "2 3", "10 3 2 3", "4 4")


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    points: str  # "x,y x,y ..." in pixels
    colour: str
    dash: str
    width: float = 2.0


@dataclass(frozen=True)
class Dots:
    name: str
    points: list[tuple[float, float]]
    colour: str
    radius: float = 2.5
    opacity: float = 0.8


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Plot:
    title: str
    description: str
    width: int = 640
    height: int = 340
    left: int = 76
    right: int = 20
    top: int = 20
    bottom: int = 50
    x_label: str = ""
    y_label: str = ""
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    dots: list[Dots] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    background: str = ""  # URL of a PNG drawn under the plot area
    legend: bool = True

    @property
    def plot_right(self) -> int:
        return self.width - self.right

    @property
    def plot_bottom(self) -> int:
        return self.height - self.bottom

    @property
    def plot_width(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def legend_items(self) -> list[tuple[str, str, str, bool]]:
        """(name, colour, dash, is_dots) for each named series (drawn as HTML under the chart,
        where long names wrap instead of covering the data)."""
        items = [(line.name, line.colour, line.dash, False) for line in self.lines if line.name]
        return items + [(dots.name, dots.colour, "", True) for dots in self.dots if dots.name]


@dataclass(frozen=True)
class Axis:
    """Maps data values to pixels along one axis (log10 when `log`)."""

    low: float
    high: float
    start: float  # pixel of `low`
    end: float  # pixel of `high`
    log: bool = False

    def __call__(self, value: float) -> float:
        if self.log:
            value = math.log10(max(value, 1e-300))
            low, high = math.log10(self.low), math.log10(self.high)
        else:
            low, high = self.low, self.high
        if high == low:
            return (self.start + self.end) / 2
        share = (value - low) / (high - low)
        share = min(max(share, -0.02), 1.02)  # keep strays just outside, not off-canvas
        return self.start + share * (self.end - self.start)

    def ticks(self, count: int = 6, fmt=None) -> list[Tick]:
        if self.log:
            return log_ticks(self.low, self.high, self, count)
        return [Tick(self(v), (fmt or short_number)(v)) for v in nice_ticks(self.low, self.high)]


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round values spanning [low, high] (1, 2 or 5 times a power of ten apart)."""
    if high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(low / step - 1e-9) * step
    values = []
    v = first
    while v <= high + step * 1e-9:
        values.append(round(v, 12))
        v += step
    return values


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def power_of_ten(exponent: int) -> str:
    return "10" + str(exponent).translate(SUPERSCRIPT)


def log_ticks(low: float, high: float, axis: Axis, count: int) -> list[Tick]:
    lo, hi = math.floor(math.log10(low) + 1e-9), math.ceil(math.log10(high) - 1e-9)
    every = max(1, math.ceil((hi - lo) / max(count, 1)))
    return [
        Tick(axis(10.0**e), power_of_ten(e))
        for e in range(lo, hi + 1, every)
        if low * 0.999 <= 10.0**e <= high * 1.001
    ]


def short_number(value: float) -> str:
    """1500 → "1.5k", 2e9 → "2G", 0.25 → "0.25"."""
    magnitude = abs(value)
    for size, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def sci(value: float, digits: int = 3) -> str:
    """A number for people: 0.9999 → "0.9999", 4.0358e-05 → "4.04 × 10⁻⁵", 1.8e9 → "1.80 × 10⁹"."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    exponent = math.floor(math.log10(abs(value)))
    if -3 <= exponent < 5:
        decimals = max(digits - 1 - exponent, 0)
        return f"{value:,.{decimals}f}"
    mantissa = value / 10**exponent
    if round(mantissa, digits - 1) >= 10:
        mantissa, exponent = mantissa / 10, exponent + 1
    return f"{mantissa:.{digits - 1}f} × {power_of_ten(exponent)}"


def polyline(xs: Sequence[float], ys: Sequence[float], x: Axis, y: Axis) -> str:
    return " ".join(
        f"{x(a):.1f},{y(b):.1f}"
        for a, b in zip(xs, ys, strict=True)
        if math.isfinite(a) and math.isfinite(b) and (not y.log or b > 0)
    )


def line_plot(
    series: Sequence[tuple[str, Sequence[float], Sequence[float]]],
    *,
    title: str,
    description: str,
    x_label: str,
    y_label: str,
    x_log: bool = False,
    y_log: bool = False,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] | None = None,
    width: int = 640,
    height: int = 340,
) -> tuple[Plot, Axis, Axis]:
    """A plot of named (xs, ys) series, and its axes (to add markers in data coordinates)."""
    plot = Plot(title, description, width=width, height=height, x_label=x_label, y_label=y_label)
    all_x = [v for _, xs, _ in series for v in xs if math.isfinite(v) and (v > 0 or not x_log)]
    all_y = [v for _, _, ys in series for v in ys if math.isfinite(v) and (v > 0 or not y_log)]
    x_low, x_high = x_range or (min(all_x), max(all_x))
    y_low, y_high = y_range or (min(all_y), max(all_y))
    if y_log:
        y_low, y_high = 10 ** math.floor(math.log10(y_low)), 10 ** math.ceil(math.log10(y_high))
    elif y_range is None:
        ticks = nice_ticks(y_low, y_high)
        step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
        y_low = min(y_low, ticks[0]) if y_low >= 0 else math.floor(y_low / step) * step
        y_high = math.ceil(y_high / step - 1e-9) * step
    x = Axis(x_low, x_high, plot.left, plot.plot_right, x_log)
    y = Axis(y_low, y_high, plot.plot_bottom, plot.top, y_log)
    plot.x_ticks = x.ticks()
    plot.y_ticks = y.ticks()
    for i, (name, xs, ys) in enumerate(series):
        plot.lines.append(
            Line(name, polyline(xs, ys, x, y), COLOURS[i % len(COLOURS)], DASHES[i % len(DASHES)])
        )
    return plot, x, y


def scatter_plot(
    *,
    title: str,
    description: str,
    extent: float,
    size: int = 360,
    background: str = "",
) -> tuple[Plot, Axis, Axis]:
    """An empty square plot of [-extent, extent]² with its axes, for dots and trajectories."""
    plot = Plot(
        title,
        description,
        width=size,
        height=size,
        left=36,
        right=8,
        top=8,
        bottom=36,
        background=background,
    )
    x = Axis(-extent, extent, plot.left, plot.plot_right)
    y = Axis(-extent, extent, plot.plot_bottom, plot.top)
    plot.x_ticks = x.ticks()
    plot.y_ticks = y.ticks()
    return plot, x, y
