"""Benchmarks for the language-model lab (run by `make bench`; not a timed test).

    .venv/bin/python benchmarks/lab_language.py

Prints, against the targets of issue 9:
- tokenizing 1 KB of text with cl100k_base and o200k_base (target < 5 ms each),
- the attention forward pass of all-MiniLM-L6-v2 for 32 tokens (target < 100 ms),
- the resident memory of a process with Django set up, every lab view imported and the model
  loaded and used (target < 250 MiB).
Each timing is the median of several runs after a warm-up.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "genai_site.settings")
# Only for this script's process: no server runs, and no secret is needed to measure.
os.environ.setdefault("DJANGO_DEBUG", "true")

TARGETS = {"tokenize": 5.0, "attention": 100.0, "rss": 250.0}
TEXT_1KB = (
    "Generative AI models learn the patterns of their training data and produce new text, "
    "images and sound. A tokenizer turns text into integer IDs; embeddings turn IDs into vectors; "
    "attention lets every token weigh every other token. "
) * 5


def median_ms(fn, runs: int = 30) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def memory_mib() -> dict[str, float]:
    """Resident memory now, from /proc (Linux): VmRSS, and its anonymous part (the process's own)
    and file-backed part (mapped libraries such as bpe-openai's 74 MB vocabulary library, whose
    pages the kernel shares between workers). Falls back to the peak RSS from getrusage."""
    try:
        fields = {}
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in {"VmRSS", "RssAnon", "RssFile"}:
                fields[key] = int(value.split()[0]) / 1024
        if "VmRSS" in fields:
            return fields
    except OSError:
        pass
    import resource

    return {"VmRSS": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def verdict(value: float, target: float) -> str:
    return "ok" if value < target else "OVER TARGET"


def print_memory(label: str, memory: dict[str, float], target: float | None = None) -> bool:
    """Prints one memory line; True when it misses `target`."""
    rss = memory["VmRSS"]
    detail = ""
    if "RssAnon" in memory:
        detail = f" (anonymous {memory['RssAnon']:.0f}, file-backed {memory['RssFile']:.0f})"
    goal = f"  target < {target:g} MiB {verdict(rss, target)}" if target else ""
    print(f"  {label:<46} {rss:7.1f} MiB{detail}{goal}")
    return target is not None and rss >= target


def main() -> int:
    import django

    django.setup()
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view module, as a worker does  # noqa: B018
    from learning.visuals import minilm, tokens

    print(f"Lab benchmarks (Python {sys.version.split()[0]}; medians after a warm-up)")
    failures = 0
    baseline = memory_mib()

    start = time.perf_counter()
    model = minilm.load()
    load_ms = (time.perf_counter() - start) * 1000
    print(f"  load all-MiniLM-L6-v2 (once per process)       {load_ms:7.1f} ms")
    sentence = "word " * 30  # 30 words + [CLS] + [SEP] = 32 tokens
    assert len(model.encode(sentence).ids) == 32
    ms = median_ms(lambda: model.run(sentence), runs=20)
    failures += ms >= TARGETS["attention"]
    print(
        f"  attention, 32 tokens (all 6 layers × 12 heads) {ms:7.2f} ms   "
        f"target < {TARGETS['attention']:g} ms {verdict(ms, TARGETS['attention'])}"
    )
    ms = median_ms(lambda: model.run("word " * 62), runs=10)
    print(f"  attention, 64 tokens (the page's limit)        {ms:7.2f} ms")
    ms = median_ms(lambda: model.embed(["A cat sits on the mat."] * 8), runs=10)
    print(f"  embed 8 short sentences                        {ms:7.2f} ms")

    print_memory("RSS: Django, every view imported", baseline)
    failures += print_memory(
        "RSS: ... + all-MiniLM-L6-v2 loaded and run", memory_mib(), TARGETS["rss"]
    )

    text = TEXT_1KB[:1024]
    for encoding in tokens.ENCODINGS:
        ms = median_ms(lambda enc=encoding: tokens.encode(text, enc))
        failures += ms >= TARGETS["tokenize"]
        print(
            f"  tokenize 1 KB, {encoding:<12}                   {ms:7.2f} ms   "
            f"target < {TARGETS['tokenize']:g} ms {verdict(ms, TARGETS['tokenize'])}"
        )
    print_memory("RSS: ... + both GPT encodings (bpe-openai)", memory_mib())
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
