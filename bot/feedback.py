"""Answers shown to users and the votes they cast on them, in SQLite under the data dir."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from bot.models import Answer, Citation

Vote = Literal["up", "down"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    platform TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    mode TEXT NOT NULL,
    citations TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS votes (
    answer_id TEXT NOT NULL REFERENCES answers(id),
    user_id TEXT NOT NULL,
    platform TEXT NOT NULL,
    vote TEXT NOT NULL CHECK (vote IN ('up', 'down')),
    voted_at TEXT NOT NULL,
    PRIMARY KEY (answer_id, user_id)
);
"""


@dataclass(frozen=True, slots=True)
class FeedbackRecord:
    answer_id: str
    platform: str
    user_id: str
    vote: Vote
    voted_at: str
    question: str
    answer: str
    mode: str
    citations: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "answer_id": self.answer_id,
            "platform": self.platform,
            "user": self.user_id,
            "vote": self.vote,
            "voted_at": self.voted_at,
            "question": self.question,
            "answer": self.answer,
            "mode": self.mode,
            "citations": self.citations,
        }


class FeedbackStore:
    """Remembers each answer shown (so a button only carries its id) and each vote on it."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        if not self._ready:
            self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self._path, timeout=10)
        if not self._ready:
            with self._lock:
                conn.executescript(_SCHEMA)
                columns = {row[1] for row in conn.execute("PRAGMA table_info(answers)")}
                if "note" not in columns:  # a store written before answers kept their note
                    with conn:
                        conn.execute("ALTER TABLE answers ADD COLUMN note TEXT NOT NULL DEFAULT ''")
                self._ready = True
        return conn

    def remember(self, answer: Answer, platform: str) -> str:
        """Store an answer about to be shown; returns the id its buttons carry."""
        answer_id = uuid.uuid4().hex[:16]
        cites = json.dumps([c.to_dict() for c in answer.citations], ensure_ascii=False)
        conn = self._connect()
        try:
            with conn:
                conn.execute(
                    "INSERT INTO answers (id, created_at, platform, question, answer, mode, "
                    "citations, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (answer_id, _now(), platform, answer.question, answer.text, answer.mode, cites,
                     answer.note),
                )
        finally:
            conn.close()
        return answer_id

    def recall(self, answer_id: str) -> Answer | None:
        """The answer stored under this id, as it was shown; None when unknown. Any process
        on the same data dir can read it (several Slack workers behind one balancer)."""
        if not self._path.exists():
            return None
        conn = self._connect()
        try:
            row = conn.execute(
                "SELECT question, answer, mode, citations, note FROM answers WHERE id = ?",
                (answer_id,),
            ).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        question, text, mode, cites, note = row
        citations = tuple(Citation(**c) for c in json.loads(cites))
        return Answer(question, text, citations, not citations, mode, note=note)

    def vote(self, answer_id: str, user_id: str, vote: Vote, platform: str) -> bool:
        """Record (or change) a user's vote; False when the answer is unknown."""
        conn = self._connect()
        try:
            with conn:
                if conn.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                    return False
                conn.execute(
                    "INSERT INTO votes VALUES (?, ?, ?, ?, ?) ON CONFLICT(answer_id, user_id) "
                    "DO UPDATE SET vote = excluded.vote, voted_at = excluded.voted_at",
                    (answer_id, user_id, platform, vote, _now()),
                )
            return True
        finally:
            conn.close()

    def records(self) -> list[FeedbackRecord]:
        """Every vote with the question, answer and cited passages it was cast on, oldest first."""
        if not self._path.exists():
            return []
        conn = self._connect()
        try:
            rows = conn.execute(
                "SELECT v.answer_id, v.platform, v.user_id, v.vote, v.voted_at, a.question, a.answer, "
                "a.mode, a.citations FROM votes v JOIN answers a ON a.id = v.answer_id "
                "ORDER BY v.voted_at"
            ).fetchall()
        finally:
            conn.close()
        return [
            FeedbackRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))
            for r in rows
        ]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
