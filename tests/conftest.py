"""Shared fixtures: real WordLlama, real Chroma (on disk, and a real `chroma run` server)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.service import Service
from bot.wiring import build_service
from retrieval.embeddings import WordLlamaEmbedder
from tests.fakes.openai_server import FakeOpenAI

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
SEED = SEEDS / "kim-jong-un-russia.txt"


def _shared_dir() -> Path:
    """The workplace's shared/ folder beside the project (or named by CITEBOT_SHARED_DIR)."""
    if os.environ.get("CITEBOT_SHARED_DIR"):
        return Path(os.environ["CITEBOT_SHARED_DIR"])
    for base in [PROJECT.parent, *PROJECT.parents, Path("/work")]:
        if (base / "shared" / "corpus").is_dir():
            return base / "shared"
    raise RuntimeError("shared/ (corpus and eval sample) not found beside the project")


SHARED = _shared_dir()
CORPUS = SHARED / "corpus" / "bbc-politics"
PUBLIC_QUESTIONS = SHARED / "eval" / "public_questions.jsonl"
CHROMA_BIN = Path(sys.executable).parent / "chroma"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def embedder() -> WordLlamaEmbedder:
    return WordLlamaEmbedder()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A real Chroma server: the one CI started (CITEBOT_TEST_CHROMA_PORT), or our own."""
    if os.environ.get("CITEBOT_TEST_CHROMA_PORT"):
        yield "127.0.0.1", int(os.environ["CITEBOT_TEST_CHROMA_PORT"])
        return
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    exe = str(CHROMA_BIN) if CHROMA_BIN.exists() else shutil.which("chroma") or "chroma"
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_http(f"http://127.0.0.1:{port}/api/v2/heartbeat")
        yield "127.0.0.1", port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment for one test: its own data dir, nothing from the machine."""
    env = {"CITEBOT_DATA_DIR": str(tmp_path / "data"), "CITEBOT_SEEDS_DIR": str(SEEDS)}
    env.update(extra)
    return env


@pytest.fixture(params=["disk", "server"])
def store_env(
    request: pytest.FixtureRequest, tmp_path: Path
) -> dict[str, str]:
    """Settings for a store on disk, and for one on the real Chroma server (unique collection)."""
    if request.param == "disk":
        return env_for(tmp_path)
    host, port = request.getfixturevalue("chroma_server")
    return env_for(
        tmp_path, CHROMA_HOST=host, CHROMA_PORT=str(port),
        CITEBOT_COLLECTION_PREFIX=f"t{uuid.uuid4().hex[:10]}",
    )


@pytest.fixture
def make_service(store_env: dict[str, str]) -> Iterator[Callable[..., Service]]:
    """Builds real services on the test's store (extra settings as keywords); closes them."""
    built: list[Service] = []

    def make(**extra: str) -> Service:
        built.append(build_service(Settings.from_env({**store_env, **extra})))
        return built[-1]

    yield make
    for svc in built:
        svc.close()


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    """The real core on a store seeded with the seed article on first use."""
    return make_service()


LLM_KEY = "sk-test-llm-key-never-logged"
LLM_TIMEOUT = 2.0


def model_env(model: FakeOpenAI) -> dict[str, str]:
    """The settings that point citebot at a loopback chat model."""
    return {"OPENAI_BASE_URL": model.url, "OPENAI_API_KEY": LLM_KEY,
            "CITEBOT_LLM_TIMEOUT": str(LLM_TIMEOUT)}  # fmt: skip


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    """A loopback OpenAI-compatible endpoint (test files with other fakes define their own)."""
    server = FakeOpenAI().start()
    yield server
    server.stop()


@pytest.fixture
def make(tmp_path: Path, fake: FakeOpenAI) -> Iterator[Callable[..., Service]]:
    """Services on one store in tmp_path with the loopback model configured; closed after."""
    built: list[Service] = []

    def build(**extra: str) -> Service:
        env = env_for(tmp_path, **model_env(fake))
        built.append(build_service(Settings.from_env({**env, **extra})))
        return built[-1]

    yield build
    for service in built:
        service.close()


@pytest.fixture
def settings(store_env: dict[str, str]) -> Settings:
    return Settings.from_env(store_env)
