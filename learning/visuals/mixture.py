"""The reverse process of diffusion, done exactly: a 2-D mixture of isotropic Gaussians.

If x_0 ~ Σ_k π_k N(μ_k, σ_k² I) then x_t = sqrt(ᾱ_t) x_0 + sqrt(1 − ᾱ_t) ε is again a mixture,
x_t ~ Σ_k π_k N(sqrt(ᾱ_t) μ_k, v_k I) with v_k = ᾱ_t σ_k² + 1 − ᾱ_t, so its score ∇ log p_t and
the denoiser E[x_0 | x_t] (Tweedie's formula) are known in closed form. A trained network only
approximates them; here the sampler runs with the true ones, so what you see is the sampler, not
a model's error.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image

from .diffusion import T, alpha_bars, betas


@dataclass(frozen=True)
class Mixture:
    name: str
    weights: np.ndarray  # (K,)
    means: np.ndarray  # (K, 2)
    stds: np.ndarray  # (K,)

    def marginal(self, alpha_bar: float) -> Mixture:
        """The distribution of x_t for ᾱ_t = alpha_bar."""
        return Mixture(
            self.name,
            self.weights,
            math.sqrt(alpha_bar) * self.means,
            np.sqrt(alpha_bar * self.stds**2 + 1.0 - alpha_bar),
        )

    def log_components(self, x: np.ndarray) -> np.ndarray:
        """log π_k N(x; μ_k, σ_k² I) for each point (n, 2) and component: (n, K)."""
        sq = ((x[:, None, :] - self.means[None, :, :]) ** 2).sum(axis=2)
        var = self.stds**2
        return np.log(self.weights) - np.log(2 * math.pi * var) - sq / (2 * var)

    def log_density(self, x: np.ndarray) -> np.ndarray:
        logs = self.log_components(x)
        top = logs.max(axis=1, keepdims=True)
        return (top + np.log(np.exp(logs - top).sum(axis=1, keepdims=True)))[:, 0]

    def responsibilities(self, x: np.ndarray) -> np.ndarray:
        """P(component k | x), (n, K)."""
        logs = self.log_components(x)
        logs -= logs.max(axis=1, keepdims=True)
        r = np.exp(logs)
        return r / r.sum(axis=1, keepdims=True)

    def score(self, x: np.ndarray) -> np.ndarray:
        """∇_x log p(x) = Σ_k r_k(x) · (μ_k − x) / σ_k²."""
        r = self.responsibilities(x)
        pull = (self.means[None, :, :] - x[:, None, :]) / (self.stds**2)[None, :, None]
        return (r[:, :, None] * pull).sum(axis=1)

    def sample(self, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        return self.means[k] + self.stds[k, None] * rng.standard_normal((n, 2)), k


def _ring(count: int, radius: float, std: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    angles = 2 * math.pi * np.arange(count) / count
    means = radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return np.full(count, 1.0 / count), means, np.full(count, std)


MIXTURES = {
    "blobs": Mixture(
        "blobs",
        np.array([0.5, 0.3, 0.2]),
        np.array([[-1.4, -0.6], [1.2, 1.1], [1.1, -1.5]]),
        np.array([0.35, 0.25, 0.2]),
    ),
    "ring": Mixture("ring", *_ring(8, 2.0, 0.12)),
}
MIXTURE_NAMES = {
    "blobs": "Three blobs of different weights (50%, 30%, 20%) and widths",
    "ring": "Eight equal, narrow Gaussians on a circle of radius 2",
}


def marginal(mixture: Mixture, schedule: str, t: int) -> Mixture:
    return mixture.marginal(float(alpha_bars(schedule)[t]))


def denoise(mixture: Mixture, x: np.ndarray, alpha_bar: float) -> np.ndarray:
    """E[x_0 | x_t = x] (Tweedie): Σ_k r_k(x) · (sqrt(ᾱ) σ_k² x + (1 − ᾱ) μ_k) / v_k, with r_k
    the responsibilities under p_t. Computed directly rather than from the score so that it stays
    exact when ᾱ is tiny, and without building a Mixture: the sampler calls it T times."""
    root = math.sqrt(alpha_bar)
    s2 = mixture.stds**2
    var = alpha_bar * s2 + 1.0 - alpha_bar
    diff = x[:, None, :] - root * mixture.means[None, :, :]
    logs = np.log(mixture.weights) - np.log(var) - np.einsum("nkd,nkd->nk", diff, diff) / (2 * var)
    logs -= logs.max(axis=1, keepdims=True)
    r = np.exp(logs)
    r /= r.sum(axis=1, keepdims=True)
    keep = (r * (root * s2 / var)).sum(axis=1, keepdims=True)
    return keep * x + (r * ((1.0 - alpha_bar) / var)) @ mixture.means


@dataclass(frozen=True)
class Sampling:
    samples: np.ndarray  # (n, 2) at the end
    trajectories: np.ndarray  # (n_shown, checkpoints, 2), from noise to data
    timesteps: list[int]  # the timesteps the sampler visited, first to last
    steps: int


def sample_ddpm(
    mixture: Mixture, schedule: str, n: int, seed: int, shown: int, checkpoints: int = 60
) -> Sampling:
    """Ancestral sampling (Ho et al. 2020, Algorithm 2) over all T steps: x_{t-1} is drawn from
    q(x_{t-1} | x_t, x̂_0), the posterior mean with x̂_0 = E[x_0 | x_t] and variance β̃_t."""
    rng = np.random.default_rng(seed)
    beta, ab = betas(schedule), alpha_bars(schedule)
    x = rng.standard_normal((n, 2))
    keep = set(np.linspace(0, T, checkpoints).astype(int).tolist())
    path = [x[:shown].copy()]
    for i, t in enumerate(range(T - 1, -1, -1)):
        x0 = denoise(mixture, x, float(ab[t]))
        if t == 0:
            x = x0
        else:
            ab_prev = float(ab[t - 1])
            coef0 = math.sqrt(ab_prev) * beta[t] / (1.0 - ab[t])
            coeft = math.sqrt(1.0 - beta[t]) * (1.0 - ab_prev) / (1.0 - ab[t])
            variance = (1.0 - ab_prev) / (1.0 - ab[t]) * beta[t]
            x = coef0 * x0 + coeft * x + math.sqrt(variance) * rng.standard_normal(x.shape)
        if i + 1 in keep:
            path.append(x[:shown].copy())
    return Sampling(x, np.stack(path, axis=1), list(range(T - 1, -1, -1)), T)


def sample_ddim(
    mixture: Mixture, schedule: str, n: int, seed: int, shown: int, steps: int
) -> Sampling:
    """Deterministic DDIM (Song et al. 2021, eq. 12 with η = 0) on `steps` evenly spaced
    timesteps: x_{t'} = sqrt(ᾱ_{t'}) x̂_0 + sqrt(1 − ᾱ_{t'}) ε̂."""
    rng = np.random.default_rng(seed)
    ab = alpha_bars(schedule)
    timesteps = sorted(set(np.linspace(T - 1, 0, steps).round().astype(int).tolist()), reverse=True)
    x = rng.standard_normal((n, 2))
    path = [x[:shown].copy()]
    for i, t in enumerate(timesteps):
        a = float(ab[t])
        x0 = denoise(mixture, x, a)
        eps = (x - math.sqrt(a) * x0) / math.sqrt(1.0 - a)
        if i + 1 < len(timesteps):
            nxt = float(ab[timesteps[i + 1]])
            x = math.sqrt(nxt) * x0 + math.sqrt(1.0 - nxt) * eps
        else:
            x = x0
        path.append(x[:shown].copy())
    return Sampling(x, np.stack(path, axis=1), timesteps, len(timesteps))


@dataclass(frozen=True)
class ComponentCheck:
    weight: float
    share: float  # of the samples, assigned to their most likely component
    mean: tuple[float, float]
    sample_mean: tuple[float, float] | None


def check(mixture: Mixture, samples: np.ndarray, rng_seed: int = 1) -> dict:
    """How the samples compare with the true distribution."""
    owner = mixture.responsibilities(samples).argmax(axis=1)
    components = []
    for k, weight in enumerate(mixture.weights):
        mine = samples[owner == k]
        components.append(
            ComponentCheck(
                float(weight),
                float(len(mine) / len(samples)),
                (float(mixture.means[k, 0]), float(mixture.means[k, 1])),
                (float(mine[:, 0].mean()), float(mine[:, 1].mean())) if len(mine) else None,
            )
        )
    reference, _ = mixture.sample(len(samples), np.random.default_rng(rng_seed))
    return {
        "components": components,
        "mean_log_density": float(mixture.log_density(samples).mean()),
        "reference_log_density": float(mixture.log_density(reference).mean()),
    }


def density_png(mixture: Mixture, extent: float, pixels: int = 160) -> bytes:
    """The density as a greyscale-violet heat map over [-extent, extent]² (y up)."""
    axis = np.linspace(-extent, extent, pixels)
    xx, yy = np.meshgrid(axis, axis[::-1])
    density = np.exp(mixture.log_density(np.stack([xx.ravel(), yy.ravel()], axis=1)))
    level = (density / density.max()).reshape(pixels, pixels) ** 0.5
    low, high = np.array([245, 243, 255]), np.array([91, 63, 209])
    rgb = low[None, None, :] * (1 - level[..., None]) + high[None, None, :] * level[..., None]
    buffer = io.BytesIO()
    Image.fromarray(rgb.astype(np.uint8), "RGB").save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
