"""Odd but valid input never breaks a lab page: every page answers 200 or 400, never 500."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ODD_TEXTS = [
    "a",
    "[CLS]",
    "[SEP] [SEP]",
    "!!!",
    "😀🚀 emoji only",
    "مرحبا بالعالم",
    "语言模型",
    "x" * 300,
    "tab\tand\nnewline",
    "  leading and trailing  ",
    "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", ODD_TEXTS)
@pytest.mark.parametrize(
    ("name", "field", "extra"),
    [
        ("lab:tokenizer", "text", {"reveal": "1"}),
        ("lab:sampling", "prompt", {"reveal": "1", "t": "0.01", "k": "1", "p": "0"}),
        ("lab:attention", "text", {"reveal": "1", "head": "mean"}),
        ("lab:embeddings", "sentences", {"reveal": "1"}),
    ],
)
def test_odd_input_is_handled(client, name, field, extra, text):
    value = f"{text}\n{text}" if field == "sentences" else text
    response = client.get(reverse(name), {field: value, **extra})
    assert response.status_code in {200, 400}
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_a_sentence_without_words_to_guess_says_so(client):
    html = client.get(reverse("lab:attention"), {"text": "[SEP]"}).content.decode()
    assert "no other word" in html
