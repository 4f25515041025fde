"""The "token tax": the same sentence costs a different number of tokens in each language.

The sentences are bundled in fixtures/lab/token_tax.json (faithful translations of one English
sentence); the counts come from the real tokenizers in `tokens`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from . import tokens

SAMPLES_FILE = settings.BASE_DIR / "fixtures" / "lab" / "token_tax.json"


@dataclass(frozen=True)
class Sample:
    code: str
    language: str
    text: str


@dataclass(frozen=True)
class Row:
    code: str
    language: str
    text: str
    characters: int
    counts: dict[str, int]  # encoding → tokens
    ratios: dict[str, float]  # encoding → tokens / the English sentence's tokens
    is_learners: bool = False

    @property
    def cells(self) -> list[tuple[str, int, float]]:
        """(encoding, tokens, ratio to English), in `tokens.ENCODINGS` order."""
        return [(enc, self.counts[enc], self.ratios[enc]) for enc in tokens.ENCODINGS]


@lru_cache(maxsize=1)
def samples() -> tuple[Sample, ...]:
    """The bundled translations, English first."""
    data = json.loads(SAMPLES_FILE.read_text(encoding="utf-8"))
    return tuple(Sample(s["code"], s["language"], s["text"]) for s in data["samples"])


def _row(sample: Sample, reference: dict[str, int], is_learners: bool = False) -> Row:
    counts = {enc: len(tokens.encode(sample.text, enc)) for enc in tokens.ENCODINGS}
    return Row(
        code=sample.code,
        language=sample.language,
        text=sample.text,
        characters=len(sample.text),
        counts=counts,
        ratios={enc: counts[enc] / reference[enc] for enc in tokens.ENCODINGS},
        is_learners=is_learners,
    )


@lru_cache(maxsize=1)
def sample_rows() -> tuple[Row, ...]:
    """One row per bundled language, with its token counts and its ratio to English."""
    english = samples()[0]
    reference = {enc: len(tokens.encode(english.text, enc)) for enc in tokens.ENCODINGS}
    return tuple(_row(s, reference) for s in samples())


def rows(own_text: str = "") -> list[Row]:
    """The bundled rows, then the learner's own text (if any) measured against the same English."""
    bundled = list(sample_rows())
    if own_text:
        reference = bundled[0].counts
        bundled.append(_row(Sample("yours", "Your text", own_text), reference, is_learners=True))
    return bundled


def costliest(encoding: str = "cl100k_base") -> set[str]:
    """The codes of the bundled language(s) whose sentence takes the most tokens."""
    bundled = sample_rows()
    most = max(r.counts[encoding] for r in bundled)
    return {r.code for r in bundled if r.counts[encoding] == most}


@dataclass(frozen=True)
class Bar:
    y: int
    width: float
    label: str  # the number drawn at the bar's end
    label_x: float


@dataclass(frozen=True)
class ChartRow:
    language: str
    y: int  # the label's baseline
    bars: tuple[Bar, ...]  # one per encoding, in `tokens.ENCODINGS` order


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_width: int
    rows: tuple[ChartRow, ...]


def chart(table: list[Row], bar_area: int = 420, label_width: int = 170) -> Chart:
    """Geometry for a horizontal bar chart: two bars per language (one per encoding)."""
    most = max(max(r.counts.values()) for r in table) or 1
    row_height, bar_height = 40, 14
    chart_rows = []
    for i, r in enumerate(table):
        top = 10 + i * row_height
        bars = tuple(
            Bar(
                y=top + j * (bar_height + 2),
                width=round(r.counts[enc] / most * bar_area, 1),
                label=str(r.counts[enc]),
                label_x=round(label_width + r.counts[enc] / most * bar_area + 4, 1),
            )
            for j, enc in enumerate(tokens.ENCODINGS)
        )
        chart_rows.append(ChartRow(language=r.language, y=top + bar_height + 2, bars=bars))
    return Chart(
        width=label_width + bar_area + 50,
        height=20 + len(table) * row_height,
        label_width=label_width,
        rows=tuple(chart_rows),
    )
