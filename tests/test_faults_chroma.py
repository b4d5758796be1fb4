"""The Chroma server down at start, and going away under a running service and coming back."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.errors import StoreUnavailable
from bot.service import Service
from bot.wiring import build_service
from tests.conftest import CHROMA_BIN, SEEDS, free_port, wait_http
from tests.test_hostile_cli import run


class ChromaServer:
    """A real `chroma run` on a fixed port and data folder, that a test can stop and start."""

    def __init__(self, port: int, data: Path) -> None:
        self.port = port
        self.data = data
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = str(CHROMA_BIN) if CHROMA_BIN.exists() else shutil.which("chroma") or "chroma"
        self.proc = subprocess.Popen(
            [exe, "run", "--path", str(self.data), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_http(f"http://127.0.0.1:{self.port}/api/v2/heartbeat")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=15)
            self.proc = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    chroma = ChromaServer(free_port(), tmp_path / "chroma-data")
    chroma.start()
    yield chroma
    chroma.stop()


@pytest.mark.parametrize("args", [("ask", "What did Kim say about a new way?"), ("sources",), ("ingest", str(SEEDS))])
def test_server_down_at_start_is_one_line_naming_chroma_host(tmp_path: Path, args: tuple[str, ...]) -> None:
    port = free_port()  # nothing listens there
    done = run(tmp_path, *args, CHROMA_HOST="127.0.0.1", CHROMA_PORT=str(port))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        f"citebot: cannot reach the Chroma server at 127.0.0.1:{port} (CHROMA_HOST=127.0.0.1, "
        f"CHROMA_PORT={port}): start it with `chroma run --path DIR --host 127.0.0.1 --port {port}`, "
        "or unset CHROMA_HOST to use the local store"
    ]


async def test_a_running_service_rides_out_a_server_restart(server: ChromaServer, tmp_path: Path) -> None:
    service: Service = build_service(Settings.from_env({
        "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(server.port),
        "CITEBOT_DATA_DIR": str(tmp_path / "data"), "CITEBOT_SEEDS_DIR": str(SEEDS),
    }))  # fmt: skip
    try:
        before = await service.ask("What did Kim say about a new way?")
        assert before.citations[0].paragraph == 3
        [seed] = (await service.sources()).documents

        server.stop()
        down = f"cannot reach the Chroma server at 127.0.0.1:{server.port} .*chroma run"
        for _ in range(2):  # the first call finds the server gone, the next fails to reconnect
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match=down):
                await service.ask("What did Kim say about a new way?")
            assert time.monotonic() - started < 10  # fails promptly, no hang
        with pytest.raises(StoreUnavailable, match=down):
            await service.sources()
        with pytest.raises(StoreUnavailable, match=down):
            await service.summarize(None, "short")
        with pytest.raises(StoreUnavailable, match=down):
            service.ingest([str(SEEDS)])

        server.start()  # same port, same data: no restart of the service
        after = await service.ask("What did Kim say about a new way?")
        assert after.citations == before.citations
        assert (await service.sources()).documents == (seed,)  # nothing re-ingested or lost
        assert len((await service.summarize(None, "short")).points) == 3
    finally:
        service.close()
