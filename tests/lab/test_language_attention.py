"""The attention lab: real weights for the learner's sentence, predict-then-reveal, bad input."""

import re

import numpy as np
import pytest
from django.urls import reverse

from learning.visuals import minilm

pytestmark = pytest.mark.django_db

URL = reverse("lab:attention")
SENTENCE = "The animal didn't cross the street because it was too tired."


def test_the_page_lists_the_tokens_and_asks_first(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The model reads 16 tokens" in html
    assert "which other word does “it” attend to most?" in html
    assert 'name="guess" value="3"' in html  # "animal", token 3
    assert "Every token, every token" not in html  # the answer waits


def test_a_guess_reveals_the_real_weights(client):
    weights = minilm.load().run(SENTENCE).attentions[3, 1]  # layer 4, head 2
    response = client.get(URL, {"text": SENTENCE, "layer": "4", "head": "2", "guess": "3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Right!" in html
    assert f"with weight {weights[10, 2]:.3f}" in html  # it → animal
    assert 'fill-opacity="' in html and 'class="lab-heatmap"' in html
    assert html.count('class="heat-cell"') >= 16 * 16 + 16  # heatmap cells + per-token bars
    assert "The weights as a table" in html


def test_a_wrong_guess_says_so(client):
    html = client.get(URL, {"layer": "4", "head": "2", "guess": "9"}).content.decode()
    assert "Not this time." in html
    assert "“animal”" in html


def test_mean_of_the_heads_and_any_token(client):
    response = client.get(URL, {"head": "mean", "layer": "6", "token": "3", "reveal": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Layer 6, mean of the 12 heads" in html
    assert "Where “animal” looks" in html


def test_every_row_of_every_head_sums_to_one():
    result = minilm.load().run("Attention is all you need, they said.")
    np.testing.assert_allclose(result.attentions.sum(axis=-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(result.attentions.mean(axis=1).sum(axis=-1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"text": ""}, "The sentence is empty"),
        ({"text": "word " * 70}, "72 tokens long; the lab shows attention for up to 64"),
        ({"text": "x" * 1001}, "1,001 characters long"),
        ({"text": "nul\x00"}, "NUL byte"),
        ({"text": "esc\x1b[0m"}, "U+001B"),
        ({"layer": "7"}, "The layer must be a whole number from 1 to 6"),
        ({"layer": "0"}, "The layer must be a whole number from 1 to 6"),
        ({"head": "13"}, "The head must be a whole number from 1 to 12, or “mean”"),
        ({"head": "two"}, "The head must be a whole number from 1 to 12"),
        ({"token": "99"}, "The chosen token must be a whole number from 1 to 16"),
        ({"guess": "1"}, "Pick one of the listed words"),  # [CLS] is not a word
        ({"guess": "x"}, "Your guess must be a whole number"),
    ],
)
def test_bad_input_gets_a_clear_message(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_htmx_gets_only_the_fragment(client):
    response = client.get(URL, {"reveal": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "lab-heatmap" in html
    assert "HX-Request" in response["Vary"]


def test_no_inline_script_style_or_handlers(client):
    html = client.get(URL, {"reveal": "1"}).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "hx-on" not in html and " style=" not in html


def test_query_count_does_not_depend_on_the_input(client, django_assert_num_queries):
    # No query: the model and its tokenizer are files.
    for params in [{}, {"text": "A short one.", "reveal": "1"}, {"head": "99"}]:
        with django_assert_num_queries(0):
            client.get(URL, params)
