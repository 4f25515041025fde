"""The generative lab's pages: each answers 200 with its computed numbers, predicts before it
reveals, swaps its results partial for htmx, keeps the CSP rules, and answers bad input with a
message (400), never a 500. No page touches the database."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from learning.lab import generative_urls

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _html(response) -> str:
    return response.content.decode()


def test_lab_index_lists_every_generative_page(client):
    html = _html(client.get(reverse("lab:index")))
    for name, title, _ in generative_urls.LAB_PAGES:
        assert reverse(f"lab:{name}") in html
        assert title.replace("&", "&amp;") in html


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("diffusion", "/lab/diffusion/"),
        ("vae", "/lab/vae/"),
        ("gan", "/lab/gan/"),
        ("networks", "/lab/networks/"),
        ("attention_cost", "/lab/attention-cost/"),
        ("scaling", "/lab/scaling/"),
    ],
)
def test_urls_reverse_and_resolve(name, path):
    assert reverse(f"lab:{name}") == path


def test_diffusion_asks_before_it_reveals(client):
    html = _html(client.get(reverse("lab:diffusion")))
    assert "Predict first" in html
    assert "/lab/img/" not in html.split('id="reverse-title"')[0]  # no strip yet
    assert "Skip: just show me" in html


def test_diffusion_reveals_the_strips_and_the_schedules(client):
    response = client.get(reverse("lab:diffusion"), {"guess": "400"})
    html = _html(response)
    assert response.status_code == 200
    assert "You guessed t = 400" in html
    assert html.count('src="/lab/img/') >= 2 + 5  # two strips, five marginal densities
    assert "4.036 × 10⁻⁵" in html  # linear ᾱ at t = 999
    assert "0.9999" in html  # linear ᾱ_0 = 1 − β_0; cosine ᾱ_0 rounds to 1.0000
    assert "1.0000" in html
    assert "2.429 × 10⁻⁹" in html  # cosine ᾱ at t = 999, after the 0.999 clip
    assert html.count("<svg") >= 3  # ᾱ, SNR, reverse trajectories
    assert "Mixture components against the samples" in html


def test_diffusion_reverse_process_settings(client):
    response = client.get(
        reverse("lab:diffusion"),
        {"reveal": "1", "mixture": "ring", "sampler": "ddim", "steps": "20", "samples": "100"},
    )
    html = _html(response)
    assert response.status_code == 200
    assert "20 sampler steps" in html
    assert "(deterministic: Song et al. 2021" in html
    assert "<polyline" in html


def test_vae_reveals_the_dimensions_needed(client):
    html = _html(client.get(reverse("lab:vae"), {"guess": "15", "q": "4"}))
    assert "it takes <strong>21</strong> dimensions" in html
    assert "6 dimensions more than your guess" in html
    assert "Reconstructions" in html and "Samples from the prior" in html
    assert html.count('src="/lab/img/') == 4
    assert 'alt="Ten handwritten digits' in html


def test_gan_reveals_collapse(client):
    response = client.get(reverse("lab:gan"), {"lr": "0.02", "beta1": "0.9", "guess": "one"})
    html = _html(response)
    assert response.status_code == 200
    assert "Right." in html
    assert "mode collapse" in html
    assert "Mean losses over each tenth of training" in html
    assert html.count("<circle") > 1000  # real and generated points at each snapshot


def test_networks_shows_boundary_and_every_layer(client):
    html = _html(client.get(reverse("lab:networks"), {"layers": "3", "reveal": "1"}))
    assert "Layer 3 (16 units)" in html
    assert html.count('src="/lab/img/') == 1 + 3
    assert "training accuracy <strong>" in html


def test_attention_cost_reveals_the_crossover(client):
    html = _html(client.get(reverse("lab:attention_cost"), {"d_model": "1024", "guess": "5000"}))
    assert "n = 6·d_model = 6,144" in html
    assert "You guessed n = 5,000" in html
    assert "Vaswani et al. 2017" in html and "Gu &amp; Dao 2023" in html


def test_scaling_shows_the_closed_form_optimum(client):
    html = _html(client.get(reverse("lab:scaling"), {"compute": "5.76e23", "guess": "3"}))
    assert "Right:" in html
    assert "<strong>2.83 times</strong>" in html
    assert "3.22 × 10¹⁰" in html  # N_opt from E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28
    assert "20 tokens per parameter" in html
    assert "E = 1.69, A = 406.4, B = 410.7, α = 0.34, β = 0.28" in html


@pytest.mark.parametrize(
    "url",
    [
        "/lab/diffusion/?guess=300",
        "/lab/vae/?reveal=1",
        "/lab/gan/?reveal=1&steps=250",
        "/lab/networks/?reveal=1&steps=100",
        "/lab/attention-cost/?reveal=1",
        "/lab/scaling/?reveal=1",
    ],
)
def test_htmx_gets_only_the_results_partial(client, url):
    response = client.get(url, **HTMX)
    html = _html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert "data-focus-after-swap" in html


@pytest.mark.parametrize(
    "url",
    [
        "/lab/diffusion/?guess=300",
        "/lab/vae/?reveal=1",
        "/lab/gan/?reveal=1&steps=250",
        "/lab/networks/?reveal=1&steps=100",
        "/lab/attention-cost/?reveal=1",
        "/lab/scaling/?reveal=1",
    ],
)
def test_pages_keep_the_csp_rules(client, url):
    html = _html(client.get(url))
    assert "style=" not in html
    assert "hx-on" not in html
    assert not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline scripts


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/lab/diffusion/?t=0,1000", "Timesteps must be between 0 and 999; 1000 is not."),
        ("/lab/diffusion/?t=-5", "Timesteps must be between 0 and 999; -5 is not."),
        ("/lab/diffusion/?t=ten", "Timesteps: “ten” is not a whole number."),
        ("/lab/diffusion/?t=" + ",".join(str(i) for i in range(13)), "at most 12 values"),
        ("/lab/diffusion/?seed=abc", "Seed must be a whole number"),
        ("/lab/diffusion/?size=4096", "Frame size must be one of 64, 128, 256"),
        ("/lab/diffusion/?image=../../etc/passwd", "Choose one of the sample images"),
        ("/lab/diffusion/?steps=1", "DDIM steps must be between 2 and 1,000"),
        ("/lab/diffusion/?guess=5000", "Your guess must be between 0 and 999"),
        ("/lab/vae/?q=0", "Latent dimensions must be between 1 and 32"),
        ("/lab/vae/?q=1e9", "Latent dimensions must be a whole number"),
        ("/lab/gan/?lr=1", "Learning rate must be one of"),
        ("/lab/gan/?steps=250&at=0,500", "Snapshot steps must be between 0 and 250; 500 is not."),
        ("/lab/networks/?layers=99", "Hidden layers must be between 1 and 4"),
        ("/lab/networks/?activation=sigmoid", "Activation must be one of tanh, relu"),
        ("/lab/attention-cost/?heads=7", "The number of heads must divide d_model"),
        ("/lab/attention-cost/?n=nan", "Context length n must be a whole number"),
        ("/lab/scaling/?compute=nan", "Compute budget (FLOPs) must be between"),
        ("/lab/scaling/?compute=1e400", "Compute budget (FLOPs) must be between"),
        ("/lab/scaling/?compute=lots", "Compute budget (FLOPs) must be a number"),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_500(client, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert message in _html(response).replace("&#x27;", "'")
    # htmx 2 does not swap 4xx responses, so the partial comes back 200 with the same message.
    swapped = client.get(url, **HTMX)
    assert swapped.status_code == 200
    assert message in _html(swapped).replace("&#x27;", "'")


def test_an_expired_upload_says_so(client):
    response = client.get(reverse("lab:diffusion"), {"image": "u-" + "0" * 32, "reveal": "1"})
    assert response.status_code == 400
    assert "This uploaded image is no longer kept" in _html(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/lab/diffusion/?guess=300",
        "/lab/vae/?reveal=1",
        "/lab/gan/?reveal=1&steps=250",
        "/lab/networks/?reveal=1&steps=100",
        "/lab/attention-cost/?reveal=1",
        "/lab/scaling/?reveal=1",
    ],
)
def test_lab_pages_make_no_queries(client, django_assert_num_queries, url):
    # Computed from the query string and the cache alone: no query, cold or warm.
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url, **HTMX).status_code == 200


def test_a_second_request_is_served_from_the_cache(client, monkeypatch):
    url = "/lab/gan/?reveal=1&steps=250"
    client.get(url)
    from learning.visuals import gan

    def untouchable(*args, **kwargs):
        raise AssertionError("trained again")

    monkeypatch.setattr(gan, "train", untouchable)
    assert client.get(url).status_code == 200
