"""Questions for the benchmarks: the seed's question sets, and questions about the distractors."""

from __future__ import annotations

import re

from bench.common import question_files
from bench.corpus import docstring_modules
from bot.evaluate import Question, load_questions


def seed_sets() -> dict[str, list[Question]]:
    """The seed article's question sets by name (public sample, our dev and holdout sets)."""
    return {name: load_questions(path) for name, path in question_files().items()}


def corpus_questions(n: int = 60) -> list[str]:
    """Questions about the Python documentation, so that latency also covers chunks no seed
    question touches (their sentence caches are cold): "What does heapq's heappop do?"."""
    names: list[str] = []
    for module, text in docstring_modules():
        found = [m for m in re.findall(r"^([A-Za-z]\w{3,}): ", text, flags=re.M) if not m.startswith("test")]
        parts = module.removesuffix(".__init__").split(".")
        if found and not parts[-1].startswith("_"):
            names.append(f"What does {parts[-1]}'s {found[0]} do?")
    step = max(1, len(names) // n)
    return names[::step][:n]


if __name__ == "__main__":
    for question in corpus_questions(10):
        print(question)
    print({k: len(v) for k, v in seed_sets().items()})
