"""The Embedder seam (one batch method) and its two makers: WordLlama (offline) and OpenAI."""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(ABC):
    """Turns texts into unit-length vectors. Subclasses implement `embed` only."""

    name: str = "embedder"
    dim: int = 0

    @abstractmethod
    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit vector a text, as a (len(texts), dim) float32 array."""

    def embed_one(self, text: str) -> Vectors:
        """The vector of a single text, shape (dim,)."""
        return np.asarray(self.embed([text])[0], dtype=np.float32)

    @property
    def slug(self) -> str:
        """A name fit for a Chroma collection: which embedder, and its dimension."""
        return re.sub(r"[^a-zA-Z0-9._-]+", "-", f"{self.name}-{self.dim}").strip("-")


def _unit(vectors: npt.NDArray[Any]) -> Vectors:
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.asarray(matrix / norms, dtype=np.float32)


class WordLlamaEmbedder(Embedder):
    """WordLlama's bundled 256-dim model, loaded from its own wheel with downloads disabled."""

    def __init__(self, dim: int = 256) -> None:
        self.name = "wordllama-l2_supercat"
        self.dim = dim
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        # Loaded on first use, not at import: start-up stays fast and tests that need no
        # vectors pay nothing. WordLlama.load() looks for tokenizer/ while the wheel ships
        # tokenizers/; pointing cache_dir at the package folder finds both with no network.
        with self._lock:
            if self._model is None:
                import wordllama

                package_dir = Path(wordllama.__file__).parent
                self._model = wordllama.WordLlama.load(
                    cache_dir=package_dir, disable_download=True, dim=self.dim
                )
        return self._model

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self._model or self._load()
        return _unit(model.embed(list(texts), norm=False))


_OPENAI_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder(Embedder):
    """Embeddings from an OpenAI-compatible /embeddings endpoint (the client is injected)."""

    def __init__(self, client: Any, model: str, batch_size: int = 256) -> None:
        self._client = client
        self._model = model
        self._batch = batch_size
        self.name = f"openai-{model}"
        self.dim = _OPENAI_DIMS.get(model) or len(self._request(["dimension probe"])[0])

    def _request(self, texts: list[str]) -> list[list[float]]:
        response = self._client.embeddings.create(model=self._model, input=texts)
        return [item.embedding for item in sorted(response.data, key=lambda d: d.index)]

    def embed(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows: list[list[float]] = []
        for i in range(0, len(texts), self._batch):
            rows.extend(self._request(list(texts[i : i + self._batch])))
        return _unit(np.array(rows))
