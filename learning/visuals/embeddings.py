"""Sentence embeddings from all-MiniLM-L6-v2 (see `minilm`): similarities, a 2-D map of the
glossary, and semantic search over it.

A glossary term is embedded as "name: first definition". The term embeddings are computed once per
process and kept with a fingerprint of the text they came from; every use reads the glossary (one
query) and recomputes only when an instructor has changed a name or a definition since.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from django.db.models import OuterRef, Subquery

from . import minilm

if TYPE_CHECKING:  # imported lazily at run time: this module loads before the apps are ready
    from glossary.models import Term


def embed(texts: list[str]) -> np.ndarray:
    """(len(texts), 384) unit vectors: the cosine similarity of two texts is their dot product."""
    return minilm.load().embed(texts)


def cosine_matrix(vectors: np.ndarray) -> np.ndarray:
    """Pairwise cosine similarities of unit vectors, clipped to [-1, 1] against rounding."""
    return np.clip(vectors @ vectors.T, -1.0, 1.0)


def glossary_terms() -> list[Term]:
    """Every glossary term, in name order, with `first_definition` (its first definition's text,
    or None): one query."""
    from glossary.models import Definition, Term

    first = Definition.objects.filter(term=OuterRef("pk")).order_by("position").values("text")[:1]
    return list(Term.objects.annotate(first_definition=Subquery(first)).order_by("name", "pk"))


def term_text(term: Term) -> str:
    """What the model reads for a term."""
    if term.first_definition:
        return f"{term.name}: {term.first_definition}"
    return term.name


def _fingerprint(texts: list[str]) -> str:
    digest = hashlib.sha256()
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class GlossarySpace:
    """The glossary's embeddings and the plane (PCA) the map draws them on."""

    fingerprint: str
    vectors: np.ndarray  # (terms, 384), unit rows, read-only
    mean: np.ndarray  # (384,): the centre the principal components are taken around
    components: np.ndarray  # (2, 384): the two directions of largest variance
    explained: float  # share of the variance the two components keep

    def project(self, vectors: np.ndarray) -> np.ndarray:
        """(n, 384) → (n, 2) coordinates on the map."""
        return (vectors - self.mean) @ self.components.T


def pca(vectors: np.ndarray, dimensions: int = 2) -> tuple[np.ndarray, np.ndarray, float]:
    """Principal components by SVD of the centred data: (mean, components, explained share).
    Each component's sign is fixed (largest loading positive) so the map does not flip between
    runs."""
    mean = vectors.mean(axis=0)
    centred = vectors - mean
    _, singular, vt = np.linalg.svd(centred, full_matrices=False)
    components = vt[:dimensions].copy()
    for row in components:
        if row[np.argmax(np.abs(row))] < 0:
            row *= -1
    variance = singular**2
    explained = float(variance[:dimensions].sum() / variance.sum()) if variance.sum() else 0.0
    return mean, components, explained


_lock = threading.Lock()
_space: GlossarySpace | None = None


def glossary_space(terms: list[Term]) -> GlossarySpace:
    """The embeddings of `terms` (as `glossary_terms()` returns them), computed again only when
    their text differs from last time."""
    global _space
    texts = [term_text(t) for t in terms]
    fingerprint = _fingerprint(texts)
    space = _space
    if space is not None and space.fingerprint == fingerprint:
        return space
    with _lock:
        if _space is not None and _space.fingerprint == fingerprint:
            return _space
        vectors = embed(texts) if texts else np.zeros((0, minilm.HIDDEN), np.float32)
        if len(texts) >= 3:
            mean, components, explained = pca(vectors)
        else:  # too few terms for a plane: a map would be meaningless
            mean = np.zeros(minilm.HIDDEN, np.float32)
            components, explained = np.zeros((2, minilm.HIDDEN), np.float32), 0.0
        for array in (vectors, mean, components):
            array.flags.writeable = False
        _space = GlossarySpace(fingerprint, vectors, mean, components, explained)
        return _space


def nearest(
    space: GlossarySpace, terms: list[Term], vector: np.ndarray, limit: int
) -> list[tuple[Term, float]]:
    """The `limit` terms closest to `vector` (a unit vector), with their cosine similarity."""
    if not terms:
        return []
    scores = space.vectors @ vector
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(terms[i], float(scores[i])) for i in order]


def semantic_search(query: str, limit: int = 10) -> list[tuple[Term, float]]:
    """Glossary terms ranked by meaning, not spelling: [(Term, cosine similarity), ...], most
    similar first. One query (the glossary), plus the embedding of `query` (truncated at 256
    wordpieces, like the model's training)."""
    query = query.strip()
    if not query or limit <= 0:
        return []
    terms = glossary_terms()
    space = glossary_space(terms)
    return nearest(space, terms, embed([query])[0], limit)
