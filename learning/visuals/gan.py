"""A tiny GAN (Goodfellow et al. 2014) trained in NumPy on a 2-D toy: eight Gaussians on a ring,
the data set Metz et al. (2017, "Unrolled Generative Adversarial Networks") used to show mode
collapse.

Generator G: z ~ N(0, I) → two hidden layers → a point in the plane. Discriminator D: a point →
two hidden layers → a logit. Losses (per batch, natural log):
  D: −log D(x) − log(1 − D(G(z)))   (2·ln 2 ≈ 1.386 when D cannot tell them apart)
  G: −log D(G(z))                     (the "non-saturating" loss; ln 2 ≈ 0.693 at that point)
One D step then one G step per iteration, Adam for both, fixed seeds.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .nn import MLP, Adam, sigmoid, softplus

MODES = 8
RADIUS = 2.0
MODE_STD = 0.05
BATCH = 128
EVAL_SAMPLES = 1000
SHOWN = 250  # points drawn per panel
CAPTURED_SHARE = 0.01  # a mode is captured when ≥ 1% of samples lie within 3σ of it
CENTRES = RADIUS * np.stack(
    [np.cos(2 * np.pi * np.arange(MODES) / MODES), np.sin(2 * np.pi * np.arange(MODES) / MODES)],
    axis=1,
)


def real_samples(n: int, rng: np.random.Generator) -> np.ndarray:
    return CENTRES[rng.integers(0, MODES, n)] + MODE_STD * rng.standard_normal((n, 2))


@dataclass(frozen=True)
class Settings:
    lr: float = 0.002
    beta1: float = 0.5
    latent: int = 2
    width: int = 32
    steps: int = 1000
    seed: int = 0


@dataclass(frozen=True)
class Snapshot:
    step: int
    points: list[tuple[float, float]]  # SHOWN generated points
    captured: int  # modes with ≥ CAPTURED_SHARE of the samples within 3σ
    quality: float  # share of samples within 3σ of some mode
    per_mode: list[int]  # samples nearest each mode and within 3σ (of EVAL_SAMPLES)
    spread: float  # mean distance of the samples from their centroid (the data's: ≈ 2)


@dataclass(frozen=True)
class Training:
    settings: Settings
    d_loss: list[float]  # per step
    g_loss: list[float]
    snapshots: list[Snapshot]
    real: list[tuple[float, float]]
    seconds: float


def evaluate(points: np.ndarray, step: int) -> Snapshot:
    distance = np.linalg.norm(points[:, None, :] - CENTRES[None, :, :], axis=2)
    nearest = distance.argmin(axis=1)
    close = distance.min(axis=1) < 3 * MODE_STD
    per_mode = np.bincount(nearest[close], minlength=MODES)
    return Snapshot(
        step,
        [(float(a), float(b)) for a, b in points[:SHOWN]],
        int((per_mode >= CAPTURED_SHARE * len(points)).sum()),
        float(close.mean()),
        per_mode.tolist(),
        float(np.linalg.norm(points - points.mean(axis=0), axis=1).mean()),
    )


def train(settings: Settings, snapshot_steps: list[int]) -> Training:
    """Trains G and D for `settings.steps` iterations, recording the losses at every step and
    the generated distribution (for a fixed set of z) at `snapshot_steps` (0 = before training)."""
    started = time.perf_counter()
    rng = np.random.default_rng(settings.seed)
    G = MLP.create([settings.latent, settings.width, settings.width, 2], "relu", rng)
    D = MLP.create([2, settings.width, settings.width, 1], "relu", rng)
    opt_g = Adam(settings.lr, beta1=settings.beta1)
    opt_d = Adam(settings.lr, beta1=settings.beta1)
    z_eval = np.random.default_rng(settings.seed + 1).standard_normal(
        (EVAL_SAMPLES, settings.latent)
    )
    wanted = set(snapshot_steps)
    snapshots = [evaluate(G.forward(z_eval)[0], 0)] if 0 in wanted else []
    d_losses, g_losses = [], []
    # All the randomness up front, in three calls rather than four per step.
    modes = rng.integers(0, MODES, (settings.steps, BATCH))
    jitter = MODE_STD * rng.standard_normal((settings.steps, BATCH, 2))
    noise = rng.standard_normal((settings.steps, 2, BATCH, settings.latent))
    labels = np.concatenate([np.ones((BATCH, 1)), np.zeros((BATCH, 1))])
    for step in range(1, settings.steps + 1):
        # Discriminator: real labelled 1, generated labelled 0.
        real = CENTRES[modes[step - 1]] + jitter[step - 1]
        fake, _ = G.forward(noise[step - 1, 0])
        logits, cache = D.forward(np.concatenate([real, fake]))
        # −log σ(f) for real, −log(1 − σ(f)) for fake: softplus(∓f); d/df = σ(f) − label.
        sign = 1.0 - 2.0 * labels
        d_losses.append(float(softplus(sign * logits).sum() / BATCH))
        D.backward(cache, (sigmoid(logits) - labels) / BATCH)
        opt_d.step(D.params, D.grad)
        # Generator: make D call its samples real; the gradient flows through D into G.
        fake, g_cache = G.forward(noise[step - 1, 1])
        logits, d_cache = D.forward(fake)
        g_losses.append(float(softplus(-logits).mean()))
        grad_fake = D.backward(d_cache, (sigmoid(logits) - 1.0) / BATCH, param_grads=False)
        G.backward(g_cache, grad_fake)
        opt_g.step(G.params, G.grad)
        if step in wanted:
            snapshots.append(evaluate(G.forward(z_eval)[0], step))
    real_points = real_samples(SHOWN, np.random.default_rng(12345))
    return Training(
        settings,
        d_losses,
        g_losses,
        snapshots,
        [(float(a), float(b)) for a, b in real_points],
        time.perf_counter() - started,
    )


def binned(values: list[float], bins: int) -> tuple[list[int], list[float]]:
    """Mean of `values` over `bins` equal runs of steps: (last step of each run, mean)."""
    size = max(1, math.ceil(len(values) / bins))
    steps, means = [], []
    for start in range(0, len(values), size):
        chunk = values[start : start + size]
        steps.append(start + len(chunk))
        means.append(float(np.mean(chunk)))
    return steps, means


D_EQUILIBRIUM = 2 * math.log(2)
G_EQUILIBRIUM = math.log(2)
