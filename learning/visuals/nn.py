"""A small multilayer perceptron with hand-written backpropagation and the Adam optimiser, in
NumPy. Shared by the lab's GAN and its classifier; small enough to read in one sitting.

Shapes: a batch is (n, features); layer i has weights (fan_in, fan_out) and a bias (fan_out,).
All parameters live in one flat vector (the weights and biases are views into it), and so do
their gradients: Adam then updates everything in a handful of NumPy calls, which matters when
the networks are this small and Python's per-call overhead dominates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ACTIVATIONS = ("relu", "tanh")


def activate(name: str, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    raise ValueError(f"unknown activation {name!r}")


def activation_grad(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """d activation / d z, from the pre-activation `z` and its output `a`."""
    if name == "relu":
        return z > 0
    if name == "tanh":
        return 1.0 - a * a
    raise ValueError(f"unknown activation {name!r}")


def _views(flat: np.ndarray, sizes: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights, biases, offset = [], [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        weights.append(flat[offset : offset + fan_in * fan_out].reshape(fan_in, fan_out))
        offset += fan_in * fan_out
        biases.append(flat[offset : offset + fan_out])
        offset += fan_out
    return weights, biases


@dataclass
class MLP:
    """Dense layers; `activation` between them, none after the last (its output is a logit or
    a coordinate)."""

    sizes: list[int]
    activation: str
    params: np.ndarray  # flat
    weights: list[np.ndarray] = field(init=False)
    biases: list[np.ndarray] = field(init=False)
    grad: np.ndarray = field(init=False)  # flat, filled by backward
    _grad_w: list[np.ndarray] = field(init=False)
    _grad_b: list[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.weights, self.biases = _views(self.params, self.sizes)
        self.grad = np.zeros_like(self.params)
        self._grad_w, self._grad_b = _views(self.grad, self.sizes)

    def __reduce__(self):
        # Pickled (for the cache) as its sizes and flat parameters; the views are rebuilt.
        return (MLP, (self.sizes, self.activation, self.params.copy()))

    @classmethod
    def create(cls, sizes: list[int], activation: str, rng: np.random.Generator) -> MLP:
        # He initialisation for ReLU, Glorot (Xavier) for tanh; biases start at zero.
        count = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
        net = cls(list(sizes), activation, np.zeros(count))
        gain = 1.0 if activation == "tanh" else 2.0
        for w in net.weights:
            w[...] = rng.normal(0.0, np.sqrt(gain / w.shape[0]), size=w.shape)
        return net

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """The output and, per layer, (its input, its pre-activation) for `backward`."""
        cache = []
        a = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = a @ w + b
            cache.append((a, z))
            a = z if i == last else activate(self.activation, z)
        return a, cache

    def hidden(self, x: np.ndarray) -> list[np.ndarray]:
        """Each hidden layer's activations for the batch `x`."""
        _, cache = self.forward(x)
        return [a for a, _ in cache[1:]]

    def backward(
        self,
        cache: list[tuple[np.ndarray, np.ndarray]],
        grad_out: np.ndarray,
        param_grads: bool = True,
    ) -> np.ndarray:
        """Fills `self.grad` (d loss / d params, unless `param_grads` is false: the GAN's
        generator step only needs the gradient through D) and returns d loss / d input, given
        d loss / d output."""
        delta = grad_out
        for i in range(len(self.weights) - 1, -1, -1):
            a_in, _ = cache[i]
            if param_grads:
                np.matmul(a_in.T, delta, out=self._grad_w[i])
                np.sum(delta, axis=0, out=self._grad_b[i])
            delta = delta @ self.weights[i].T
            if i > 0:
                # Layer i's input is the activation of layer i − 1's pre-activation.
                delta = delta * activation_grad(self.activation, cache[i - 1][1], a_in)
        return delta


@dataclass
class Adam:
    """Kingma & Ba (2015), with bias correction folded into the step size (the paper's
    "more efficient" ordering, end of its §2), on one flat parameter vector."""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    step_count: int = 0
    m: np.ndarray | None = None
    v: np.ndarray | None = None

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Updates `params` in place."""
        if self.m is None or self.v is None:
            self.m, self.v = np.zeros_like(params), np.zeros_like(params)
        self.step_count += 1
        self.m *= self.beta1
        self.m += (1 - self.beta1) * grad
        self.v *= self.beta2
        self.v += (1 - self.beta2) * grad * grad
        lr = self.lr * np.sqrt(1 - self.beta2**self.step_count) / (1 - self.beta1**self.step_count)
        params -= lr * self.m / (np.sqrt(self.v) + self.eps)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # stable for large |z|


def softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + e^z), stable: the binary cross-entropy of a logit."""
    return np.logaddexp(0.0, z)
