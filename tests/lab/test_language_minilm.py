"""Our NumPy forward pass of all-MiniLM-L6-v2 against sentence-transformers' own numbers
(tests/lab/reference/minilm_reference.json, made by scripts/make_minilm_reference.py)."""

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from learning.visuals import minilm

REFERENCE = json.loads((Path(__file__).parent / "reference" / "minilm_reference.json").read_text())
SENTENCES = REFERENCE["sentences"]
ATOL = 1e-4


@pytest.fixture(scope="module")
def model():
    return minilm.load()


@pytest.mark.parametrize("ref", SENTENCES, ids=[r["sentence"][:24] for r in SENTENCES])
def test_tokens_match_the_reference(model, ref):
    encoding = model.encode(ref["sentence"])
    assert list(encoding.ids) == ref["ids"]
    assert list(encoding.tokens) == ref["tokens"]


@pytest.mark.parametrize("ref", SENTENCES, ids=[r["sentence"][:24] for r in SENTENCES])
def test_forward_pass_matches_sentence_transformers(model, ref):
    result = model.run(ref["sentence"])
    np.testing.assert_allclose(result.embedding[:8], ref["embedding_first8"], atol=ATOL)
    assert np.linalg.norm(result.embedding) == pytest.approx(ref["embedding_norm"], abs=ATOL)
    assert np.linalg.norm(result.hidden.mean(axis=0)) == pytest.approx(ref["pooled_norm"], abs=ATOL)
    np.testing.assert_allclose(result.attentions[0, 0, 1], ref["layer0_head0_row1"], atol=ATOL)
    np.testing.assert_allclose(
        result.attentions[5].mean(axis=0)[0], ref["layer5_head_mean_row0"], atol=ATOL
    )


def test_batched_embeddings_match_the_reference_cosines(model):
    vectors = model.embed([r["sentence"] for r in SENTENCES])
    np.testing.assert_allclose(vectors @ vectors.T, REFERENCE["cosines"], atol=ATOL)
    # Padding in a batch changes nothing: each text's vector is the one it gets alone.
    for ref, vector in zip(SENTENCES, vectors, strict=True):
        np.testing.assert_allclose(vector, model.run(ref["sentence"]).embedding, atol=1e-5)


def test_attention_rows_sum_to_one(model):
    result = model.run("The animal didn't cross the street because it was too tired.")
    assert result.attentions.shape == (6, 12, 16, 16)
    np.testing.assert_allclose(result.attentions.sum(axis=-1), 1.0, atol=1e-5)
    assert (result.attentions >= 0).all()


def test_gelu_uses_the_exact_erf_form():
    import math

    x = np.linspace(-6, 6, 241)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    np.testing.assert_allclose(minilm.gelu(x), exact, atol=1e-6)


def test_long_input_is_refused_when_the_caller_sets_a_limit(model):
    with pytest.raises(minilm.TooLong) as caught:
        model.encode("word " * 100, max_tokens=64)
    assert caught.value.count == 102 and caught.value.limit == 64
    # Without a limit it truncates at 256 wordpieces, as sentence-transformers does.
    encoding = model.encode("word " * 400)
    assert len(encoding.ids) == 256 and encoding.ids[-1] == minilm.SEP_ID


def test_weights_are_read_only_and_shared(model):
    assert not model.position.flags.writeable
    assert all(not layer.query.flags.writeable for layer in model.layers)
    assert all(not layer.ffn_out_bias.flags.writeable for layer in model.layers)
    with pytest.raises(ValueError):
        model.layers[0].query[0, 0] = 1.0
    assert minilm.load() is model


def test_mapped_word_embeddings_read_the_right_rows(model):
    from safetensors.numpy import load_file

    table = load_file(minilm.model_dir() / "model.safetensors")[minilm.WORD_EMBEDDINGS]
    ids = np.array([[101, 2009, 2009, 102], [0, 30521, 1996, 101]])
    np.testing.assert_array_equal(model.word[ids], table[ids])
    assert model.word.shape == table.shape == (30522, 384)


def test_loading_is_thread_safe(monkeypatch):
    monkeypatch.setattr(minilm, "_model", None)
    loaded, barrier = [], threading.Barrier(4)

    def worker():
        barrier.wait()
        loaded.append(minilm.load())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(loaded) == 4 and all(m is loaded[0] for m in loaded)
