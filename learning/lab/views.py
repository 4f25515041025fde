from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import generative_urls, language_urls


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Every lab page, grouped: language models, then generative models."""
    groups = [
        ("Language models you can poke", language_urls.LAB_PAGES),
        ("Generative models you can watch", generative_urls.LAB_PAGES),
    ]
    return render(
        request,
        "lab/index.html",
        {
            "groups": [
                (title, [(reverse(f"lab:{name}"), label, blurb) for name, label, blurb in pages])
                for title, pages in groups
                if pages
            ]
        },
    )
