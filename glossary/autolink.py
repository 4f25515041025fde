"""Auto-links: the first mention of a glossary term (or its alias or abbreviation) in concept,
step, architecture and paper texts links to the term's page.

The links are offsets computed when a text or the glossary changes (`autolinks_refresh`), stored
with the item, and turned into HTML at render time without a query (`render_with_links`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.apps import apps
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Term

AUTOLINKED_MODELS = (
    "learning.Concept",
    "learning.LLMStep",
    "learning.Architecture",
    "learning.Paper",
)
MIN_LENGTH = 3  # "AI" or "PE" alone would link everywhere


def matcher(terms: Iterable[Term]) -> tuple[re.Pattern | None, dict[str, str]]:
    """One regular expression for every name, alias and abbreviation (longest first), and the
    term slug each spelling stands for (lower-cased)."""
    spellings: dict[str, str] = {}
    for term in terms:
        for spelling in [term.name, term.abbreviation, *[str(a) for a in term.aliases or []]]:
            spelling = spelling.strip()
            if len(spelling) >= MIN_LENGTH:
                spellings.setdefault(spelling.lower(), term.slug)
    if not spellings:
        return None, {}
    alternatives = sorted(spellings, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(s) for s in alternatives) + r")(?![\w-])",
        re.IGNORECASE,
    )
    return pattern, spellings


def find_links(text: str, pattern: re.Pattern | None, spellings: dict[str, str]) -> list[list]:
    """[[start, end, slug]] for the first mention of each term in `text`."""
    if not pattern or not text:
        return []
    seen: set[str] = set()
    links = []
    for match in pattern.finditer(text):
        slug = spellings.get(match.group(1).lower())
        if slug and slug not in seen:
            seen.add(slug)
            links.append([match.start(), match.end(), slug])
    return links


def render_with_links(text: str, links: list | None) -> SafeString:
    """The text, escaped, with its stored links as anchors (links that no longer fit the text
    are skipped rather than breaking it)."""
    out, cursor = [], 0
    for start, end, slug in sorted(links or [], key=lambda link: link[0]):
        if start < cursor or end > len(text):
            continue
        out.append(escape(text[cursor:start]))
        url = reverse("glossary:term", args=[slug])
        out.append(f'<a class="term-link" href="{url}">{escape(text[start:end])}</a>')
        cursor = end
    out.append(escape(text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped


def autolinks_refresh(objects: Iterable | None = None) -> int:
    """Recomputes the links of the given items (all auto-linked items when None): one query
    for the glossary, one per model to read and one to write. Returns how many changed."""
    pattern, spellings = matcher(Term.objects.only("slug", "name", "abbreviation", "aliases"))
    groups: dict[type, list] = {}
    if objects is None:
        for label in AUTOLINKED_MODELS:
            model = apps.get_model(label)
            groups[model] = list(model.objects.all())
    else:
        for obj in objects:
            groups.setdefault(type(obj), []).append(obj)
    changed = 0
    for model, items in groups.items():
        dirty = []
        for obj in items:
            links = {
                field: find_links(getattr(obj, field), pattern, spellings)
                for field in model.AUTOLINK_FIELDS
            }
            if links != obj.autolinks:
                obj.autolinks = links
                dirty.append(obj)
        if dirty:
            model.objects.bulk_update(dirty, ["autolinks"])
            changed += len(dirty)
    return changed
