"""The language-model lab: tokenizer, sampling, attention and embeddings, computed for the learner's
input. Each page is one GET form (so a link reproduces what it shows); with htmx the form swaps in
only the page's `results` partial.

Each page asks the learner to predict before it reveals: the prediction is a GET parameter
(`guess`), and `reveal=1` shows the answer without one.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from learning.services import lab_guess_record
from learning.visuals import embeddings as emb
from learning.visuals import minilm, ngram, sampling, token_tax, tokens

TOKENIZER_MAX_CHARS = 10_000
ATTENTION_MAX_TOKENS = 64  # [CLS] and [SEP] included
ATTENTION_MAX_CHARS = 1_000
PROMPT_MAX_CHARS = 500
SENTENCE_MAX_CHARS = 300
SENTENCES_MIN, SENTENCES_MAX = 1, 8
SAMPLES_MAX = 100
SEED_MAX = 2**32 - 1


class BadInput(ValueError):
    """A parameter the page cannot use; the message says why, in the learner's terms."""


def _clean_text(value: str, label: str, max_chars: int) -> str:
    """`value` if it is usable text; else BadInput (empty, too long, binary, control characters)."""
    if not value.strip():
        raise BadInput(f"{label} is empty: type some text.")
    if len(value) > max_chars:
        raise BadInput(f"{label} is {len(value):,} characters long; the limit is {max_chars:,}.")
    if "\x00" in value:
        raise BadInput(f"{label} contains a NUL byte: that is binary data, not text.")
    if "\ufffd" in value:
        raise BadInput(f"{label} contains bytes that are not valid UTF-8 text.")
    for char in value:
        if unicodedata.category(char) == "Cc" and char not in "\t\n\r":
            raise BadInput(
                f"{label} contains the control character U+{ord(char):04X}; "
                "remove it (tabs and line breaks are fine)."
            )
    return value


def _printable(value: str) -> str:
    """The learner's input as it can be shown again in the form: control characters removed."""
    return "".join(c for c in value if c in "\t\n\r" or unicodedata.category(c) != "Cc").replace(
        "\ufffd", ""
    )


def _number(
    query: QueryDict, name: str, default: float, low: float, high: float, label: str
) -> float:
    raw = query.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadInput(f"{label} must be a number between {low:g} and {high:g}.") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadInput(f"{label} must be a number between {low:g} and {high:g}.")
    return value


def _integer(query: QueryDict, name: str, default: int, low: int, high: int, label: str) -> int:
    raw = query.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadInput(f"{label} must be a whole number from {low:,} to {high:,}.") from None
    if not low <= value <= high:
        raise BadInput(f"{label} must be a whole number from {low:,} to {high:,}.")
    return value


def _revealed(query: QueryDict) -> bool:
    return query.get("reveal") == "1"


def _render(request: HttpRequest, template: str, context: dict, errors: list[str]) -> HttpResponse:
    """The whole page, or (for htmx) only its results partial. A full page with errors is a 400;
    the htmx fragment stays 200, since htmx does not swap in 4xx responses and the learner must
    see the message."""
    fragment = bool(request.htmx) and not request.htmx.history_restore_request
    status = 400 if errors and not fragment else 200
    if context.get("guess_right") is not None and request.user.is_authenticated:
        lab_guess_record(
            user=request.user,
            lab=template.rsplit("/", 1)[-1].removesuffix(".html"),
            correct=context["guess_right"],
            state=request.GET.urlencode(),
        )
    response = render(
        request,
        f"{template}#results" if fragment else template,
        {**context, "errors": errors},
        status=status,
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


# Tokenizer -------------------------------------------------------------------------------------

TOKENIZER_DEFAULT = "Hello, Generative AI!"


@dataclass(frozen=True)
class Tokenized:
    encoding: str
    tokens: list[tokens.Token]
    vocabulary: int
    characters_per_token: float


@require_GET
def tokenizer(request: HttpRequest) -> HttpResponse:
    """Tokens and IDs for two real GPT encodings, counts, and the token tax across languages."""
    query = request.GET
    raw = query.get("text", TOKENIZER_DEFAULT)
    errors: list[str] = []
    text = ""
    try:
        text = _clean_text(raw, "The text", TOKENIZER_MAX_CHARS)
    except BadInput as problem:
        errors.append(str(problem))

    tokenized = []
    if text:
        for name in tokens.ENCODINGS:
            toks = tokens.encode(text, name)
            tokenized.append(
                Tokenized(
                    encoding=name,
                    tokens=toks,
                    vocabulary=tokens.vocabulary_size(name),
                    characters_per_token=len(text) / len(toks) if toks else 0.0,
                )
            )

    languages = token_tax.samples()
    codes = {s.code for s in languages}
    guess = query.get("guess", "")
    if guess and guess not in codes:
        errors.append("Pick one of the listed languages as your guess.")
        guess = ""
    revealed = bool(guess) or _revealed(query)
    table = token_tax.rows(text) if revealed else []
    costliest = token_tax.costliest("cl100k_base")
    context = {
        "text": _printable(raw),
        "max_chars": TOKENIZER_MAX_CHARS,
        "tokenized": tokenized,
        "characters": len(text),
        "words": len(text.split()),
        "languages": languages,
        "guess": guess,
        "revealed": revealed,
        "guess_right": guess in costliest if guess else None,
        "guess_row": next((r for r in table if r.code == guess and not r.is_learners), None),
        "costliest": [r for r in table if r.code in costliest and not r.is_learners],
        "tax": table,
        "chart": token_tax.chart(table) if table else None,
    }
    return _render(request, "lab/language/tokenizer.html", context, errors)


# Sampling --------------------------------------------------------------------------------------

SAMPLING_DEFAULT = "Large language"
GUESS_TEMPERATURE = 0.2
TABLE_TEMPERATURES = [0.0, 0.2, 0.5, 1.0, 1.5, 2.0]
SHOWN_TOKENS = 15
CONTINUATION_WORDS = 12


def _label(word: str) -> str:
    return "(end of sentence)" if word == ngram.END else word


BAR_WIDTH = 80  # px, the small bar under each share in the steps table


@dataclass(frozen=True)
class Share:
    value: float | None  # None: cut at this step or before
    bar: float  # bar width, in px


@dataclass(frozen=True)
class StepRow:
    rank: int
    token: str
    shares: list[Share]  # model, after temperature, after top-k, after top-p
    status: str  # "kept", or the step that took its share away: "temperature", "top-k", "top-p"


@require_GET
def sampling_page(request: HttpRequest) -> HttpResponse:
    """A real next-word distribution (a trigram model of this site's text) through temperature,
    top-k and top-p, with seeded draws."""
    query = request.GET
    # Trained on the first request of the process (one query), whatever the input.
    model = ngram.load()
    raw = query.get("prompt", SAMPLING_DEFAULT)
    errors: list[str] = []
    prompt = ""
    try:
        prompt = _clean_text(raw, "The prompt", PROMPT_MAX_CHARS)
        if not ngram.words(prompt):
            raise BadInput("The prompt has no words: type at least one word.")
    except BadInput as problem:
        errors.append(str(problem))
        prompt = ""

    settings = {}
    for key, parse in [
        ("t", lambda: _number(query, "t", 1.0, 0.0, sampling.MAX_TEMPERATURE, "Temperature")),
        ("k", lambda: _integer(query, "k", 10, 0, 10_000, "Top-k")),
        ("p", lambda: _number(query, "p", 0.9, 0.0, 1.0, "Top-p")),
        ("n", lambda: _integer(query, "n", 20, 1, SAMPLES_MAX, "The number of samples")),
        ("seed", lambda: _integer(query, "seed", 42, 0, SEED_MAX, "The seed")),
    ]:
        try:
            settings[key] = parse()
        except BadInput as problem:
            errors.append(str(problem))
    shown_settings = {key: query.get(key, "") for key in ("t", "k", "p", "n", "seed")}
    shown_settings.update({key: value for key, value in settings.items()})

    context: dict = {"prompt": _printable(raw), "settings": shown_settings, "revealed": False}
    if errors:
        return _render(request, "lab/language/sampling.html", context, errors)

    vocab = model.vocabulary
    prediction = model.predict(prompt)
    probabilities = prediction.probabilities
    order = np.argsort(-probabilities, kind="stable")
    # The question: five most likely words, alphabetically, so their order gives nothing away.
    options = sorted(_label(vocab[i]) for i in order[:5])
    winner = _label(vocab[order[0]])
    guess = query.get("guess", "")
    if guess and guess not in options:
        errors.append("Pick one of the listed words as your guess.")
        guess = ""
    revealed = bool(guess) or _revealed(query)
    context.update(
        {
            "options": options,
            "guess": guess,
            "revealed": revealed,
            "guess_temperature": GUESS_TEMPERATURE,
            "vocabulary": len(model),
            "training_words": model.training_words,
            "prediction": prediction,
            "context_words": [
                _label(w) if w != ngram.START else "(start)" for w in prediction.context
            ],
        }
    )
    if revealed:
        t, k, p = settings["t"], settings["k"], settings["p"]
        steps = sampling.decode(probabilities, temperature=t, k=k, top=p)
        at_guess = sampling.with_temperature(probabilities, GUESS_TEMPERATURE)
        rows = []
        for rank, i in enumerate(order[:SHOWN_TOKENS], start=1):
            status = "kept"
            if steps.tempered[i] == 0:  # T = 0 (greedy), or so low that the share underflows
                status = "temperature"
            elif steps.after_top_k[i] == 0:
                status = "top-k"
            elif steps.after_top_k[i] > 0 and steps.final[i] == 0:
                status = "top-p"
            values = [steps.model[i], steps.tempered[i], steps.after_top_k[i], steps.final[i]]
            cut_from = {"kept": 4, "top-p": 3, "top-k": 2, "temperature": 2}[status]
            rows.append(
                StepRow(
                    rank=rank,
                    token=_label(vocab[i]),
                    shares=[
                        Share(float(v), round(float(v) * BAR_WIDTH, 1))
                        if column < cut_from
                        else Share(None, 0.0)
                        for column, v in enumerate(values)
                    ],
                    status=status,
                )
            )
        rest = order[SHOWN_TOKENS:]
        draws = sampling.draw(steps.final, settings["n"], settings["seed"])
        tally: dict[int, int] = {}
        for i in draws:
            tally[i] = tally.get(i, 0) + 1
        temperatures = sorted({*TABLE_TEMPERATURES, t})
        context.update(
            {
                "guess_right": guess == winner if guess else None,
                "winner": winner,
                "winner_share_at_guess": float(at_guess[order[0]]),
                "winner_share": float(probabilities[order[0]]),
                "rows": rows,
                "rest": {
                    "count": len(rest),
                    "model": float(steps.model[rest].sum()),
                    "tempered": float(steps.tempered[rest].sum()),
                    "after_top_k": float(steps.after_top_k[rest].sum()),
                    "final": float(steps.final[rest].sum()),
                },
                "cut_k": _cut(steps.cut_by_top_k, steps.tempered, vocab),
                "cut_p": _cut(steps.cut_by_top_p, steps.after_top_k, vocab),
                "kept": int(np.count_nonzero(steps.final)),
                "draws": [_label(vocab[i]) for i in draws],
                "tally": [
                    (_label(vocab[i]), count, float(steps.final[i]) * settings["n"])
                    for i, count in sorted(tally.items(), key=lambda item: (-item[1], item[0]))
                ],
                "continuation": _continue(model, prompt, t, k, p, settings["seed"]),
                "temperature_rows": [
                    (row, [(_label(vocab[i]), share) for i, share in row.top])
                    for row in sampling.temperature_table(probabilities, temperatures)
                ],
                "learner_temperature": t,
            }
        )
    return _render(request, "lab/language/sampling.html", context, errors)


@dataclass(frozen=True)
class Cut:
    count: int
    share: float  # of the distribution the step started from
    examples: list[str]  # the most likely few of the tokens cut


def _cut(indices: np.ndarray, before: np.ndarray, vocab: tuple[str, ...]) -> Cut:
    ranked = indices[np.argsort(-before[indices], kind="stable")]
    return Cut(
        count=len(indices),
        share=float(before[indices].sum()),
        examples=[_label(vocab[i]) for i in ranked[:5]],
    )


def _continue(model: ngram.TrigramModel, prompt: str, t: float, k: int, p: float, seed: int) -> str:
    """Words sampled one after another with the learner's settings, from the same seed, as text
    to append to the prompt."""
    rng = np.random.default_rng(seed)
    text, added = prompt.rstrip(), []
    for _ in range(CONTINUATION_WORDS):
        final = sampling.decode(model.predict(text).probabilities, temperature=t, k=k, top=p).final
        word = model.vocabulary[int(rng.choice(len(final), p=final))]
        added.append(word)
        if word == ngram.END:
            break
        text += " " + word
    continuation = ngram.detokenize(added)
    return continuation if continuation[:1] in {",", ";", ":", "."} else " " + continuation


# Attention -------------------------------------------------------------------------------------

ATTENTION_DEFAULT = "The animal didn't cross the street because it was too tired."
SPECIAL_TOKENS = {"[CLS]", "[SEP]"}
CELL = 22  # heatmap cell size, in SVG units


@require_GET
def attention(request: HttpRequest) -> HttpResponse:
    """The real attention weights of all-MiniLM-L6-v2 for the learner's sentence."""
    query = request.GET
    raw = query.get("text", ATTENTION_DEFAULT)
    errors: list[str] = []
    text = ""
    try:
        text = _clean_text(raw, "The sentence", ATTENTION_MAX_CHARS)
    except BadInput as problem:
        errors.append(str(problem))
    try:
        layer = _integer(query, "layer", 4, 1, minilm.LAYERS, "The layer")
    except BadInput as problem:
        errors.append(str(problem))
        layer = 4
    head_raw = query.get("head", "2").strip() or "2"
    head: int | None = None  # None: the mean over the layer's heads
    if head_raw != "mean":
        try:
            head = _integer(query, "head", 2, 1, minilm.HEADS, "The head")
        except BadInput:
            errors.append(f"The head must be a whole number from 1 to {minilm.HEADS}, or “mean”.")
            head = 2
    context: dict = {
        "text": _printable(raw),
        "layer": layer,
        "head": head,
        "layers": range(1, minilm.LAYERS + 1),
        "heads": range(1, minilm.HEADS + 1),
        "max_tokens": ATTENTION_MAX_TOKENS,
        "revealed": False,
    }
    result = None
    if text:
        try:
            result = minilm.load().run(text, max_tokens=ATTENTION_MAX_TOKENS)
        except minilm.TooLong as too_long:
            errors.append(
                f"The sentence is {too_long.count} tokens long; the lab shows attention for up to "
                f"{too_long.limit} ([CLS] and [SEP] included). Shorten it."
            )
    if result is None or errors:
        return _render(request, "lab/language/attention.html", context, errors)

    toks = list(result.encoding.tokens)
    n = len(toks)
    layer_weights = result.attentions[layer - 1]
    weights = layer_weights.mean(axis=0) if head is None else layer_weights[head - 1]
    words = [i for i, t in enumerate(toks) if t not in SPECIAL_TOKENS]
    default_focus = next((i for i, t in enumerate(toks) if t == "it"), words[0] if words else 0)
    try:
        focus = _integer(query, "token", default_focus + 1, 1, n, "The chosen token") - 1
    except BadInput as problem:
        errors.append(f"{problem} (this sentence has {n} tokens)")
        focus = default_focus
    row = weights[focus]
    others = [i for i in words if i != focus]
    answer = max(others, key=lambda i: row[i]) if others else None
    guess_raw = query.get("guess", "")
    guess = None
    if guess_raw:
        try:
            guess = _integer(query, "guess", 0, 1, n, "Your guess") - 1
            if guess not in others:
                raise BadInput("Pick one of the listed words as your guess.")
        except BadInput as problem:
            errors.append(str(problem))
            guess = None
    revealed = guess is not None or _revealed(query)
    context.update(
        {
            "tokens": toks,
            "token_rows": [
                (i + 1, t, int(token_id))
                for i, (t, token_id) in enumerate(zip(toks, result.encoding.ids, strict=True))
            ],
            "n": n,
            "focus": focus,
            "focus_token": toks[focus],
            "options": [(i, toks[i]) for i in others],
            "guess": guess,
            "revealed": revealed,
        }
    )
    if revealed:
        strongest = int(np.argmax(row))
        context.update(
            {
                "guess_right": (guess == answer) if guess is not None else None,
                "answer": answer,
                "answer_token": toks[answer] if answer is not None else "",
                "answer_weight": float(row[answer]) if answer is not None else 0.0,
                "strongest": strongest,
                "strongest_token": toks[strongest],
                "strongest_weight": float(row[strongest]),
                "heatmap": _heatmap(toks, weights, focus),
                "bars": [
                    (i, t, float(w), round(float(w) * 300, 1))
                    for i, (t, w) in enumerate(zip(toks, row, strict=True))
                ],
                "bars_height": 24 * n + 10,
                "matrix": [(i, t, [float(w) for w in weights[i]]) for i, t in enumerate(toks)],
                "row_sums": [float(s) for s in weights.sum(axis=1)],
            }
        )
    return _render(request, "lab/language/attention.html", context, errors)


def _heatmap(toks: list[str], weights: np.ndarray, focus: int) -> dict:
    """Geometry of the attention heatmap: a cell per (query, key), opacity = weight."""
    label = 90
    n = len(toks)
    return {
        "size": label + n * CELL,
        "label": label,
        "cell": CELL,
        "inner": CELL - 2,
        "labels": [(t, label + i * CELL + CELL // 2) for i, t in enumerate(toks)],
        "cells": [
            (label + j * CELL, label + i * CELL, round(float(weights[i, j]), 3))
            for i in range(n)
            for j in range(n)
        ],
        "focus_y": label + focus * CELL,
        "width": n * CELL,
    }


# Embeddings ------------------------------------------------------------------------------------

EMBEDDINGS_DEFAULT = "\n".join(
    [
        "A cat sits on the mat.",
        "A kitten is resting on a rug.",
        "The stock market fell sharply today.",
        "Transformers use attention to relate words to each other.",
    ]
)
MAP_SIZE = 560
NEAREST = 3


@require_GET
def embeddings_page(request: HttpRequest) -> HttpResponse:
    """Sentence embeddings (all-MiniLM-L6-v2): similarities, the glossary map, nearest terms."""
    query = request.GET
    raw = query.get("sentences", EMBEDDINGS_DEFAULT)
    errors: list[str] = []
    lines: list[str] = []
    try:
        _clean_text(raw, "The sentences", SENTENCES_MAX * (SENTENCE_MAX_CHARS + 2))
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        if not SENTENCES_MIN <= len(lines) <= SENTENCES_MAX:
            raise BadInput(
                f"Type {SENTENCES_MIN} to {SENTENCES_MAX} sentences, one per line "
                f"(you typed {len(lines)})."
            )
        for number, line in enumerate(lines, start=1):
            if len(line) > SENTENCE_MAX_CHARS:
                raise BadInput(
                    f"Sentence {number} is {len(line)} characters long; "
                    f"the limit is {SENTENCE_MAX_CHARS}."
                )
    except BadInput as problem:
        errors.append(str(problem))
        lines = []

    context: dict = {"sentences_text": _printable(raw), "revealed": False}
    # The glossary is read on every request (one query), whatever the input, so that an edit to
    # a term is picked up and the page's query count stays constant.
    terms = emb.glossary_terms()
    if errors:
        return _render(request, "lab/language/embeddings.html", context, errors)

    vectors = emb.embed(lines)
    cosines = emb.cosine_matrix(vectors)
    n = len(lines)
    # With one sentence there is nothing to predict: its nearest glossary terms are the answer.
    closest = 1 + int(np.argmax(cosines[0, 1:])) if n > 1 else None
    guess = None
    if n > 1 and query.get("guess", ""):
        try:
            guess = _integer(query, "guess", 0, 2, n, "Your guess") - 1
        except BadInput as problem:
            errors.append(str(problem))
    revealed = guess is not None or _revealed(query) or n == 1
    context.update(
        {
            "sentences": lines,
            "numbered": list(enumerate(lines, start=1)),
            "guess": guess + 1 if guess is not None else None,
            "revealed": revealed,
        }
    )
    if revealed:
        space = emb.glossary_space(terms)
        context.update(
            {
                "guess_right": guess == closest if guess is not None else None,
                "closest": closest + 1 if closest is not None else None,
                "closest_cosine": float(cosines[0, closest]) if closest is not None else None,
                "similarity": [(i + 1, lines[i], [float(c) for c in cosines[i]]) for i in range(n)],
                "sim_heatmap": _similarity_heatmap(cosines),
                "nearest": [
                    (i + 1, lines[i], emb.nearest(space, terms, vectors[i], NEAREST))
                    for i in range(n)
                ],
                "map": _map(space, terms, vectors) if terms else None,
            }
        )
    return _render(request, "lab/language/embeddings.html", context, errors)


def _similarity_heatmap(cosines: np.ndarray) -> dict:
    cell, label = 48, 40
    n = len(cosines)
    return {
        "size": label + n * cell,
        "label": label,
        "cell": cell,
        "inner": cell - 2,
        "labels": [(i + 1, label + i * cell + cell // 2) for i in range(n)],
        # Opacity shows similarity from 0 up; a negative cosine (rare for this model) shows blank.
        "cells": [
            (
                label + j * cell,
                label + i * cell,
                round(max(float(cosines[i, j]), 0.0), 3),
                f"{cosines[i, j]:.2f}",
            )
            for i in range(n)
            for j in range(n)
        ],
    }


def _map(space: emb.GlossarySpace, terms: list, vectors: np.ndarray) -> dict:
    """The glossary terms and the learner's sentences on the glossary's first two principal
    components, scaled into a square SVG."""
    term_points = space.project(space.vectors)
    sentence_points = space.project(vectors)
    points = np.vstack([term_points, sentence_points])
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.where(high - low > 0, high - low, 1.0)
    margin, label_room = 24, 130  # room on the right for the labels drawn after each dot

    def place(xy: np.ndarray) -> tuple[float, float]:
        x = margin + (xy[0] - low[0]) / span[0] * (MAP_SIZE - 2 * margin - label_room)
        y = MAP_SIZE - margin - (xy[1] - low[1]) / span[1] * (MAP_SIZE - 2 * margin)
        return round(float(x), 1), round(float(y), 1)

    return {
        "size": MAP_SIZE,
        "explained": space.explained,
        "terms": [
            (term, *place(xy), float(xy[0]), float(xy[1]))
            for term, xy in zip(terms, term_points, strict=True)
        ],
        "sentences": [
            (i + 1, *place(xy), float(xy[0]), float(xy[1])) for i, xy in enumerate(sentence_points)
        ],
    }
