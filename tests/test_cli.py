"""The `citebot` command as a user runs it: output, JSON shapes and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, PUBLIC_QUESTIONS, SEED, SEEDS

CITEBOT = [sys.executable, "-m", "bot.cli"]


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "OPENAI_"))}
    base.update(CITEBOT_DATA_DIR=str(tmp_path / "data"), CITEBOT_SEEDS_DIR=str(SEEDS), **env)
    return subprocess.run(
        [*CITEBOT, *args], capture_output=True, text=True, env=base, timeout=120,
        cwd=tmp_path,
    )


def test_ask_card_question_prints_the_quote_and_paragraph(tmp_path: Path) -> None:
    done = run(tmp_path, "ask", "What did Kim say about a new way?")
    assert done.returncode == 0, done.stderr
    assert "pursue a “new way”" in done.stdout
    assert "¶3" in done.stdout
    assert "Traceback" not in done.stderr


def test_ask_json_shape(tmp_path: Path) -> None:
    done = run(tmp_path, "ask", "Who is the Russian foreign minister mentioned in the article?", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) >= {"question", "text", "not_found", "mode", "citations", "latency_ms"}
    assert data["mode"] == "extractive" and data["not_found"] is False
    cite = data["citations"][0]
    assert set(cite) >= {"n", "doc_id", "title", "paragraph", "quote", "start", "end", "source"}
    assert "Sergei Lavrov" in cite["quote"]
    raw = SEED.read_text(encoding="utf-8")
    assert raw[cite["start"] : cite["end"]] == cite["quote"]


def test_off_topic_question_is_declined(tmp_path: Path) -> None:
    done = run(tmp_path, "ask", "Who won the 2018 FIFA World Cup?", "--json")
    data = json.loads(done.stdout)
    assert data["not_found"] is True and data["citations"] == []
    assert data["text"] == "The article doesn't say."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask",), "Missing argument 'QUESTION'"),
        (("frobnicate",), "No such command 'frobnicate'"),
        (("ingest", "/no/such/path"), "no such file or folder: /no/such/path"),
        (("summarize", "--length", "huge"), "'huge' is not one of"),
        (("ask", "   "), "Ask me a question"),
        (("eval", "/no/such.jsonl"), "no such question file"),
    ],
)
def test_bad_usage_exits_2_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    done = run(tmp_path, *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_ingest_reports_skips_and_a_summary(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "nested").mkdir(parents=True)
    (folder / "nested" / "a.txt").write_text((CORPUS / "002.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4")
    done = run(tmp_path, "ingest", str(folder), str(folder / "notes.pdf"))
    assert done.returncode == 0, done.stderr
    assert "empty.txt: empty file" in done.stderr
    assert "image.md: binary file" in done.stderr
    assert "notes.pdf: unsupported file type '.pdf'" in done.stderr
    assert "1 added, 0 updated, 0 unchanged, 3 skipped" in done.stdout
    again = run(tmp_path, "ingest", str(folder / "nested"), "--json")
    assert json.loads(again.stdout)["unchanged"] == 1
    listing = json.loads(run(tmp_path, "sources", "--json").stdout)
    assert [d["title"] for d in listing["documents"]] == [(CORPUS / "002.txt").read_text().splitlines()[0]]


def test_summarize_json_points_carry_citations(tmp_path: Path) -> None:
    done = run(tmp_path, "summarize", "--length", "short", "--json")
    data = json.loads(done.stdout)
    assert data["mode"] == "extractive"
    assert data["title"].startswith("With Hanoi in the Rearview")
    assert len(data["points"]) == 3
    assert all(p["citations"] and p["citations"][0]["quote"] for p in data["points"])


def test_eval_on_the_public_sample(tmp_path: Path) -> None:
    done = run(tmp_path, "eval", str(PUBLIC_QUESTIONS), "--json")
    assert done.returncode == 0, done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["n_answerable"] == 12 and metrics["n_unanswerable"] == 4
    assert metrics["hit_at_1"] >= 0.8
    assert metrics["hit_at_3"] >= 0.9
    assert metrics["abstain_correct"] >= 3
    assert metrics["false_abstain"] <= 1
    assert metrics["latency_ms_p50"] < 30


def test_bad_question_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"q": "fine?", "unanswerable": true}\n{not json}\n', encoding="utf-8")
    done = run(tmp_path, "eval", str(bad))
    assert done.returncode == 2
    assert "q.jsonl:2: not a question line" in done.stderr


def test_chat_answers_a_follow_up_from_the_conversation(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "OPENAI_"))}
    base.update(CITEBOT_DATA_DIR=str(tmp_path / "data"), CITEBOT_SEEDS_DIR=str(SEEDS))
    done = subprocess.run(
        [*CITEBOT, "chat"], input="Which countries signed the trilateral statement?\nand what did they favor?\n",
        capture_output=True, text=True, env=base, timeout=120, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert "trilateral statement with China and North Korea" in done.stdout
    assert "limited sanctions relief" in done.stdout
    assert "Traceback" not in done.stderr
