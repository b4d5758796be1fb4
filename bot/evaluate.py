"""`citebot eval`: hit@1, hit@3, answer accuracy and abstention over a question file."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import InputError
from bot.models import Answer
from retrieval.documents import fold


@dataclass(frozen=True, slots=True)
class Question:
    q: str
    gold: tuple[str, ...] = ()
    answer_any: tuple[str, ...] = ()
    unanswerable: bool = False
    line: int = 0


def load_questions(path: Path) -> list[Question]:
    """Parse a JSONL question file; a bad line is an InputError naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read question file {path}: {exc}") from None
    out: list[Question] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("q"), str):
                raise ValueError('needs a "q" string')
            unanswerable = bool(item.get("unanswerable", False))
            gold = tuple(str(g) for g in item.get("gold", []))
            if not unanswerable and not gold:
                raise ValueError('an answerable line needs "gold" spans')
            answer_any = tuple(str(a) for a in item.get("answer_any", []))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path}:{n}: not a question line ({exc})") from None
        out.append(Question(item["q"], gold, answer_any, unanswerable, n))
    if not out:
        raise InputError(f"{path} holds no questions")
    return out


@dataclass
class Outcome:
    question: Question
    answer: Answer
    ms: float
    hit1: bool = False
    hit3: bool = False
    correct: bool = False
    declined: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "q": self.question.q,
            "unanswerable": self.question.unanswerable,
            "declined": self.declined,
            "hit_at_1": self.hit1,
            "hit_at_3": self.hit3,
            "answer_ok": self.correct,
            "first_quote": self.answer.citations[0].quote if self.answer.citations else "",
            "paragraph": self.answer.citations[0].paragraph if self.answer.citations else None,
            "ms": round(self.ms, 2),
        }


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)

    def metrics(self) -> dict[str, Any]:
        ans = [o for o in self.outcomes if not o.question.unanswerable]
        una = [o for o in self.outcomes if o.question.unanswerable]
        ms = sorted(o.ms for o in self.outcomes)

        def share(items: list[Outcome], attr: str) -> float:
            return round(sum(getattr(o, attr) for o in items) / len(items), 4) if items else 0.0

        return {
            "n_answerable": len(ans),
            "n_unanswerable": len(una),
            "hit_at_1": share(ans, "hit1"),
            "hit_at_3": share(ans, "hit3"),
            "answer_accuracy": share(ans, "correct"),
            "abstain_correct": sum(o.declined for o in una),
            "false_abstain": sum(o.declined for o in ans),
            "latency_ms_p50": round(statistics.median(ms), 2) if ms else 0.0,
            "latency_ms_p95": round(_percentile(ms, 95), 2) if ms else 0.0,
        }


def _percentile(sorted_values: list[float], pct: float) -> float:
    if len(sorted_values) == 1:
        return sorted_values[0]
    k = (len(sorted_values) - 1) * pct / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def judge(question: Question, answer: Answer, ms: float) -> Outcome:
    """Score one answer by the rules in shared/eval/README.md."""
    outcome = Outcome(question, answer, ms)
    outcome.declined = answer.not_found and not answer.citations
    if question.unanswerable or outcome.declined:
        return outcome
    gold = [fold(g) for g in question.gold]
    quotes = [fold(c.quote) for c in answer.citations]
    outcome.hit1 = bool(quotes) and any(g in quotes[0] for g in gold)
    outcome.hit3 = any(g in q for q in quotes[:3] for g in gold)
    said = fold(" ".join([answer.text, *(c.quote for c in answer.citations)]))
    outcome.correct = any(fold(a) in said for a in question.answer_any) if question.answer_any else outcome.hit3
    return outcome


async def run_eval(
    questions: list[Question], ask: Callable[[str], Awaitable[Answer]]
) -> Report:
    """Ask every question in process, after one warm-up question, timing each."""
    if questions:
        await ask(questions[0].q)
    report = Report()
    for question in questions:
        started = time.perf_counter()
        answer = await ask(question.q)
        ms = (time.perf_counter() - started) * 1000
        report.outcomes.append(judge(question, answer, ms))
    return report
