"""The lab index lists the four language-model pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_lab_index_links_every_language_page(client):
    html = client.get(reverse("lab:index")).content.decode()
    for name in ["tokenizer", "sampling", "attention", "embeddings"]:
        assert f'href="{reverse(f"lab:{name}")}"' in html
    assert "Language models you can poke" in html
