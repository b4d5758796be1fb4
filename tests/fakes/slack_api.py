"""A loopback stand-in for Slack: the Web API, response_url endpoints and a Socket Mode server.

Every call is recorded. `SlackSender` plays Slack's other side: it sends signed slash
commands, events and button clicks to an app's /slack/events, as Slack would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.loopback import serve_loopback

BOT_USER = "UCITEBOT"
BOT_ID = "BCITEBOT"
TEAM = "T0TEAM"


@dataclass
class Call:
    """One request the app made to the fake."""

    method: str  # Web API method, or "response_url"
    params: dict[str, Any]
    token: str | None = None
    key: str = ""  # the response_url's key
    status: int = 200


@dataclass
class Fault:
    status: int
    times: int
    retry_after: int | None = None


@dataclass
class Envelope:
    envelope_id: str
    acked: asyncio.Event = field(default_factory=asyncio.Event)
    ack_payload: dict[str, Any] | None = None


class FakeSlack:
    """Slack's Web API at /api/<method>, response_urls at /response/<key>, Socket Mode /socket."""

    def __init__(
        self, bot_token: str = "xoxb-fake-bot-token", app_token: str = "xapp-fake-app-token"
    ) -> None:
        self.bot_token = bot_token
        self.app_token = app_token
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}  # channel -> messages, oldest first
        self._clock = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_connected = asyncio.Event()
        self.envelopes: dict[str, Envelope] = {}
        self._changed = asyncio.Condition()

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.add_routes(
            [
                web.post("/api/{method}", self._api),
                web.get("/api/{method}", self._api),
                web.post("/response/{key}", self._response_url),
                web.get("/socket", self._socket),
            ]
        )
        self._runner = web.AppRunner(app, access_log=None)
        self.port = await serve_loopback(self._runner)
        return self

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # ------------------------------------------------------------ test controls

    def fail(self, method: str, status: int, times: int = 1, retry_after: int | None = None) -> None:
        """Make the next `times` calls of a method (or "response_url") answer `status`."""
        self.faults.setdefault(method, []).append(Fault(status, times, retry_after))

    def add_message(
        self,
        channel: str,
        text: str,
        user: str = "UASKER",
        thread_ts: str | None = None,
        **extra: Any,
    ) -> str:
        """A message already in Slack (for conversations.replies); returns its ts."""
        ts = self._next_ts()
        message = {"type": "message", "user": user, "text": text, "ts": ts, **extra}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages.setdefault(channel, []).append(message)
        return ts

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def responses(self, key: str) -> list[dict[str, Any]]:
        """What the app sent to one response_url, in order."""
        return [c.params for c in self.calls_to("response_url") if c.key == key]

    def outgoing_text(self) -> str:
        """Every message body the app sent anywhere, as one JSON string (for leak checks)."""
        sent = [c.params for c in self.calls if c.method in _SENDING]
        return json.dumps(sent, ensure_ascii=False)

    async def wait_for(self, check: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until check() is truthy after some call arrives; returns its value."""
        deadline = time.monotonic() + timeout
        async with self._changed:
            while not (value := check()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    continue
            return value

    async def send_envelope(
        self, kind: str, payload: dict[str, Any], retry_attempt: int | None = None
    ) -> Envelope:
        """Push a Socket Mode envelope (events_api, slash_commands, interactive) to the app."""
        await asyncio.wait_for(self.socket_connected.wait(), 15)
        envelope = Envelope(f"env-{next(self._clock)}")
        self.envelopes[envelope.envelope_id] = envelope
        message: dict[str, Any] = {
            "envelope_id": envelope.envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            message["retry_attempt"] = retry_attempt or 0
            message["retry_reason"] = "timeout" if retry_attempt else ""
        await self._sockets[-1].send_str(json.dumps(message))
        return envelope

    # ------------------------------------------------------------ handlers

    def _next_ts(self) -> str:
        return f"{1_700_000_000 + next(self._clock)}.{next(self._clock):06d}"

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    def _fault(self, method: str) -> Fault | None:
        queue = self.faults.get(method) or []
        if queue:
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault
        return None

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else params.pop("token", None)
        fault = self._fault(method)
        if fault:
            await self._record(Call(method, params, token, status=fault.status))
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            body = {"ok": False, "error": "ratelimited" if fault.status == 429 else "fatal_error"}
            return web.json_response(body, status=fault.status, headers=headers)
        await self._record(Call(method, params, token))
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        result: dict[str, Any] = handler(params)
        return web.json_response({"ok": "error" not in result, **result})

    async def _response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        payload = json.loads(await request.text())
        fault = self._fault("response_url")
        if fault:
            await self._record(Call("response_url", payload, key=key, status=fault.status))
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            return web.Response(status=fault.status, text="error", headers=headers)
        await self._record(Call("response_url", payload, key=key))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_str(
            json.dumps({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}})
        )
        self.socket_connected.set()
        async for msg in ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            envelope = self.envelopes.get(str(data.get("envelope_id")))
            await self._record(Call("socket_ack", data))
            if envelope:
                envelope.ack_payload = data.get("payload")
                envelope.acked.set()
        return ws

    # ------------------------------------------------------------ Web API methods

    def _m_auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": "https://fake.slack.test/",
            "team": "Fake",
            "user": "citebot",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"url": f"ws://127.0.0.1:{self.port}/socket"}

    def _m_chat_postMessage(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p.get("channel"))
        ts = self.add_message(
            channel,
            str(p.get("text", "")),
            user=BOT_USER,
            thread_ts=p.get("thread_ts"),
            bot_id=BOT_ID,
            blocks=p.get("blocks"),
        )
        return {"channel": channel, "ts": ts, "message": self.messages[channel][-1]}

    def _m_chat_update(self, p: dict[str, Any]) -> dict[str, Any]:
        channel = str(p.get("channel"))
        for m in self.messages.get(channel, []):
            if m["ts"] == p.get("ts"):
                m.update(text=p.get("text", ""), blocks=p.get("blocks"))
                return {"channel": channel, "ts": m["ts"]}
        return {"error": "message_not_found"}

    def _m_chat_postEphemeral(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"message_ts": self._next_ts()}

    def _m_conversations_replies(self, p: dict[str, Any]) -> dict[str, Any]:
        root = str(p.get("ts"))
        thread = [
            m
            for m in self.messages.get(str(p.get("channel")), [])
            if m["ts"] == root or m.get("thread_ts") == root
        ]
        if not thread:
            return {"error": "thread_not_found"}
        return {"messages": thread, "has_more": False}

    def _m_reactions_add(self, _: dict[str, Any]) -> dict[str, Any]:
        return {}

    def _m_reactions_remove(self, _: dict[str, Any]) -> dict[str, Any]:
        return {}


_SENDING = {"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"}


async def _params(request: web.Request) -> dict[str, Any]:
    """A Web API call's arguments, however the SDK sent them (query, form or JSON)."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        params.update(json.loads(await request.text() or "{}"))
    else:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    for key in ("blocks", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params


# ---------------------------------------------------------------- Slack's side of HTTP mode


def sign(secret: str, body: str, timestamp: int) -> str:
    """Slack's v0 request signature."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Sent:
    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackSender:
    """Sends what Slack sends to an app's /slack/events: signed, form or JSON encoded."""

    def __init__(self, url: str, secret: str, fake: FakeSlack, session: aiohttp.ClientSession) -> None:
        self.url = url
        self.secret = secret
        self.fake = fake
        self.session = session
        self._ids = itertools.count(1)

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Sent:
        ts = int(time.time()) if timestamp is None else timestamp
        sent_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(self.secret, body, ts),
            **(headers or {}),
        }
        start = time.monotonic()
        async with self.session.post(self.url, data=body.encode(), headers=sent_headers) as resp:
            text = await resp.text()
            return Sent(resp.status, text, time.monotonic() - start)

    async def command(
        self,
        command: str,
        text: str,
        *,
        user: str = "UASKER",
        channel: str = "CGENERAL",
        key: str | None = None,
    ) -> tuple[Sent, str]:
        """A slash command; returns the HTTP answer (the ack) and its response_url key."""
        key = key or f"cmd{next(self._ids)}"
        form = {
            "token": "legacy-verification",
            "team_id": TEAM,
            "team_domain": "fake",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": "asker",
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(key),
            "trigger_id": f"trig{next(self._ids)}",
        }
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded"), key

    def event_body(self, event: dict[str, Any], event_id: str | None = None) -> str:
        return json.dumps(
            {
                "token": "legacy-verification",
                "team_id": TEAM,
                "api_app_id": "A0APP",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(self._ids):08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
            }
        )

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry: int | None = None
    ) -> Sent:
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        return await self.post(self.event_body(event, event_id), "application/json", headers=headers)

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        user: str = "UASKER",
        channel: str = "CGENERAL",
        key: str | None = None,
        thread_ts: str | None = None,
    ) -> tuple[Sent, str]:
        """A button click (block_actions); returns the HTTP answer and its response_url key."""
        key = key or f"act{next(self._ids)}"
        container: dict[str, Any] = {
            "type": "message",
            "message_ts": "1.000001",
            "channel_id": channel,
            "is_ephemeral": thread_ts is None,
        }
        if thread_ts:
            container["thread_ts"] = thread_ts
        payload = {
            "type": "block_actions",
            "user": {"id": user, "team_id": TEAM},
            "team": {"id": TEAM},
            "api_app_id": "A0APP",
            "token": "legacy-verification",
            "container": container,
            "channel": {"id": channel},
            "trigger_id": f"trig{next(self._ids)}",
            "response_url": self.fake.response_url(key),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "citebot_feedback",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.post(body, "application/x-www-form-urlencoded"), key
