"""CITEBOT_EMBEDDINGS=openai: vectors from an OpenAI-compatible /embeddings endpoint."""

from __future__ import annotations

import json
from pathlib import Path

import chromadb
from chromadb.config import Settings

from tests.fakes.openai_server import EMBEDDING_DIM, FakeOpenAI
from tests.test_llm_cli import citebot


def test_remote_embeddings_fill_their_own_collection_and_answer(tmp_path: Path, fake: FakeOpenAI) -> None:
    env = {"CITEBOT_EMBEDDINGS": "openai", "CITEBOT_EMBEDDING_MODEL": "fake-embed",
           "OPENAI_BASE_URL": fake.url, "OPENAI_API_KEY": "sk-embed-test"}
    done = citebot(tmp_path, "ask", "Who is the Russian foreign minister mentioned in the article?", "--json", **env)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["mode"] == "fallback"  # the same endpoint's chat model answers 503 here
    assert any("Sergei Lavrov" in c["quote"] for c in answer["citations"])
    assert fake.embedding_calls >= 2  # the dimension probe, the seed's chunks, the question
    # the collection's name says which embedder and dimension filled it
    client = chromadb.PersistentClient(path=str(tmp_path / "data" / "chroma"), settings=Settings(anonymized_telemetry=False))
    names = sorted(c.name for c in client.list_collections())
    client.close()
    assert f"citebot-openai-fake-embed-{EMBEDDING_DIM}" in names


def test_openai_embeddings_without_an_endpoint_say_what_to_set(tmp_path: Path) -> None:
    done = citebot(tmp_path, "ask", "What did Kim say?", CITEBOT_EMBEDDINGS="openai")
    assert done.returncode == 2
    assert "CITEBOT_EMBEDDINGS=openai needs OPENAI_API_KEY" in done.stderr
