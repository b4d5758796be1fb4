"""Ingesting a URL through trafilatura, served by a loopback HTTP server (no internet here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.test_cli import run

PAGE = """<!doctype html><html><head><title>Harbour reopens after repairs | Coast News</title>
<meta name="author" content="Ann Writer"><meta property="article:published_time" content="2024-05-01">
</head><body><nav>Home | World | Sport | Share this</nav><article><h1>Harbour reopens after repairs</h1>
<p>The harbour reopened on Monday after a month of repairs to the sea wall, the port authority said.</p>
<p>Fishing boats were the first to return, and ferries are expected back on the island route next week.</p>
<p>The repairs cost £2.4 million, paid for by the county council and a government flood grant.</p>
</article><footer>Copyright Coast News. All rights reserved.</footer></body></html>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/harbour":
            self.send_error(404)
            return
        body = PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_url_is_ingested_with_metadata_and_answers_cite_it(tmp_path: Path, site: str) -> None:
    url = f"{site}/harbour"
    done = run(tmp_path, "ingest", url, f"{site}/missing")
    assert done.returncode == 0, done.stderr
    assert "1 added" in done.stdout and "1 skipped" in done.stdout
    assert f"skipped {site}/missing: could not fetch" in done.stderr
    listing = json.loads(run(tmp_path, "sources", "--json").stdout)["documents"]
    (doc,) = [d for d in listing if d["source"] == url]
    assert doc["title"].startswith("Harbour reopens after repairs")
    assert doc["passages"] == 3
    answer = json.loads(run(tmp_path, "ask", "How much did the harbour repairs cost?", "--json").stdout)
    first = answer["citations"][0]
    assert "£2.4 million" in first["quote"]
    assert first["source"] == url and first["paragraph"] == 3
