"""`citebot ask` and `citebot summarize` as processes, with OPENAI_BASE_URL at a loopback model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED, SEEDS
from tests.fakes.openai_server import Behaviour, FakeOpenAI, Hang, Reply, Status, citing, passages

KEY = "sk-test-cli-4f2a9c-never-in-logs"
TIMEOUT = 2.0
CARD = "What did Kim say about a new way?"
RAW = SEED.read_text(encoding="utf-8")
GOOD = citing("Kim Jong Un warned that he would be forced to pursue a “new way” [{n}].", "pursue a “new way”")
MOON = "build a bridge to the moon"



def citebot(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "OPENAI_"))}
    clean.update(CITEBOT_DATA_DIR=str(tmp_path / "data"), CITEBOT_SEEDS_DIR=str(SEEDS), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True, env=clean,
        timeout=120, cwd=tmp_path,
    )


def with_model(fake: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": KEY, "CITEBOT_LLM_TIMEOUT": str(TIMEOUT)}


def ask_json(tmp_path: Path, fake: FakeOpenAI, **env: str) -> tuple[dict[str, Any], float, str]:
    """`citebot ask --json` on a store seeded beforehand: the answer, seconds, stderr."""
    started = time.monotonic()
    done = citebot(tmp_path, "ask", CARD, "--json", **with_model(fake), **env)
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout), took, done.stderr


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A store holding the seed article (so a timed run measures the question, not the ingest)."""
    done = citebot(tmp_path, "sources", "--json")
    assert done.returncode == 0, done.stderr
    return tmp_path


def test_ask_json_keeps_a_good_models_new_way_citation(seeded: Path, fake: FakeOpenAI) -> None:
    fake.script(Reply(GOOD))
    answer, _, _ = ask_json(seeded, fake)
    assert answer["mode"] == "llm" and answer["not_found"] is False and answer["note"] == ""
    assert answer["text"] == "Kim Jong Un warned that he would be forced to pursue a “new way” [1]."
    (cite,) = answer["citations"]
    assert cite["n"] == 1 and cite["paragraph"] == 3 and "pursue a “new way”" in cite["quote"]
    assert RAW[cite["start"] : cite["end"]] == cite["quote"]
    assert len(fake.requests) == 1


def test_ask_json_never_shows_a_made_up_quote(seeded: Path, fake: FakeOpenAI) -> None:
    fake.script(Reply(citing(f"Kim vowed to “{MOON}” [{{n}}].", "pursue a “new way”")))
    answer, _, _ = ask_json(seeded, fake)
    assert MOON not in json.dumps(answer, ensure_ascii=False)
    assert answer["mode"] == "fallback" and answer["note"] == "model quoted words that are not in the article"
    assert any("pursue a “new way”" in c["quote"] and c["paragraph"] == 3 for c in answer["citations"])


@pytest.mark.parametrize(("behaviour", "note"), [(Status(500), "model endpoint failed (HTTP 500)"), (Hang(), "model timed out")])
def test_ask_json_falls_back_cited_within_the_timeout(
    seeded: Path, fake: FakeOpenAI, behaviour: Behaviour, note: str
) -> None:
    fake.script(behaviour)
    answer, took, _ = ask_json(seeded, fake)
    assert answer["mode"] == "fallback" and answer["note"] == note
    cite = answer["citations"][0]
    assert cite["paragraph"] == 3 and RAW[cite["start"] : cite["end"]] == cite["quote"]
    # the acceptance bound, for the question (a cold process also loads WordLlama and the index
    # inside it) and for the whole process, start-up included
    assert answer["latency_ms"] < (TIMEOUT + 5) * 1000
    assert took < TIMEOUT + 5
    print(f"\n{type(behaviour).__name__}: latency_ms={answer['latency_ms']:.0f} process={took:.2f}s")


def test_ask_prints_the_fallback_note_for_people(seeded: Path, fake: FakeOpenAI) -> None:
    fake.script(Status(500))
    done = citebot(seeded, "ask", CARD, **with_model(fake))
    assert done.returncode == 0
    assert "(model endpoint failed (HTTP 500))" in done.stdout
    assert "¶3" in done.stdout


def summary_bullets(request: dict[str, Any]) -> str:
    given = passages(request)
    return "\n".join(
        [f"- “{' '.join(text.split()[:9])}” [{n}]" for n, text in list(given.items())[:5]] + [f"- “{MOON}” [2]"]
    )


@pytest.mark.parametrize("model", [True, False])
def test_summarize_json_points_all_carry_citations(tmp_path: Path, fake: FakeOpenAI, model: bool) -> None:
    fake.script(Reply(summary_bullets))
    env = with_model(fake) if model else {}
    done = citebot(tmp_path, "summarize", "--json", **env)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert set(summary) >= {"doc_id", "title", "mode", "points"}
    assert summary["mode"] == ("llm" if model else "extractive")
    assert len(summary["points"]) == 5
    for point in summary["points"]:
        assert point["citations"] and MOON not in point["text"]
        for c in point["citations"]:
            assert RAW[c["start"] : c["end"]] == c["quote"]
    assert len(fake.requests) == (1 if model else 0)


def test_the_api_key_is_not_in_debug_logs(seeded: Path, fake: FakeOpenAI) -> None:
    fake.script(Status(401), Reply(GOOD))
    for _ in range(2):
        done = citebot(seeded, "ask", CARD, "--json", CITEBOT_LOG_LEVEL="DEBUG", **with_model(fake))
        assert done.returncode == 0, done.stderr
        assert "DEBUG" in done.stderr and "openai" in done.stderr  # DEBUG logging really was on
        assert KEY not in done.stderr and KEY not in done.stdout
        assert KEY[:10] not in done.stderr
    assert [r.headers["Authorization"] for r in fake.requests] == [f"Bearer {KEY}"] * 2
