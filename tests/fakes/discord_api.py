"""A loopback stand-in for Discord's REST API and gateway, for running the real discord.py against.

One aiohttp server on 127.0.0.1 serves both: REST under /api/v10 and the gateway WebSocket at
/gateway. The gateway speaks the real protocol (HELLO, IDENTIFY -> READY, GUILD_CREATE, heartbeats,
then whatever events a test dispatches); REST answers what discord.py asks while logging in,
syncing commands, answering interactions and sending, editing and fetching messages. Every REST
call is recorded with its JSON body (multipart `payload_json` included), and message bodies are
checked against Discord's limits the way Discord checks them (a 400 with code 50035).

Like Discord, it delivers a guild message's content to a bot without the message-content intent
only when the message mentions the bot (or is a DM, or is the bot's own).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from bot.render_discord import visible
from tests.fakes.loopback import serve_loopback

MESSAGE_CONTENT_INTENT = 1 << 15
EPHEMERAL = 1 << 6
LIMITS = {"content": 2000, "description": 4096, "title": 256, "embeds": 10, "embed_total": 6000}

_ids = itertools.count(1_300_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_ids))


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any
    at: float  # time.monotonic() when it arrived
    status: int = 200
    problems: list[str] = field(default_factory=list)

    @property
    def carries_message(self) -> bool:
        """True when the call creates or edits a message (or answers an interaction with one)."""
        body = self.body if isinstance(self.body, dict) else {}
        if self.path.endswith("/callback"):
            body = body.get("data") or {}
            return self.body.get("type") in (4, 7) or "content" in body or "embeds" in body
        return self.method in ("POST", "PATCH") and (
            "/messages" in self.path or self.path.startswith("/webhooks/")
        )

    @property
    def message(self) -> dict[str, Any]:
        """The message part of the body (an interaction callback's `data`, else the body)."""
        body = self.body if isinstance(self.body, dict) else {}
        if self.path.endswith("/callback"):
            return dict(body.get("data") or {})
        return body


def message_problems(msg: dict[str, Any]) -> list[str]:
    """Every way a message body breaks Discord's limits (code points, as Discord counts)."""
    problems = []
    content = msg.get("content") or ""
    if len(content) > LIMITS["content"]:
        problems.append(f"content {len(content)} > 2000")
    embeds = msg.get("embeds") or []
    if len(embeds) > LIMITS["embeds"]:
        problems.append(f"{len(embeds)} embeds > 10")
    total = 0
    for i, e in enumerate(embeds):
        title, desc = e.get("title") or "", e.get("description") or ""
        if len(title) > LIMITS["title"]:
            problems.append(f"embed {i} title {len(title)} > 256")
        if len(desc) > LIMITS["description"]:
            problems.append(f"embed {i} description {len(desc)} > 4096")
        total += len(title) + len(desc) + len((e.get("footer") or {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in e.get("fields", []))
        total += len((e.get("author") or {}).get("name", ""))
    if total > LIMITS["embed_total"]:
        problems.append(f"embeds total {total} > 6000")
    return problems


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses JSON only when Content-Type is exactly application/json (no charset).
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


class FakeDiscord:
    """Discord's REST API and gateway on loopback, with one server, one channel and one thread."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.app_id = snowflake()
        self.guild_id = snowflake()
        self.channel_id = snowflake()
        self.thread_id = snowflake()
        self.dm_channel_id = snowflake()
        self.bot_role_id = snowflake()
        self.bot = self.user(self.app_id, "citebot", bot=True)
        self.calls: list[Call] = []
        self.identify: dict[str, Any] | None = None
        self.ready = asyncio.Event()
        self.commands: dict[str | None, list[dict[str, Any]]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self._deferred: dict[str, str] = {}  # interaction token -> its "thinking…" message
        self._changed = asyncio.Event()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.gateway_connections = 0

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)  # no request logs: paths hold tokens
        self.port = await serve_loopback(self._runner)

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- payloads ----------------------------------------------------------------------------

    @staticmethod
    def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": name,
            "global_name": name,
            "discriminator": "0",
            "avatar": None,
            "bot": bot,
            "public_flags": 0,
        }

    def member(self, user: dict[str, Any], roles: list[str] | None = None) -> dict[str, Any]:
        return {
            "user": user,
            "roles": roles or [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "permissions": "2248473465835073",
        }

    def channel(self) -> dict[str, Any]:
        return {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "rate_limit_per_user": 0,
            "last_message_id": None,
        }

    def thread(self) -> dict[str, Any]:
        return {
            "id": self.thread_id,
            "type": 11,
            "guild_id": self.guild_id,
            "parent_id": self.channel_id,
            "owner_id": "1",
            "name": "kim-questions",
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now(),
                "locked": False,
            },
        }

    def guild(self) -> dict[str, Any]:
        everyone = {
            "id": self.guild_id,
            "name": "@everyone",
            "permissions": "2248473465835073",
            "position": 0,
            "color": 0,
            "hoist": False,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        bot_role = dict(
            everyone,
            id=self.bot_role_id,
            name="citebot",
            managed=True,
            tags={"bot_id": self.app_id},
        )
        return {
            "id": self.guild_id,
            "name": "Newsroom",
            "icon": None,
            "owner_id": "1",
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [everyone, bot_role],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_flags": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "joined_at": _now(),
            "large": False,
            "unavailable": False,
            "member_count": 2,
            "voice_states": [],
            "members": [self.member(self.bot, [self.bot_role_id])],
            "channels": [self.channel()],
            "threads": [self.thread()],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def application(self) -> dict[str, Any]:
        return {
            "id": self.app_id,
            "name": "citebot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "flags": 0,
            "owner": self.user("1", "owner"),
            "team": None,
            "interactions_endpoint_url": None,
        }

    # --- the gateway -------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self.gateway_connections += 1
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif data["op"] == 2:
                self.identify = data["d"]
                if data["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                await self.dispatch(
                    "READY",
                    {
                        "v": 10,
                        "user": self.bot,
                        "guilds": [{"id": self.guild_id, "unavailable": True}],
                        "session_id": "fake-session",
                        "resume_gateway_url": self.gateway_url,
                        "application": {"id": self.app_id, "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                        # as Discord does: a sharded IDENTIFY gets its [shard_id, num_shards] back
                        **({"shard": data["d"]["shard"]} if "shard" in data["d"] else {}),
                    },
                )
                await self.dispatch("GUILD_CREATE", self.guild())
                self.ready.set()
        return ws

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Sends one gateway event to the connected bot."""
        assert self._ws is not None, "the bot has not connected to the gateway"
        self._seq += 1
        await self._ws.send_json({"op": 0, "t": event, "s": self._seq, "d": data})

    # --- what a test does as a user ----------------------------------------------------------

    def _interaction(
        self, itype: int, data: dict[str, Any], user: dict[str, Any], guild: bool
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": snowflake(),
            "application_id": self.app_id,
            "type": itype,
            "data": data,
            "channel_id": self.channel_id,
            "channel": self.channel(),
            "token": "interaction-token-" + snowflake(),
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": 26214400,
        }
        if guild:
            payload.update(guild_id=self.guild_id, guild_locale="en-US", member=self.member(user))
        else:
            payload.update(user=user, context=1)
            payload["channel"] = {"id": self.channel_id, "type": 1, "recipients": [user]}
        return payload

    async def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        user: dict[str, Any] | None = None,
        guild_id: str | None = None,
    ) -> tuple[dict[str, Any], float]:
        """Invokes a registered slash command; returns the interaction and when it was sent."""
        registered = self.commands.get(self.guild_id) or self.commands.get(None) or []
        unknown = {"id": snowflake(), "name": name, "options": []}  # e.g. a command since removed
        command = next((c for c in registered if c["name"] == name), unknown)
        types = {o["name"]: o["type"] for o in command.get("options", [])}
        data: dict[str, Any] = {
            "id": command["id"],
            "name": name,
            "type": 1,
            "options": [
                {"name": k, "type": types[k], "value": v} for k, v in (options or {}).items()
            ],
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        payload = self._interaction(2, data, user or self.user("42", "reporter"), guild=True)
        if guild_id is not None:
            payload["guild_id"] = guild_id
        sent = time.monotonic()
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload, sent

    async def click(
        self, custom_id: str, message: dict[str, Any], *, user: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Clicks a button on a message the bot sent."""
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, data, user or self.user("42", "reporter"), guild=True)
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload

    async def say(
        self,
        content: str,
        *,
        author: dict[str, Any] | None = None,
        mention_bot: bool = True,
        reply_to: dict[str, Any] | None = None,
        in_thread: bool = False,
        guild_id: str | None = None,
        dm: bool = False,
    ) -> dict[str, Any]:
        """A user posts a message; `mention_bot` puts `<@bot>` in it (or pings the replied bot).

        `dm`: a direct message to the bot (no server; Discord always delivers its content)."""
        author = author or self.user("42", "reporter")
        channel_id = self.dm_channel_id if dm else self.thread_id if in_thread else self.channel_id
        mentions = [self.bot] if mention_bot else []
        if mention_bot and reply_to is None:
            content = f"<@{self.app_id}> {content}"
        msg = self._message(channel_id, author, content, mentions=mentions, reference=reply_to)
        if not dm:
            msg["guild_id"] = guild_id or self.guild_id
            msg["member"] = {k: v for k, v in self.member(author).items() if k != "user"}
        self.messages[msg["id"]] = msg
        delivered = dict(msg)
        intents = (self.identify or {}).get("intents", 0)
        if not (intents & MESSAGE_CONTENT_INTENT or mention_bot or author.get("bot") or dm):
            delivered["content"] = ""  # what Discord delivers without the message-content intent
        await self.dispatch("MESSAGE_CREATE", delivered)
        return msg

    def _message(
        self,
        channel_id: str,
        author: dict[str, Any],
        content: str,
        *,
        mentions: list[dict[str, Any]] | None = None,
        reference: dict[str, Any] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = body or {}
        msg: dict[str, Any] = {
            "id": snowflake(),
            "channel_id": channel_id,
            "author": author,
            "content": content,
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": mentions or [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds", []),
            "components": body.get("components", []),
            "pinned": False,
            "type": 19 if reference else 0,
            "flags": body.get("flags", 0),
        }
        if reference is not None:
            msg["message_reference"] = {
                "message_id": reference["id"],
                "channel_id": reference["channel_id"],
                "guild_id": self.guild_id,
            }
            # Like Discord, the quoted message comes one level deep only.
            msg["referenced_message"] = {
                k: v for k, v in reference.items() if k != "referenced_message"
            }
        return msg

    # --- what a test reads -------------------------------------------------------------------

    def message_calls(self) -> list[Call]:
        """Every call that created or edited a message, in order."""
        return [c for c in self.calls if c.carries_message]

    async def wait_for(self, predicate: Callable[[Call], bool], timeout: float = 15.0) -> Call:
        """The first recorded call matching `predicate`, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        while True:
            for call in self.calls:
                if predicate(call):
                    return call
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(c.method, c.path) for c in self.calls]
                raise TimeoutError(f"no matching call within {timeout} s; calls: {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))

    # --- REST --------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> Any:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            raw = form.get("payload_json")
            return json.loads(str(raw)) if raw is not None else {}
        text = await request.text()
        return json.loads(text) if text else None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        call = Call(
            request.method, path, dict(request.query), await self._body(request), time.monotonic()
        )
        self.calls.append(call)
        self._changed.set()
        if call.carries_message:
            call.problems = message_problems(call.message)
            if call.problems:
                call.status = 400
                return _json(
                    {"code": 50035, "message": "Invalid Form Body", "errors": call.problems}, 400
                )
        token_routes = path.startswith(("/webhooks/", "/interactions/"))
        if not token_routes and request.headers.get("Authorization") != f"Bot {self.token}":
            call.status = 401
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        response = self._route(request.method, path, call)
        call.status = response.status
        return response

    def _route(self, method: str, path: str, call: Call) -> web.Response:
        body = call.body if isinstance(call.body, dict) else {}
        if (method, path) == ("GET", "/users/@me"):
            return _json(self.bot)
        if (method, path) == ("GET", "/oauth2/applications/@me"):
            return _json(self.application())
        m = re.fullmatch(r"/applications/\d+(?:/guilds/(\d+))?/commands", path)
        if m and method == "PUT":
            return _json(self._register(m.group(1), call.body or []))
        if m := re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path):
            return self._callback(m.group(1), m.group(2), body)
        if (m := re.fullmatch(r"/webhooks/\d+/([^/]+)", path)) and method == "POST":
            deferred = self._deferred.pop(m.group(1), None)
            if deferred is not None:  # like Discord: the first follow-up replaces "thinking…"
                msg = self.messages[deferred]
                msg.update(content=body.get("content") or "", embeds=body.get("embeds", []))
                msg.update(components=body.get("components", []))
                return _json(msg)
            msg = self._message(self.channel_id, self.bot, body.get("content", ""), body=body)
            return _json(self._store(msg))
        if m := re.fullmatch(r"/webhooks/\d+/[^/]+/messages/(\w+|@original)", path):
            return self._edit_or_get(method, m.group(1), body)
        if m := re.fullmatch(r"/channels/(\d+)/messages", path):
            if method == "POST":
                ref = self.messages.get(
                    str((body.get("message_reference") or {}).get("message_id"))
                )
                msg = self._message(
                    m.group(1), self.bot, body.get("content") or "", reference=ref, body=body
                )
                return _json(self._store(msg))
            limit = int(call.query.get("limit", 50))
            before = int(call.query.get("before", 1 << 63))
            found = [
                x
                for x in self.messages.values()
                if x["channel_id"] == m.group(1) and int(x["id"]) < before
            ]
            return _json(sorted(found, key=lambda x: -int(x["id"]))[:limit])
        if m := re.fullmatch(r"/channels/\d+/messages/(\d+)", path):
            return self._edit_or_get(method, m.group(1), body)
        if re.fullmatch(r"/channels/\d+/typing", path) and method == "POST":
            return web.Response(status=204)
        return _json({"message": "404: Not Found (fake)", "code": 0}, 404)

    def _store(self, msg: dict[str, Any]) -> dict[str, Any]:
        if msg["channel_id"] != self.dm_channel_id:
            msg["guild_id"] = self.guild_id
        self.messages[msg["id"]] = msg
        return msg

    def _edit_or_get(self, method: str, message_id: str, body: dict[str, Any]) -> web.Response:
        if message_id == "@original":
            message_id = max(self.messages, key=int)
        msg = self.messages.get(message_id)
        if msg is None:
            return _json({"message": "Unknown Message", "code": 10008}, 404)
        if method == "PATCH":
            for key in ("content", "embeds", "components"):
                if key in body:
                    msg[key] = (
                        body[key] if body[key] is not None else ("" if key == "content" else [])
                    )
            msg["edited_timestamp"] = _now()
        return _json(msg)

    def _register(
        self, guild_id: str | None, commands: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        registered = []
        for c in commands:
            full = {
                "type": 1,
                "description": "",
                "options": [],
                "default_member_permissions": None,
                "dm_permission": True,
                "nsfw": False,
                **c,
                "id": snowflake(),
                "application_id": self.app_id,
                "version": snowflake(),
            }
            if guild_id:
                full["guild_id"] = guild_id
            registered.append(full)
        self.commands[guild_id] = registered
        return registered

    def _callback(self, interaction_id: str, token: str, body: dict[str, Any]) -> web.Response:
        data = body.get("data") or {}
        rtype = body.get("type")
        msg = self._store(
            self._message(self.channel_id, self.bot, data.get("content") or "", body=data)
        )
        if rtype == 5:
            self._deferred[token] = msg["id"]
        return _json(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": 2,
                    "response_message_id": msg["id"],
                    "response_message_loading": rtype == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
                },
                "resource": {"type": rtype, "message": msg},
            }
        )


def shown(call: Call) -> str:
    """Everything a user sees in a message, as Discord displays it."""
    msg = call.message
    parts = [msg.get("content") or ""]
    for e in msg.get("embeds") or []:
        parts += [
            e.get("title") or "",
            e.get("description") or "",
            (e.get("footer") or {}).get("text", ""),
        ]
    return visible("\n".join(parts))
