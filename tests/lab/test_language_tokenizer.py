"""The tokenizer lab: real token IDs, counts, the token tax, predict-then-reveal, bad input."""

import re

import pytest
from django.urls import reverse

from learning.visuals import token_tax

pytestmark = pytest.mark.django_db

URL = reverse("lab:tokenizer")


def test_the_guides_example_shows_its_real_ids(client):
    response = client.get(URL, {"text": "Hello, Generative AI!"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "[9906, 11, 2672, 1413, 15592, 0]" in html  # cl100k_base
    assert "[13225, 11, 4140, 1799, 20837, 0]" in html  # o200k_base
    assert "<code>cl100k_base</code>: 6 tokens" in html
    assert '<td class="num">21</td>' in html  # characters
    assert '<td class="num">3</td>' in html  # words


def test_the_default_page_is_the_guides_example(client):
    html = client.get(URL).content.decode()
    assert "[9906, 11, 2672, 1413, 15592, 0]" in html


def test_the_token_tax_waits_for_a_guess(client):
    html = client.get(URL).content.decode()
    assert "Predict first" in html
    assert 'name="guess" value="hi"' in html
    assert "× English" not in html


def test_a_right_guess_is_confirmed_and_the_table_shown(client):
    html = client.get(URL, {"text": "Bonjour", "guess": "hi"}).content.decode()
    assert "Right!" in html
    assert "Hindi needs the most" in html
    assert "× English" in html
    # every bundled language, then the learner's own text
    assert html.count('<th scope="row">') >= len(token_tax.samples()) + 1
    assert "Your text" in html
    assert 'role="img"' in html and "<title" in html  # the chart, with its alternative table


def test_a_wrong_guess_says_so_and_shows_the_answer(client):
    html = client.get(URL, {"guess": "fr"}).content.decode()
    assert "Not this time." in html
    assert "You guessed French: 17 tokens" in html


def test_reveal_without_guessing(client):
    html = client.get(URL, {"reveal": "1"}).content.decode()
    assert "× English" in html
    assert "Right!" not in html and "Not this time" not in html


def test_bundled_samples_cover_six_languages_and_english_is_the_reference():
    samples = token_tax.samples()
    assert len(samples) >= 6
    assert samples[0].code == "en"
    rows = token_tax.sample_rows()
    assert rows[0].ratios == {"cl100k_base": 1.0, "o200k_base": 1.0}
    assert token_tax.costliest("cl100k_base") == {"hi"}
    assert all(r.counts["cl100k_base"] >= rows[0].counts["cl100k_base"] for r in rows)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"text": ""}, "The text is empty"),
        ({"text": "   \n"}, "The text is empty"),
        ({"text": "a" * 10_001}, "10,001 characters long; the limit is 10,000"),
        ({"text": "abc\x00def"}, "NUL byte"),
        ({"text": "bell\x07"}, "control character U+0007"),
        ({"text": "bad \ufffd bytes"}, "not valid UTF-8"),
        ({"guess": "xx"}, "Pick one of the listed languages"),
    ],
)
def test_bad_input_gets_a_clear_message(client, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()


def test_ten_thousand_characters_are_accepted(client):
    response = client.get(URL, {"text": "word " * 2000})
    assert response.status_code == 200


def test_htmx_gets_only_the_results_fragment(client):
    response = client.get(URL, {"text": "Hello"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<header" not in html
    assert "hx-get=" in html and 'hx-push-url="true"' in html
    assert "HX-Request" in response["Vary"]


def test_htmx_errors_are_swapped_in(client):
    """htmx does not swap 4xx responses, so the fragment carries the message with a 200."""
    response = client.get(URL, {"text": ""}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "The text is empty" in response.content.decode()


def test_no_inline_script_style_or_handlers(client):
    html = client.get(URL, {"text": "Hello", "guess": "hi"}).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "hx-on" not in html
    assert " style=" not in html


def test_query_count_does_not_depend_on_the_input(client, django_assert_num_queries):
    # No query: the tokenizers and the bundled samples live in files, not the database.
    for params in [{}, {"text": "x" * 5000, "guess": "hi"}, {"text": ""}]:
        with django_assert_num_queries(0):
            client.get(URL, params)
