"""The embeddings lab: similarities, the glossary map, nearest terms, semantic search."""

import re

import numpy as np
import pytest
from django.urls import reverse

from glossary.models import Definition, Term
from learning.visuals import embeddings

pytestmark = pytest.mark.django_db

URL = reverse("lab:embeddings")
SENTENCES = "A cat sits on the mat.\nA kitten is resting on a rug.\nThe stock market fell today."


def test_the_page_asks_which_sentence_is_closest(client):
    response = client.get(URL, {"sentences": SENTENCES})
    assert response.status_code == 200
    html = response.content.decode()
    assert "which sentence is closest in meaning to sentence 1" in html
    assert 'name="guess" value="2"' in html and 'name="guess" value="3"' in html
    assert "How similar they are" not in html


def test_a_guess_reveals_similarities_map_and_nearest_terms(client):
    vectors = embeddings.embed(SENTENCES.splitlines())
    cosine = float(vectors[0] @ vectors[1])
    response = client.get(URL, {"sentences": SENTENCES, "guess": "2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Right!" in html
    assert f"cosine similarity of {cosine:.3f}" in html
    assert 'class="lab-map"' in html and "A map of the glossary" in html
    term = Term.objects.order_by("name").first()
    assert term.get_absolute_url() in html  # the map and its table link to the term pages
    assert "The nearest glossary terms" in html


def test_a_wrong_guess_says_so(client):
    html = client.get(URL, {"sentences": SENTENCES, "guess": "3"}).content.decode()
    assert "Not this time: you picked sentence 3." in html
    assert "Sentence 2 is the closest" in html


def test_semantic_search_ranks_glossary_terms_by_meaning():
    results = embeddings.semantic_search("noise is removed step by step to make an image", 3)
    assert len(results) == 3
    assert all(isinstance(term, Term) for term, _ in results)
    scores = [score for _, score in results]
    assert scores == sorted(scores, reverse=True)
    assert results[0][0].name == "Diffusion Model"
    assert embeddings.semantic_search("   ", 5) == []


def test_semantic_search_is_one_query(django_assert_num_queries):
    embeddings.semantic_search("warm up", 1)
    with django_assert_num_queries(1):  # the glossary terms with their first definitions
        embeddings.semantic_search("a generator and a discriminator compete", 5)


def test_term_embeddings_are_cached_and_recomputed_after_an_edit():
    terms = embeddings.glossary_terms()
    space = embeddings.glossary_space(terms)
    assert embeddings.glossary_space(embeddings.glossary_terms()) is space  # cached
    assert not space.vectors.flags.writeable
    assert space.vectors.shape == (len(terms), 384)
    np.testing.assert_allclose(np.linalg.norm(space.vectors, axis=1), 1.0, atol=1e-5)

    definition = Definition.objects.filter(term=terms[0]).order_by("position").first()
    definition.text = "A completely different definition about cooking pasta."
    definition.save()
    changed = embeddings.glossary_space(embeddings.glossary_terms())
    assert changed is not space
    assert not np.allclose(changed.vectors[0], space.vectors[0])
    np.testing.assert_allclose(changed.vectors[1:], space.vectors[1:], atol=1e-6)


def test_pca_keeps_the_directions_of_largest_variance():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(200, 5)) * np.array([10.0, 3.0, 0.1, 0.1, 0.1])
    mean, components, explained = embeddings.pca(points)
    assert abs(components[0] @ np.eye(5)[0]) == pytest.approx(1.0, abs=0.01)
    assert abs(components[1] @ np.eye(5)[1]) == pytest.approx(1.0, abs=0.01)
    assert explained > 0.99


@pytest.mark.parametrize(
    ("sentences", "message"),
    [
        ("", "The sentences is empty"),
        ("\n".join(f"sentence {i}" for i in range(9)), "(you typed 9)"),
        ("short\n" + "x" * 301, "Sentence 2 is 301 characters long; the limit is 300"),
        ("one\ntwo\x00", "NUL byte"),
        ("one\ntwo\x08", "U+0008"),
    ],
)
def test_bad_input_gets_a_clear_message(client, sentences, message):
    response = client.get(URL, {"sentences": sentences})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_guess_out_of_range_gets_a_message(client):
    response = client.get(URL, {"sentences": SENTENCES, "guess": "1"})
    assert response.status_code == 400
    assert "Your guess must be a whole number from 2 to 3" in response.content.decode()


def test_htmx_gets_only_the_fragment(client):
    response = client.get(
        URL, {"sentences": SENTENCES, "reveal": "1"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "How similar they are" in html


def test_no_inline_script_style_or_handlers(client):
    html = client.get(URL, {"reveal": "1"}).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "hx-on" not in html and " style=" not in html


def test_query_count_does_not_depend_on_the_input(client, django_assert_num_queries):
    client.get(URL, {"reveal": "1"})  # the term embeddings are computed once per process
    # One query, whatever the input: the glossary terms with their first definitions.
    for params in [{}, {"sentences": SENTENCES, "guess": "2"}, {"sentences": ""}]:
        with django_assert_num_queries(1):
            client.get(URL, params)


def test_one_sentence_shows_its_nearest_terms_at_once(client):
    response = client.get("/lab/embeddings/", {"sentences": "A cat sits on the mat"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "/glossary/" in html and "<svg" in html
    assert "Predict first" not in html
