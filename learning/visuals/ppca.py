"""Probabilistic PCA (Tipping & Bishop 1999), the linear, closed-form cousin of a VAE, fitted on
the 8 × 8 handwritten digits.

Model: z ~ N(0, I_q), x | z ~ N(W z + μ, σ² I). The maximum-likelihood fit is closed form
(Tipping & Bishop 1999, eqs. 7–8): with S's eigenvalues λ_1 ≥ … ≥ λ_d and eigenvectors U,
σ² = mean of the d − q discarded eigenvalues, W = U_q (Λ_q − σ² I)^{1/2}.
"Encoder": p(z | x) = N(M⁻¹ Wᵀ (x − μ), σ² M⁻¹), M = WᵀW + σ² I. "Decoder": x̂ = W z + μ.
A VAE replaces both linear maps with neural networks and fits them by gradient ascent on the
ELBO; for a linear decoder with Gaussian noise the ELBO's optimum is this PPCA solution.

Data: the UCI "Optical Recognition of Handwritten Digits" test set (1,797 images of 8 × 8
pixels, values 0–16, E. Alpaydin & C. Kaynak 1998; CC BY 4.0), as scikit-learn ships it; see
fixtures/lab/README.md.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

DIGITS_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "lab" / "digits.csv.gz"
SIDE = 8
MAX_LATENT = 32


@cache
def digits() -> tuple[np.ndarray, np.ndarray]:
    """Pixels scaled to [0, 1], (1797, 64), and labels (1797,); read-only."""
    with gzip.open(DIGITS_FILE, "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float64)
    pixels, labels = table[:, :-1] / 16.0, table[:, -1].astype(int)
    pixels.setflags(write=False)
    labels.setflags(write=False)
    return pixels, labels


@cache
def _eigen() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, eigenvalues (descending) and eigenvectors of the sample covariance."""
    x, _ = digits()
    mean = x.mean(axis=0)
    cov = np.cov(x - mean, rowvar=False, bias=True)
    values, vectors = np.linalg.eigh(cov)
    order = np.argsort(values)[::-1]
    return mean, np.clip(values[order], 0.0, None), vectors[:, order]


@dataclass(frozen=True)
class PPCA:
    q: int
    mean: np.ndarray  # (64,)
    W: np.ndarray  # (64, q)
    noise_variance: float  # σ²
    eigenvalues: np.ndarray  # all 64, descending

    def encode(self, x: np.ndarray) -> np.ndarray:
        """The posterior mean E[z | x], (n, q)."""
        M = self.W.T @ self.W + self.noise_variance * np.eye(self.q)
        return np.linalg.solve(M, self.W.T @ (x - self.mean).T).T

    def decode(self, z: np.ndarray) -> np.ndarray:
        """The decoder's mean W z + μ, (n, 64)."""
        return z @ self.W.T + self.mean

    @property
    def explained(self) -> float:
        """Share of the pixel variance the q retained directions carry."""
        return float(self.eigenvalues[: self.q].sum() / self.eigenvalues.sum())


@cache
def fit(q: int) -> PPCA:
    mean, values, vectors = _eigen()
    if not 1 <= q <= MAX_LATENT:
        raise ValueError(f"q must be between 1 and {MAX_LATENT}")
    noise = float(values[q:].mean())
    W = vectors[:, :q] * np.sqrt(np.maximum(values[:q] - noise, 0.0))
    return PPCA(q, mean, W, noise, values)


def dimensions_for(share: float) -> int:
    """The smallest q whose directions carry at least `share` of the variance."""
    _, values, _ = _eigen()
    cumulative = np.cumsum(values) / values.sum()
    return int(np.searchsorted(cumulative, share) + 1)


def example(label: int, index: int) -> int:
    """Row of the `index`-th image of digit `label` in the data set."""
    _, labels = digits()
    rows = np.nonzero(labels == label)[0]
    return int(rows[index % len(rows)])


def nearest_labels(images: np.ndarray) -> list[tuple[int, float]]:
    """For each image (n, 64): the label of the closest training digit and its distance (RMS
    per pixel, 0–1 scale)."""
    x, labels = digits()
    distances = (images**2).sum(1)[:, None] - 2 * images @ x.T + (x**2).sum(1)[None, :]
    best = distances.argmin(axis=1)
    rms = np.sqrt(np.maximum(distances[np.arange(len(images)), best], 0.0) / x.shape[1])
    return [(int(labels[b]), float(r)) for b, r in zip(best, rms, strict=True)]


def grid_png(images: np.ndarray, columns: int, scale: int = 8, gap: int = 2) -> bytes:
    """Images (n, 64) in [0, 1] as a PNG grid, dark ink on white, upscaled by nearest neighbour
    (each data pixel stays a crisp square)."""
    n = len(images)
    rows = -(-n // columns)
    cell = SIDE * scale
    canvas = np.full((rows * (cell + gap) - gap, columns * (cell + gap) - gap), 200, np.uint8)
    tiles = (255 - np.clip(images, 0.0, 1.0) * 255).astype(np.uint8).reshape(n, SIDE, SIDE)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, columns)
        big = np.kron(tile, np.ones((scale, scale), np.uint8))
        canvas[
            r * (cell + gap) : r * (cell + gap) + cell, c * (cell + gap) : c * (cell + gap) + cell
        ] = big
    buffer = io.BytesIO()
    Image.fromarray(canvas, "L").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


# Ten distinguishable colours for the latent map (the tab10 palette); the page's table carries
# the same information without colour.
CLASS_COLOURS = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]  # fmt: skip


def latent_map_png(model: PPCA, size: int = 320) -> bytes:
    """Every digit's first two latent coordinates as a coloured dot (by its label)."""
    x, labels = digits()
    z = model.encode(x)
    if model.q == 1:
        z = np.concatenate([z, np.zeros_like(z)], axis=1)
    z = z[:, :2]
    extent = float(np.abs(z).max()) * 1.05 or 1.0
    canvas = np.full((size, size, 3), 255, np.uint8)
    pixel = ((z / extent + 1) / 2 * (size - 4) + 2).astype(int)
    for (px, py), label in zip(pixel, labels, strict=True):
        canvas[size - 1 - py - 1 : size - 1 - py + 2, px - 1 : px + 2] = CLASS_COLOURS[label]
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
