"""Serving a fake on loopback: every fake and harness starts its aiohttp app the same way."""

from __future__ import annotations

import asyncio

from aiohttp import web


async def serve_loopback(runner: web.AppRunner) -> int:
    """Sets the runner up on 127.0.0.1 at a free port and returns the port."""
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.Server) and server.sockets
    return int(server.sockets[0].getsockname()[1])
