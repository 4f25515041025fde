"""The forward (noising) process of DDPM, on an image.

x_t = sqrt(ᾱ_t)·x_0 + sqrt(1 − ᾱ_t)·ε,  ε ~ N(0, I),  ᾱ_t = Π_{s ≤ t} (1 − β_s)

Timesteps are counted from 0 to T − 1 as in the reference implementations (Ho et al.'s code, and
diffusers): t = 0 is one noising step, ᾱ_0 = 1 − β_0.

- linear schedule (Ho et al. 2020, "Denoising Diffusion Probabilistic Models", §4): β rises
  linearly from 1e-4 to 0.02 over T = 1000 steps.
- cosine schedule (Nichol & Dhariwal 2021, "Improved Denoising Diffusion Probabilistic Models",
  eq. 17): ᾱ(t) = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), s = 0.008, and
  β_t = 1 − ᾱ(t+1)/ᾱ(t) clipped at 0.999.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image

T = 1000
SCHEDULES = ("linear", "cosine")
SCHEDULE_NAMES = {"linear": "Linear (Ho et al. 2020)", "cosine": "Cosine (Nichol & Dhariwal 2021)"}
COSINE_S = 0.008
MAX_BETA = 0.999
# Our operational line for "unrecognisable": the pixel correlation between x_t and x_0 (a
# judgement call, not a standard from the papers; the table shows the values either side).
UNRECOGNISABLE_CORRELATION = 0.05
GAP = 4  # pixels of mid-grey between frames of a strip


@cache
def betas(schedule: str) -> np.ndarray:
    """β_t for t = 0 … T − 1 (read-only)."""
    if schedule == "linear":
        values = np.linspace(1e-4, 0.02, T, dtype=np.float64)
    elif schedule == "cosine":
        steps = np.arange(T + 1, dtype=np.float64) / T
        f = np.cos((steps + COSINE_S) / (1 + COSINE_S) * math.pi / 2) ** 2
        alpha_bar = f / f[0]
        values = np.minimum(1 - alpha_bar[1:] / alpha_bar[:-1], MAX_BETA)
    else:
        raise ValueError(f"unknown schedule {schedule!r}")
    values.setflags(write=False)
    return values


@cache
def alpha_bars(schedule: str) -> np.ndarray:
    """ᾱ_t = Π_{s=0}^{t} (1 − β_s) for t = 0 … T − 1 (read-only)."""
    values = np.cumprod(1.0 - betas(schedule))
    values.setflags(write=False)
    return values


def snr(schedule: str) -> np.ndarray:
    """Signal-to-noise ratio ᾱ_t / (1 − ᾱ_t)."""
    ab = alpha_bars(schedule)
    return ab / (1.0 - ab)


def expected_correlation(schedule: str, pixel_std: float) -> np.ndarray:
    """Pearson correlation between x_t and x_0 over an image whose pixels (in [-1, 1]) have
    standard deviation `pixel_std`: sqrt(ᾱ)·σ / sqrt(ᾱσ² + 1 − ᾱ)."""
    ab = alpha_bars(schedule)
    return np.sqrt(ab) * pixel_std / np.sqrt(ab * pixel_std**2 + 1.0 - ab)


def unrecognisable_at(schedule: str, pixel_std: float) -> int:
    """The first t at which the expected correlation drops below UNRECOGNISABLE_CORRELATION."""
    below = np.nonzero(expected_correlation(schedule, pixel_std) < UNRECOGNISABLE_CORRELATION)[0]
    return int(below[0]) if below.size else T - 1


def to_signed(pixels: np.ndarray) -> np.ndarray:
    """uint8 RGB → float32 in [-1, 1], the range DDPM trains on."""
    return pixels.astype(np.float32) / 127.5 - 1.0


def to_uint8(x: np.ndarray) -> np.ndarray:
    """[-1, 1] → uint8; values outside are clipped for display, as the papers' figures do."""
    return ((np.clip(x, -1.0, 1.0) + 1.0) * 127.5 + 0.5).astype(np.uint8)


@dataclass(frozen=True)
class Frame:
    t: int
    alpha_bar: float
    snr: float
    correlation: float  # measured between this x_t and x_0


@dataclass(frozen=True)
class Strip:
    schedule: str
    frames: list[Frame]
    png: bytes
    width: int
    height: int


def noise(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """ε for a strip: one draw per seed, shared by every frame and both schedules, so frames
    differ only by ᾱ_t."""
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def forward_strip(pixels: np.ndarray, timesteps: list[int], schedule: str, seed: int) -> Strip:
    """The image (uint8, (h, w, 3)) noised to each timestep, side by side, as a PNG."""
    x0 = to_signed(pixels)
    eps = noise(x0.shape, seed)
    ab = alpha_bars(schedule)
    h, w, _ = x0.shape
    width = len(timesteps) * w + (len(timesteps) - 1) * GAP
    canvas = np.full((h, width, 3), 128, dtype=np.uint8)
    frames = []
    flat0 = x0.ravel() - x0.mean()
    norm0 = float(np.sqrt(flat0 @ flat0)) or 1.0
    for i, t in enumerate(timesteps):
        a = float(ab[t])
        xt = math.sqrt(a) * x0 + math.sqrt(1.0 - a) * eps
        left = i * (w + GAP)
        canvas[:, left : left + w] = to_uint8(xt)
        flat = xt.ravel() - xt.mean()
        correlation = float(flat0 @ flat) / (norm0 * (float(np.sqrt(flat @ flat)) or 1.0))
        frames.append(Frame(t, a, a / (1.0 - a), correlation))
    buffer = io.BytesIO()
    # Noise does not compress: RGB (no alpha) and the fastest zlib level halve the encoding time
    # for a few per cent in size.
    Image.fromarray(canvas, "RGB").save(buffer, "PNG", compress_level=1)
    return Strip(schedule, frames, buffer.getvalue(), width, h)


def curve_points(step: int = 10) -> list[int]:
    """The timesteps drawn on the ᾱ and SNR curves."""
    return [*range(0, T, step), T - 1]
