"""Ranked, typo-tolerant search over glossary terms (and the site's concepts and papers).

Ranks, best first: an exact name, abbreviation or alias; a name (or alias) starting with the
query; the query inside a name; a name within a few typos of the query ("transfomer"); the
query mentioned in a definition. On PostgreSQL, typos are matched with pg_trgm's trigram
similarity and definitions with full-text search; on SQLite the same ranks come from a
trigram similarity computed in Python over the terms' names (one query) and a substring match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet

from .models import Definition, Term

MAX_QUERY_LENGTH = 100
EXACT, PREFIX, IN_NAME, CLOSE, IN_DEFINITION = range(5)
# Two strings this similar (Jaccard over padded trigrams, as pg_trgm computes it) count as a
# typo of each other: "transfomer"/"transformer" is 0.57, "difusion"/"diffusion" 0.58.
SIMILARITY_THRESHOLD = 0.3


class QueryError(ValueError):
    """A query we will not run, with a message for the learner."""


def clean_query(raw: str | None) -> str:
    q = " ".join((raw or "").split())
    if len(q) > MAX_QUERY_LENGTH:
        raise QueryError(f"That search is too long: use at most {MAX_QUERY_LENGTH} characters.")
    if any(ord(ch) < 32 for ch in q):
        raise QueryError("That search has control characters in it.")
    return q


def trigrams(text: str) -> set[str]:
    """pg_trgm's trigrams: each word lower-cased, padded with two spaces before, one after."""
    grams: set[str] = set()
    for word in re.findall(r"[0-9a-z]+", text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / len(ta | tb)


def word_similarity(query: str, text: str) -> float:
    """The best similarity of the query to the text as a whole or to any of its words, so
    "atention" matches "Multi-Head Attention"."""
    candidates = [text, *re.findall(r"[0-9A-Za-z]+", text)]
    return max((similarity(query, c) for c in candidates), default=0.0)


@dataclass(frozen=True)
class TermHit:
    term: Term
    rank: int
    score: float


def _names(term: Term) -> list[str]:
    return [term.name, term.abbreviation, *[str(a) for a in term.aliases or []]]


def _lexical_rank(q: str, names: list[str]) -> int | None:
    lowered = q.lower()
    values = [n.lower() for n in names if n]
    if lowered in values:
        return EXACT
    if any(v.startswith(lowered) for v in values):
        return PREFIX
    if any(lowered in v for v in values):
        return IN_NAME
    return None


def search_terms(
    q: str, queryset: QuerySet[Term] | None = None, limit: int | None = None
) -> list[TermHit]:
    """Terms matching `q`, best first (ties by closeness, then name). Two or three queries,
    whatever the size of the glossary."""
    q = clean_query(q)
    if not q:
        return []
    base = (queryset if queryset is not None else Term.objects.all()).prefetch_related(None)
    on_postgres = connection.vendor == "postgresql"
    terms = list(
        _with_trigram_similarity(q, base) if on_postgres else base.select_related("category")
    )
    if on_postgres:
        close_ids = {t.pk for t in terms if (t.similar or 0) >= SIMILARITY_THRESHOLD}
        mentioned = set(
            Definition.objects.filter(term__in=base)
            .filter(_postgres_text_match(q))
            .values_list("term_id", flat=True)
        )
    else:
        close_ids = None
        mentioned = set(
            Definition.objects.filter(term__in=base, text__icontains=q).values_list(
                "term_id", flat=True
            )
        )
    hits = []
    for term in terms:
        names = _names(term)
        rank = _lexical_rank(q, names)
        score = max((word_similarity(q, n) for n in names if n), default=0.0)
        if rank is None:
            if close_ids is None:
                close = score >= SIMILARITY_THRESHOLD
            else:  # names by pg_trgm in the database; aliases (a JSON list) here
                close = term.pk in close_ids or any(
                    word_similarity(q, str(a)) >= SIMILARITY_THRESHOLD for a in term.aliases or []
                )
            if close:
                rank = CLOSE
            elif term.pk in mentioned:
                rank = IN_DEFINITION
        if rank is not None:
            hits.append(TermHit(term, rank, score))
    hits.sort(key=lambda h: (h.rank, -h.score, h.term.name.lower()))
    return hits[:limit] if limit else hits


def _with_trigram_similarity(q: str, base: QuerySet[Term]) -> QuerySet[Term]:
    """The terms, each with `similar`: pg_trgm's word similarity of `q` to its name or
    abbreviation, whichever is closer (one query, like the SQLite path)."""
    from django.contrib.postgres.search import TrigramWordSimilarity
    from django.db.models.functions import Greatest

    return base.select_related("category").annotate(
        similar=Greatest(TrigramWordSimilarity(q, "name"), TrigramWordSimilarity(q, "abbreviation"))
    )


def _postgres_text_match(q: str) -> Q:
    from django.contrib.postgres.search import SearchQuery, SearchVector

    return Q(
        pk__in=Definition.objects.annotate(document=SearchVector("text", config="english"))
        .filter(document=SearchQuery(q, config="english", search_type="websearch"))
        .values("pk")
    ) | Q(text__icontains=q)


def search_site(q: str, limit: int = 20) -> dict:
    """What the header's search box finds: terms (ranked), then concepts and papers."""
    from learning.models import Concept, Paper

    q = clean_query(q)
    if not q:
        return {"q": q, "terms": [], "concepts": [], "papers": []}
    terms = search_terms(q, limit=limit)
    text = Q(title__icontains=q) | Q(summary__icontains=q)
    concepts = list(Concept.objects.filter(text | Q(body__icontains=q)).order_by("position")[:10])
    papers = list(
        Paper.objects.filter(text | Q(short_title__icontains=q) | Q(arxiv_id=q)).order_by(
            "position"
        )[:10]
    )
    # Typos in concept and paper titles: closest first, among the few there are.
    if not concepts:
        concepts = _close_titles(q, Concept.objects.order_by("position"))
    if not papers:
        papers = _close_titles(q, Paper.objects.order_by("position"))[:5]
    return {"q": q, "terms": terms, "concepts": concepts, "papers": papers}


def _close_titles(q: str, queryset) -> list:
    scored = [(word_similarity(q, obj.title), obj) for obj in queryset]
    return [obj for score, obj in sorted(scored, key=lambda p: -p[0]) if score >= 0.4][:5]
