"""Real GPT tokenization (cl100k_base, o200k_base) from the vocabularies `bpe-openai` ships."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bpe_openai import get_encoding

ENCODINGS = ("cl100k_base", "o200k_base")


@dataclass(frozen=True)
class Token:
    id: int
    text: str


@lru_cache(maxsize=len(ENCODINGS))
def _encoding(name: str):
    if name not in ENCODINGS:
        raise ValueError(f"unknown encoding {name!r}")
    return get_encoding(name)


def encode(text: str, encoding: str = "cl100k_base") -> list[Token]:
    """The tokens of `text`, each with its ID and the text it stands for."""
    enc = _encoding(encoding)
    return [
        Token(id=i, text=enc.decode_single_token_bytes(i).decode("utf-8", errors="replace"))
        for i in enc.encode_ordinary(text)
    ]


def vocabulary_size(encoding: str = "cl100k_base") -> int:
    return _encoding(encoding).n_vocab
