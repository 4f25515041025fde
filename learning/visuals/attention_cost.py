"""What self-attention and a state-space model cost as the context grows: FLOPs of a forward pass
over n tokens, and memory, from the standard counts (a multiply-add is 2 FLOPs).

Transformer layer (Vaswani et al. 2017; the accounting of Kaplan et al. 2020, Table 1), model
width d, MLP width 4d:
  - Q, K, V and output projections: 4 × 2·n·d² = 8·n·d²
  - MLP (d → 4d → d): 2 × 2·n·d·4d = 16·n·d²
  - scores QKᵀ: 2·n²·d, and the weighted sum AV: 2·n²·d (all heads together; a causal mask
    lets a careful kernel skip half)
  so 24·n·d² + 4·n²·d per layer: linear in n until n is about 6·d, quadratic after.
  Memory at inference: the KV cache, 2 (K and V) · layers · n · d values, grows with n; in
  training, the n × n score matrices (heads · n² values per layer) unless a fused kernel such as
  FlashAttention (Dao et al. 2022) avoids storing them.

Mamba block (Gu & Dao 2023, §3.4; expansion E = 2, state size N = 16, convolution width 4,
Δ rank R = ⌈d/16⌉, as in their reference code), inner width D = E·d:
  - in projection d → 2D: 4·n·d·D; out projection D → d: 2·n·D·d
  - x projection D → R + 2N, Δ projection R → D: 2·n·D·(R + 2N) + 2·n·R·D
  - causal depthwise convolution: 2·4·n·D
  - selective scan: 9·n·D·N (the count in the reference implementation, state-spaces/mamba
    issue #110) plus n·D for the skip term
  All linear in n. Memory at inference: the recurrent state, D·N plus the convolution's last
  3 inputs (3·D) per block, independent of n. A Mamba block has about 3·E·d² = 6·d² parameters
  against a Transformer layer's 12·d², so Gu & Dao stack two blocks per Transformer layer to
  compare models of equal size; we do the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EXPAND = 2
STATE = 16
CONV = 4


@dataclass(frozen=True)
class Model:
    d_model: int = 2048
    layers: int = 24
    heads: int = 16
    bytes_per_value: int = 2  # fp16 / bf16

    @property
    def mamba_blocks(self) -> int:
        return 2 * self.layers

    @property
    def transformer_parameters(self) -> int:
        return 12 * self.layers * self.d_model**2

    @property
    def mamba_parameters(self) -> int:
        d, inner = self.d_model, EXPAND * self.d_model
        rank = math.ceil(d / 16)
        per_block = (
            d * 2 * inner  # in projection
            + inner * CONV + inner  # convolution (weights and bias)
            + inner * (rank + 2 * STATE)  # x projection
            + rank * inner + inner  # Δ projection
            + inner * STATE + inner  # A and the skip D
            + inner * d  # out projection
        )  # fmt: skip
        return self.mamba_blocks * per_block


@dataclass(frozen=True)
class Cost:
    n: int
    attention_flops: float  # the quadratic part alone (QKᵀ and AV), all layers
    transformer_flops: float  # the whole forward pass, all layers
    mamba_flops: float
    kv_cache_bytes: float
    scores_bytes: float  # one layer's score matrices, all heads
    mamba_state_bytes: float


def cost(model: Model, n: int) -> Cost:
    d, layers = model.d_model, model.layers
    inner = EXPAND * d
    rank = math.ceil(d / 16)
    quadratic = 4.0 * n * n * d
    linear = 24.0 * n * d * d
    mamba_block = (
        4.0 * n * d * inner
        + 2.0 * n * inner * d
        + 2.0 * n * inner * (rank + 2 * STATE)
        + 2.0 * n * rank * inner
        + 2.0 * CONV * n * inner
        + 9.0 * n * inner * STATE
        + 1.0 * n * inner
    )
    return Cost(
        n,
        layers * quadratic,
        layers * (linear + quadratic),
        model.mamba_blocks * mamba_block,
        2.0 * layers * n * d * model.bytes_per_value,
        float(model.heads) * n * n * model.bytes_per_value,
        model.mamba_blocks * (inner * STATE + inner * (CONV - 1)) * model.bytes_per_value,
    )


def crossover(model: Model) -> int:
    """The context length from which QKᵀ and AV cost more than all the weight multiplications:
    4·n²·d = 24·n·d², so n = 6·d."""
    return 6 * model.d_model


def contexts(up_to: int) -> list[int]:
    """Powers of two from 128 up to `up_to` (and `up_to` itself)."""
    values = [2**k for k in range(7, 31) if 2**k <= up_to]
    if not values or values[-1] != up_to:
        values.append(up_to)
    return values
