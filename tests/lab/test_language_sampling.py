"""The sampling lab: the decoding math by hand, the trigram model, and the page."""

import numpy as np
import pytest
from django.urls import reverse
from django.utils.html import escape

from learning.templatetags.learning_extras import percent
from learning.visuals import ngram, sampling

URL = reverse("lab:sampling")
P = np.array([0.5, 0.3, 0.2])


# The math, against numbers worked out by hand -----------------------------------------------


def test_temperature_is_softmax_of_logits_over_t():
    # T = 0.5 squares the probabilities: 0.25, 0.09, 0.04 over 0.38.
    assert sampling.with_temperature(P, 0.5) == pytest.approx([25 / 38, 9 / 38, 4 / 38])
    # T = 2 takes square roots: √0.5, √0.3, √0.2 over their sum.
    roots = np.sqrt(P)
    assert sampling.with_temperature(P, 2.0) == pytest.approx(roots / roots.sum())
    assert sampling.with_temperature(P, 1.0) == pytest.approx(P)
    logits = np.array([2.0, 1.0, -1.0])
    softmax = np.exp(logits / 0.7) / np.exp(logits / 0.7).sum()
    assert sampling.with_temperature(np.exp(logits) / np.exp(logits).sum(), 0.7) == pytest.approx(
        softmax
    )


def test_temperature_zero_is_greedy_and_tiny_temperatures_approach_it():
    assert sampling.with_temperature(P, 0).tolist() == [1.0, 0.0, 0.0]
    assert sampling.with_temperature(P, 0.01)[0] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        sampling.with_temperature(P, -1)


def test_temperature_never_reorders():
    for t in [0.1, 0.5, 1.5, 4.0]:
        assert np.argsort(-sampling.with_temperature(P, t)).tolist() == [0, 1, 2]


def test_top_k_keeps_the_k_likeliest_and_renormalises():
    assert sampling.top_k(P, 2) == pytest.approx([0.5 / 0.8, 0.3 / 0.8, 0.0])
    assert sampling.top_k(P, 0) == pytest.approx(P)  # off
    assert sampling.top_k(P, 10) == pytest.approx(P)


def test_top_p_keeps_the_smallest_set_reaching_p():
    assert sampling.top_p(P, 0.8) == pytest.approx([0.625, 0.375, 0.0])  # 0.5 + 0.3 reaches 0.8
    assert sampling.top_p(P, 0.81) == pytest.approx(P)
    assert sampling.top_p(P, 0.4) == pytest.approx([1.0, 0.0, 0.0])  # at least one token
    assert sampling.top_p(P, 1.0) == pytest.approx(P)  # off


def test_decode_applies_temperature_then_top_k_then_top_p():
    steps = sampling.decode(P, temperature=0.5, k=2, top=0.7)
    assert steps.tempered == pytest.approx([25 / 38, 9 / 38, 4 / 38])
    assert steps.after_top_k == pytest.approx([25 / 34, 9 / 34, 0.0])
    assert steps.final == pytest.approx([1.0, 0.0, 0.0])  # 25/34 = 0.735 already reaches 0.7
    assert steps.cut_by_top_k.tolist() == [2]
    assert steps.cut_by_top_p.tolist() == [1]


def test_entropy_and_the_temperature_table():
    assert sampling.entropy_bits(np.full(4, 0.25)) == pytest.approx(2.0)
    assert sampling.entropy_bits(np.array([1.0, 0.0])) == 0.0
    rows = sampling.temperature_table(P, [0.0, 0.5, 1.0, 2.0], show=3)
    assert [row.top[0][0] for row in rows] == [0, 0, 0, 0]  # same winner at every T
    entropies = [row.entropy for row in rows]
    assert entropies == sorted(entropies)  # the spread grows with T
    assert rows[0].top1_share == 1.0 and rows[0].entropy == 0.0
    assert rows[2].effective_tokens == pytest.approx(2 ** sampling.entropy_bits(P))


def test_draws_are_reproducible_from_the_seed():
    first = sampling.draw(P, 50, seed=7)
    assert first == sampling.draw(P, 50, seed=7)
    assert first != sampling.draw(P, 50, seed=8)
    assert sampling.draw(np.array([0.0, 1.0, 0.0]), 5, seed=1) == [1] * 5


# The trigram model -------------------------------------------------------------------------


def test_kneser_ney_by_hand():
    """Two sentences, "a b." and "a c.": every number below is worked out in the test's comments."""
    model = ngram.TrigramModel(["a b. a c."])
    assert model.vocabulary == ("</s>", "a", "b", "c")
    # P1: continuation counts a=1 b=1 c=1 </s>=2 of 5, D = 0.75: 0.25/5 + 0.75·4/5/4 = 0.2, ...
    assert model.predict("zzz unknown").probabilities == pytest.approx([0.4, 0.2, 0.2, 0.2])
    # After "a": P2(b|a) = 0.25/2 + 0.75·2/2·0.2 = 0.275; P2(a|a) = 0.15; P2(</s>|a) = 0.3.
    # P3(b|<s> a) = 0.25/2 + 0.75·2/2·0.275 = 0.33125; P3(a) = 0.1125; P3(</s>) = 0.225.
    prediction = model.predict("a")
    assert prediction.context == ("<s>", "a") and prediction.order == 3
    assert prediction.probabilities == pytest.approx([0.225, 0.1125, 0.33125, 0.33125])
    # "q a": the two-word context is unseen, so the bigram level answers alone.
    assert model.predict("q a").order == 2
    assert model.predict("q a").probabilities == pytest.approx([0.3, 0.15, 0.275, 0.275])


@pytest.mark.django_db
def test_the_site_model_is_a_distribution():
    model = ngram.load()
    assert len(model) > 1000
    for prompt in ["Large language", "attention is all you", "zzzz qqqq", "The"]:
        p = model.predict(prompt).probabilities
        assert p.sum() == pytest.approx(1.0)
        assert (p > 0).all()
        assert not p.flags.writeable


# The page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_asks_before_it_reveals(client):
    response = client.get(URL, {"prompt": "Large language"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Predict first" in html and "which word wins at temperature 0.2" in html
    assert 'name="guess" value="models"' in html
    assert "After top-p" not in html
    assert "trigram model with interpolated Kneser–Ney smoothing" in html


@pytest.mark.django_db
def test_a_guess_reveals_real_numbers(client):
    model = ngram.load()
    p = model.predict("Large language").probabilities
    winner = model.vocabulary[int(np.argmax(p))]
    share = sampling.with_temperature(p, 0.2)[int(np.argmax(p))]
    params = {"prompt": "Large language", "t": "0.7", "k": "5", "p": "0.9", "seed": "3"}
    html = client.get(URL, {**params, "guess": winner}).content.decode()
    assert "Right!" in html
    assert f"with {escape(percent(share))} of the probability" in html
    assert "cut by top-k" in html
    assert "5 samples" not in html and "20 samples, seed 3" in html
    assert "What temperature does" in html and "(greedy)" in html
    # the same URL draws the same samples (the page differs only in its CSRF token)
    again = client.get(URL, {**params, "guess": winner}).content.decode()
    assert _samples(again) == _samples(html) and _samples(html).count("<li") == 20


def _samples(html: str) -> str:
    start = html.index('aria-label="Sampled next words')
    return html[start : html.index("What temperature does", start)]


@pytest.mark.django_db
def test_greedy_puts_everything_on_the_winner(client):
    html = client.get(URL, {"prompt": "Large language", "t": "0", "reveal": "1"}).content.decode()
    assert "greedy decoding" in html
    assert "no share left at this temperature" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"prompt": ""}, "The prompt is empty"),
        ({"prompt": "x" * 501}, "501 characters long"),
        ({"prompt": "a\x00b"}, "NUL byte"),
        ({"prompt": "a\x1bb"}, "U+001B"),
        ({"t": "hot"}, "Temperature must be a number between 0 and 5"),
        ({"t": "nan"}, "Temperature must be a number"),
        ({"t": "-1"}, "Temperature must be a number"),
        ({"t": "6"}, "Temperature must be a number"),
        ({"k": "2.5"}, "Top-k must be a whole number"),
        ({"p": "1.5"}, "Top-p must be a number between 0 and 1"),
        ({"n": "1000"}, "The number of samples must be a whole number from 1 to 100"),
        ({"seed": "-3"}, "The seed must be a whole number"),
        ({"guess": "not-a-candidate"}, "Pick one of the listed words"),
    ],
)
def test_bad_input_gets_a_clear_message(client, params, message):
    response = client.get(URL, {"prompt": "Large language", **params})
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.django_db
def test_htmx_gets_only_the_fragment(client):
    response = client.get(
        URL, {"prompt": "the model", "reveal": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "After top-p" in html


@pytest.mark.django_db
def test_query_counts(client, django_assert_num_queries):
    ngram.unload()
    # The model trains on the first request of a process: one UNION ALL query over the texts.
    with django_assert_num_queries(1):
        client.get(URL, {"prompt": ""})
    # After that, no query, whatever the input.
    for params in [{}, {"prompt": "the model", "reveal": "1"}, {"t": "x"}]:
        with django_assert_num_queries(0):
            client.get(URL, params)
