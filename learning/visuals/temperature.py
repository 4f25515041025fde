"""Temperature on a next-token distribution: p_T(i) ∝ p(i)^(1/T), i.e. softmax(logits / T)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Row:
    token: str
    probabilities: list[float]  # one per temperature, in [0, 1]


def rescale(probabilities: list[float], temperature: float) -> list[float]:
    """The distribution after dividing the logits (log-probabilities) by `temperature`."""
    if temperature <= 0:
        raise ValueError("temperature must be positive; T → 0 is greedy decoding")
    logits = np.log(np.asarray(probabilities, dtype=float))
    scaled = logits / temperature
    scaled -= scaled.max()  # numerical stability: softmax is shift-invariant
    weights = np.exp(scaled)
    return (weights / weights.sum()).tolist()


def table(visual: dict) -> dict:
    """Rows of token × temperature from a step's visual data:
    `{"logits_from": [{"token": ..., "p": ...}, ...], "temperatures": [...]}` (p at T = 1)."""
    base = visual["logits_from"]
    temperatures = [float(t) for t in visual.get("temperatures", [0.1, 1.0, 2.0])]
    tokens = [item["token"] for item in base]
    columns = [rescale([float(item["p"]) for item in base], temp) for temp in temperatures]
    rows = [Row(token, [column[i] for column in columns]) for i, token in enumerate(tokens)]
    return {"temperatures": temperatures, "rows": rows, "prompt": visual.get("prompt", "")}


def concept_rows(concept) -> list[Row]:
    """The concept card's distribution as rows (one temperature: the one stored, T = 1)."""
    items = concept.visual.get("probabilities", [])
    return [Row(item["token"], [float(item["p"])]) for item in items]
