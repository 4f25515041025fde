"""A small, real language model: a word-level trigram model with interpolated Kneser–Ney
smoothing, trained in NumPy on this site's own text (concepts, LLM steps, architectures, papers,
glossary definitions and the other sections' summaries, as they are in the database).

It is tiny next to an LLM (a few thousand words of vocabulary, trained on the guide's own pages),
but its next-word distribution is a true probability distribution computed from counts: every
word of the vocabulary gets a share, and the shares sum to 1. That is what the sampling lab
needs: real numbers to apply temperature, top-k and top-p to.

Interpolated Kneser–Ney (Chen & Goodman 1998), one discount D = 0.75 at every order:

    P3(w | u v) = max(c(u v w) − D, 0) / c(u v •)  +  D · N1+(u v •) / c(u v •) · P2(w | v)
    P2(w | v)   = max(N1+(• v w) − D, 0) / N1+(• v •)  +  D · N1+(v •)' / N1+(• v •) · P1(w)
    P1(w)       = max(N1+(• w) − D, 0) / N1+(• •)  +  D · |{w: N1+(• w) > 0}| / N1+(• •) / |V|

where c counts occurrences, N1+(• v w) counts the distinct words seen before "v w" (continuation
counts), and a context never seen falls back to the next order down entirely.

The model trains once per process, on first use, behind a lock (one database query).
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

DISCOUNT = 0.75
START = "<s>"
END = "</s>"  # shown to learners as "(end of sentence)"
ORDER = 3

_WORD = re.compile(r"\d+(?:[.,]\d+)*%?|[^\W_]+(?:['’\-][^\W_]+)*|[,;:]|[.!?]")
_SENTENCE_END = {".", "!", "?"}


def words(text: str) -> list[str]:
    """Lower-cased words, numbers and the punctuation the model predicts (, ; : . ! ?)."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def sentences(text: str) -> list[list[str]]:
    """The text's sentences as word lists (the final . ! or ? dropped: END stands for it)."""
    out, current = [], []
    for w in words(text):
        if w in _SENTENCE_END:
            if current:
                out.append(current)
            current = []
        else:
            current.append(w)
    if current:
        out.append(current)
    return out


def detokenize(tokens: list[str]) -> str:
    """Words back to text: no space before punctuation; END as a full stop."""
    text = ""
    for t in tokens:
        if t == END:
            text += "."
        elif t in {",", ";", ":"} or not text:
            text += t
        else:
            text += " " + t
    return text


@dataclass(frozen=True)
class _Table:
    """The words seen after one context, as arrays: ids, their counts, the total, the types."""

    ids: np.ndarray
    counts: np.ndarray
    total: float
    types: int


def _table(counter: Counter) -> _Table:
    ids = np.fromiter(counter.keys(), dtype=np.int64, count=len(counter))
    counts = np.fromiter(counter.values(), dtype=np.float64, count=len(counter))
    ids.flags.writeable = False
    counts.flags.writeable = False
    return _Table(ids=ids, counts=counts, total=float(counts.sum()), types=len(counter))


@dataclass(frozen=True)
class Prediction:
    """The next-word distribution after a prompt, and what the model based it on."""

    context: tuple[str, str]  # the last two words of the prompt (START at a sentence start)
    order: int  # 3: the two-word context was seen in training; 2: only the last word; 1: neither
    context_count: int  # how often the context used was seen in training
    probabilities: np.ndarray  # (V,), sums to 1, every entry > 0


class TrigramModel:
    """Counts, turned into interpolated Kneser–Ney probabilities on demand."""

    def __init__(self, texts: list[str]) -> None:
        trigrams: Counter = Counter()
        for text in texts:
            for sentence in sentences(text):
                padded = [START, START, *sentence, END]
                trigrams.update(zip(padded, padded[1:], padded[2:], strict=False))
        self.training_words = sum(trigrams.values())
        vocab = sorted({w for (_, _, w) in trigrams})  # every word that can come next
        self.vocabulary: tuple[str, ...] = tuple(vocab)
        self.index = {w: i for i, w in enumerate(vocab)}
        self.index.setdefault(START, len(vocab))  # a context, never a prediction

        tri: dict[tuple[int, int], Counter] = defaultdict(Counter)
        bi_cont: dict[int, Counter] = defaultdict(Counter)  # N1+(• v w)
        uni_cont: Counter = Counter()  # N1+(• w)
        bigrams_seen: set[tuple[int, int]] = set()
        for (u, v, w), count in trigrams.items():
            iu, iv, iw = self.index[u], self.index[v], self.index[w]
            tri[(iu, iv)][iw] += count
            bi_cont[iv][iw] += 1
            if (iv, iw) not in bigrams_seen:
                bigrams_seen.add((iv, iw))
                uni_cont[iw] += 1
        self._trigram = {k: _table(c) for k, c in tri.items()}
        self._bigram = {k: _table(c) for k, c in bi_cont.items()}

        size = len(vocab)
        cont = np.zeros(size)
        for iw, n in uni_cont.items():
            cont[iw] = n
        total = cont.sum()
        unigram = np.maximum(cont - DISCOUNT, 0) / total
        unigram += DISCOUNT * np.count_nonzero(cont) / total / size
        unigram.flags.writeable = False
        self._unigram = unigram

    def __len__(self) -> int:
        return len(self.vocabulary)

    def _context_ids(self, prompt: str) -> tuple[tuple[str, str], tuple[int | None, int | None]]:
        split = sentences(prompt)
        last = split[-1] if split and not _ends_sentence(prompt) else []
        context = tuple(([START, START] + last)[-2:])
        return context, tuple(self.index.get(w) for w in context)

    def predict(self, prompt: str) -> Prediction:
        """P(next word | the prompt's last two words), over the whole vocabulary."""
        (u, v), (iu, iv) = self._context_ids(prompt)
        p = self._unigram.copy()
        order, context_count = 1, 0
        bigram = self._bigram.get(iv) if iv is not None else None
        if bigram is not None:
            p *= DISCOUNT * bigram.types / bigram.total
            p[bigram.ids] += np.maximum(bigram.counts - DISCOUNT, 0) / bigram.total
            order, context_count = 2, int(bigram.total)
        trigram = self._trigram.get((iu, iv)) if iu is not None and iv is not None else None
        if trigram is not None:
            p *= DISCOUNT * trigram.types / trigram.total
            p[trigram.ids] += np.maximum(trigram.counts - DISCOUNT, 0) / trigram.total
            order, context_count = 3, int(trigram.total)
        p /= p.sum()  # already 1 up to rounding; make it exact for sampling
        p.flags.writeable = False
        return Prediction(context=(u, v), order=order, context_count=context_count, probabilities=p)


def _ends_sentence(prompt: str) -> bool:
    ws = words(prompt)
    return bool(ws) and ws[-1] in _SENTENCE_END


def corpus() -> list[str]:
    """The site's own prose (concepts, LLM steps, architectures, papers, glossary definitions,
    pioneers, model families, prompt techniques, roadmap, learning path and system types), in one
    query: a UNION ALL over the text columns."""
    from glossary.models import Definition
    from learning import models as m

    columns = [
        (m.Concept, "summary"),
        (m.Concept, "body"),
        (m.LLMStep, "body"),
        (m.Architecture, "summary"),
        (m.Architecture, "body"),
        (m.Paper, "summary"),
        (Definition, "text"),
        (m.Pioneer, "summary"),
        (m.ModelFamily, "summary"),
        (m.PromptTechnique, "summary"),
        (m.RoadmapStage, "summary"),
        (m.LearningPathStage, "summary"),
        (m.SystemType, "summary"),
    ]
    first, *rest = (
        model.objects.order_by().values_list(field, flat=True) for model, field in columns
    )
    return [text for text in first.union(*rest, all=True).order_by() if text]


_lock = threading.Lock()
_model: TrigramModel | None = None


def load() -> TrigramModel:
    """The process's trigram model: trained from the database on first call, then shared."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = TrigramModel(corpus())
    return _model


def unload() -> None:
    """Forgets the trained model, so the next `load()` retrains from the current content."""
    global _model
    with _lock:
        _model = None
