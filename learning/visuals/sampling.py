"""Decoding a next-token distribution: temperature, then top-k, then top-p, then a draw.

The order is the one Hugging Face's `generate` applies its logits warpers in. Each step returns a
full distribution over the vocabulary (zeros for the tokens it cut), so a page can show the
distribution before and after every step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_TEMPERATURE = 5.0


def with_temperature(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """softmax(logits / T), the logits being log-probabilities. T = 0 is greedy decoding: all
    the mass on the most likely token (the first one, on a tie)."""
    p = np.asarray(probabilities, dtype=np.float64)
    if temperature < 0:
        raise ValueError("temperature must be 0 or more")
    if temperature == 0:
        greedy = np.zeros_like(p)
        greedy[int(np.argmax(p))] = 1.0
        return greedy
    with np.errstate(divide="ignore"):  # log(0) = -inf for tokens cut earlier: they stay at 0
        scaled = np.log(p) / temperature
    scaled -= scaled.max()  # softmax is shift-invariant; this keeps exp() from overflowing
    weights = np.exp(scaled)
    return weights / weights.sum()


def _ranking(p: np.ndarray) -> np.ndarray:
    """Token indices from most to least likely; ties keep the vocabulary order (stable)."""
    return np.argsort(-p, kind="stable")


def top_k(probabilities: np.ndarray, k: int) -> np.ndarray:
    """Keeps the k most likely tokens and renormalises; k = 0 (or k ≥ the vocabulary) keeps all."""
    p = np.asarray(probabilities, dtype=np.float64)
    if k <= 0 or k >= np.count_nonzero(p):
        return p.copy()
    kept = np.zeros_like(p)
    keep = _ranking(p)[:k]
    kept[keep] = p[keep]
    return kept / kept.sum()


def top_p(probabilities: np.ndarray, top: float) -> np.ndarray:
    """Nucleus sampling: keeps the smallest set of most likely tokens whose probabilities add up to
    at least `top` (always at least one token), and renormalises; top = 1 keeps all."""
    p = np.asarray(probabilities, dtype=np.float64)
    if top >= 1:
        return p.copy()
    order = _ranking(p)
    cumulative = np.cumsum(p[order])
    # The first position where the running total reaches `top` is the last token kept. The small
    # tolerance keeps a token whose share is exactly what is missing (0.5 + 0.2 reaching 0.7).
    last = int(np.searchsorted(cumulative, top - 1e-12))
    keep = order[: last + 1]
    kept = np.zeros_like(p)
    kept[keep] = p[keep]
    return kept / kept.sum()


def entropy_bits(probabilities: np.ndarray) -> float:
    """Shannon entropy in bits: 0 when one token is certain, log2(V) when all are equally likely."""
    p = np.asarray(probabilities, dtype=np.float64)
    p = p[p > 0]
    return float(-(p * np.log2(p)).sum())


@dataclass(frozen=True)
class Steps:
    """The distribution after each step; each array covers the whole vocabulary."""

    model: np.ndarray  # what the model says (T = 1)
    tempered: np.ndarray  # after temperature
    after_top_k: np.ndarray
    final: np.ndarray  # after top-p: what the draw uses

    @property
    def cut_by_top_k(self) -> np.ndarray:
        return np.flatnonzero((self.tempered > 0) & (self.after_top_k == 0))

    @property
    def cut_by_top_p(self) -> np.ndarray:
        return np.flatnonzero((self.after_top_k > 0) & (self.final == 0))


def decode(probabilities: np.ndarray, *, temperature: float, k: int, top: float) -> Steps:
    """Temperature, then top-k, then top-p, on a distribution (T = 1 probabilities)."""
    tempered = with_temperature(probabilities, temperature)
    after_k = top_k(tempered, k)
    return Steps(
        model=np.asarray(probabilities, dtype=np.float64),
        tempered=tempered,
        after_top_k=after_k,
        final=top_p(after_k, top),
    )


def draw(probabilities: np.ndarray, n: int, seed: int) -> list[int]:
    """n token indices drawn (with replacement) from the distribution, reproducibly from `seed`."""
    rng = np.random.default_rng(seed)
    return rng.choice(len(probabilities), size=n, p=probabilities).tolist()


@dataclass(frozen=True)
class TemperatureRow:
    temperature: float
    top: list[tuple[int, float]]  # the most likely tokens and their shares, most likely first
    top1_share: float
    entropy: float  # bits
    effective_tokens: float  # 2 ** entropy: "as uncertain as a fair choice among this many"


def temperature_table(
    probabilities: np.ndarray, temperatures: list[float], show: int = 5
) -> list[TemperatureRow]:
    """What each temperature does to the ranking (unchanged) and the spread (entropy, top-1)."""
    rows = []
    # Temperature is monotone, so the model's ranking is every temperature's ranking (and at
    # T = 0, where all but one share is 0, it still orders the rest meaningfully).
    order = _ranking(np.asarray(probabilities, dtype=np.float64))[:show]
    for t in temperatures:
        p = with_temperature(probabilities, t)
        h = entropy_bits(p)
        rows.append(
            TemperatureRow(
                temperature=t,
                top=[(int(i), float(p[i])) for i in order],
                top1_share=float(p[order[0]]),
                entropy=h,
                effective_tokens=float(2**h),
            )
        )
    return rows
