"""Content that signed-in pages read the same way for everyone (the roadmap with its items,
concepts and quizzes), kept in the process until the content version moves.

The version (learning.models.ContentVersion) moves on every change to content, in any process or
app server, so a memo is never older than the last change: it is read before the content is
built, so what is stored is at least as new as the version it is stored under. Only published
content belongs here (what the default managers return), never anything per learner.
"""

from __future__ import annotations

from collections.abc import Callable

from .models import ContentVersion

# name -> (content version, value). One value per name: an old version is replaced, not kept.
_memo: dict[str, tuple[int, object]] = {}


def for_content_version[T](name: str, build: Callable[[], T]) -> T:
    """build(), or what it returned for the same name at the current content version."""
    version = ContentVersion.current()
    held = _memo.get(name)
    if held is not None and held[0] == version:
        return held[1]  # type: ignore[return-value]
    value = build()
    _memo[name] = (version, value)
    return value


def clear() -> None:
    """Forgets everything (tests: content changed inside a test's transaction moves no version)."""
    _memo.clear()
