"""The Chinchilla scaling law (Hoffmann et al. 2022, "Training Compute-Optimal Large Language
Models", §3.3, Approach 3, eq. 10): the final pre-training loss of a model of N parameters
trained on D tokens,

    L(N, D) = E + A / N^α + B / D^β,   E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28,

with training compute C ≈ 6·N·D FLOPs. Minimising L subject to 6ND = C gives (their eq. 4)

    N_opt(C) = G·(C/6)^a,  D_opt(C) = G⁻¹·(C/6)^b,  a = β/(α+β), b = α/(α+β),
    G = (αA / (βB))^(1/(α+β)).

The rule of thumb usually drawn from the paper, about 20 training tokens per parameter, matches
its Approaches 1 and 2 (Table 3); the published (rounded) Approach 3 constants put the optimum at
more tokens per parameter. Besiroglu et al. (2024, "Chinchilla Scaling: A replication attempt")
re-fitted Approach 3 on data reconstructed from the paper's figures and found estimates that
agree with Approaches 1 and 2 instead. Loss is in nats per token on the paper's MassiveText
data; it does not transfer to other data sets or tokenizers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Fit:
    name: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float

    def loss(self, n: float, d: float) -> float:
        return self.E + self.A / n**self.alpha + self.B / d**self.beta

    @property
    def G(self) -> float:
        return (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))

    @property
    def a(self) -> float:
        return self.beta / (self.alpha + self.beta)

    @property
    def b(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    def optimal_parameters(self, compute: float) -> float:
        return self.G * (compute / 6) ** self.a

    def optimal_tokens(self, compute: float) -> float:
        return (compute / 6) ** self.b / self.G


CHINCHILLA = Fit("Hoffmann et al. 2022, Approach 3", 1.69, 406.4, 410.7, 0.34, 0.28)
TOKENS_PER_PARAMETER = 20

# Published models for reference (parameters, training tokens), Hoffmann et al. 2022, Table 1.
REFERENCE_MODELS = [
    ("Chinchilla", 70e9, 1.4e12),
    ("Gopher", 280e9, 300e9),
    ("GPT-3", 175e9, 300e9),
]


@dataclass(frozen=True)
class Allocation:
    label: str
    parameters: float
    tokens: float
    loss: float

    @property
    def tokens_per_parameter(self) -> float:
        return self.tokens / self.parameters

    @property
    def compute(self) -> float:
        return 6 * self.parameters * self.tokens


def compute_optimal(fit: Fit, compute: float) -> Allocation:
    n, d = fit.optimal_parameters(compute), fit.optimal_tokens(compute)
    return Allocation("compute-optimal (closed form)", n, d, fit.loss(n, d))


def rule_of_thumb(fit: Fit, compute: float) -> Allocation:
    """20 tokens per parameter at the same compute: 6·N·20N = C, so N = sqrt(C/120)."""
    n = math.sqrt(compute / (6 * TOKENS_PER_PARAMETER))
    return Allocation("20 tokens per parameter", n, TOKENS_PER_PARAMETER * n, fit.loss(n, 20 * n))


def iso_flop(fit: Fit, compute: float, points: int = 61) -> list[tuple[float, float]]:
    """(N, L(N, C/6N)) for model sizes from 1/100 to 100 times the optimum: an IsoFLOP curve."""
    centre = math.log10(fit.optimal_parameters(compute))
    result = []
    for i in range(points):
        n = 10 ** (centre - 2 + 4 * i / (points - 1))
        result.append((n, fit.loss(n, compute / (6 * n))))
    return result


def frontier(fit: Fit, low: float = 1e17, high: float = 1e27, points: int = 41) -> list[tuple]:
    """(C, loss at the compute-optimal allocation) across budgets."""
    result = []
    for i in range(points):
        c = 10 ** (math.log10(low) + (math.log10(high) - math.log10(low)) * i / (points - 1))
        result.append((c, compute_optimal(fit, c).loss))
    return result
