"""Scale out: separate citebot processes sharing one real `chroma run` server agree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.wiring import build_service
from tests.conftest import CORPUS, SEED, SEEDS

CITEBOT = [sys.executable, "-m", "bot.cli"]
LAVROV = "Who is the Russian foreign minister mentioned in the article?"
MATERNITY = "How much will maternity pay for new mothers rise?"


class Process:
    """One citebot installation: its own data folder, the shared Chroma server's collections."""

    def __init__(self, tmp_path: Path, name: str, server: dict[str, str]) -> None:
        self.cwd = tmp_path / name
        self.cwd.mkdir()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "CHROMA_", "OPENAI_"))}
        self.env.update(
            CITEBOT_DATA_DIR=str(self.cwd / "data"), CITEBOT_SEEDS_DIR=str(SEEDS),
            CITEBOT_AUTO_SEED="false", **server,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*CITEBOT, *args], capture_output=True, text=True, env=self.env, cwd=self.cwd, timeout=120
        )

    def ingest(self, path: Path) -> dict[str, Any]:
        done = self.run("ingest", str(path), "--json")
        assert done.returncode == 0, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def ask(self, question: str) -> dict[str, Any]:
        done = self.run("ask", question, "--json")
        assert done.returncode == 0, done.stderr
        answer: dict[str, Any] = json.loads(done.stdout)
        answer.pop("latency_ms")
        return answer


def server_env(chroma_server: tuple[str, int]) -> dict[str, str]:
    host, port = chroma_server
    return {
        "CHROMA_HOST": host, "CHROMA_PORT": str(port),
        "CITEBOT_COLLECTION_PREFIX": f"scale{uuid.uuid4().hex[:10]}",
    }


def test_two_processes_on_one_chroma_server_give_the_same_answers_after_either_ingests(
    chroma_server: tuple[str, int], tmp_path: Path
) -> None:
    server = server_env(chroma_server)
    first, second = Process(tmp_path, "first", server), Process(tmp_path, "second", server)

    empty = second.run("ask", LAVROV)
    assert empty.returncode != 0
    assert "No articles are stored yet" in empty.stderr + empty.stdout

    assert first.ingest(SEED)["added"] == 1
    from_second = second.ask(LAVROV)
    assert "Sergei Lavrov" in from_second["citations"][0]["quote"]
    assert first.ask(LAVROV) == from_second
    assert second.ask(MATERNITY)["not_found"]

    assert second.ingest(CORPUS / "001.txt")["added"] == 1
    from_first = first.ask(MATERNITY)
    assert "£1,400" in from_first["citations"][0]["quote"]
    assert second.ask(MATERNITY) == from_first
    assert first.ingest(CORPUS / "001.txt")["unchanged"] == 1  # the other's ingest is seen


def test_a_long_running_service_follows_what_another_process_ingests(
    chroma_server: tuple[str, int], tmp_path: Path
) -> None:
    server = server_env(chroma_server)
    writer = Process(tmp_path, "writer", server)
    writer.ingest(SEED)
    service = build_service(
        Settings.from_env({**server, "CITEBOT_DATA_DIR": str(tmp_path / "serving"), "CITEBOT_AUTO_SEED": "false"})
    )
    try:
        assert "Sergei Lavrov" in service.ask_now(LAVROV).citations[0].quote
        assert service.ask_now(MATERNITY).not_found
        writer.ingest(CORPUS / "001.txt")
        time.sleep(1.1)  # a serving process looks for a new store revision at most once a second
        answer = service.ask_now(MATERNITY)
        assert "£1,400" in answer.citations[0].quote
        assert answer.to_dict() | {"latency_ms": 0} == writer.ask(MATERNITY) | {"latency_ms": 0}
    finally:
        service.close()
