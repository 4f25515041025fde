"""`{% fixed_url 'name' %}`: `{% url 'name' %}` for a URL without arguments, reversed once per
process (and script prefix). The site's header and footer hold 32 such links, on every page;
reversing them each time was a tenth of a signed-in dashboard's work."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse

register = template.Library()


@lru_cache(maxsize=256)
def _reversed(prefix: str, name: str) -> str:
    return reverse(name)


@register.simple_tag
def fixed_url(name: str) -> str:
    # Keyed by the prefix too: reverse() puts the request's SCRIPT_NAME in front.
    return _reversed(get_script_prefix(), name)
