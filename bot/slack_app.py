"""The Slack door: slash commands, mentions, DMs and thread follow-ups, over the citebot service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.config import Settings
from bot.errors import CitebotError, ConfigError, RateLimited
from bot.feedback import FeedbackStore, Vote
from bot.models import Answer, Length, Turn
from bot.ratelimit import Limiter, limited_message
from bot.render_slack import (
    CONTINUED,
    SHARE,
    VOTE_DOWN,
    VOTE_UP,
    SlackMessage,
    escape,
    notice,
    render_answer,
    render_partial,
    render_sources,
    render_summary,
)
from bot.service import CitebotService
from bot.wiring import build_limiter

log = logging.getLogger(__name__)

PLATFORM = "slack"
WORKING = "hourglass_flowing_sand"  # the reaction shown while an answer is being prepared
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
LOOKING = "⏳ Looking that up…"
HISTORY_TURNS = 20  # the most recent turns of a thread passed as the conversation so far
STREAM_INTERVAL = 1.0  # seconds between chat.update calls while an answer streams
LENGTHS: tuple[Length, ...] = ("short", "medium", "long")


# ---------------------------------------------------------------- incoming text


def question_text(text: str, bot_user_id: str | None) -> str:
    """A Slack message's text as the question a person typed: our own mention dropped,
    Slack's &amp; &lt; &gt; decoded (the renderer escapes everything again)."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", " ", text)
    text = _unescape(text)
    return " ".join(text.split()) if "\n" not in text else text.strip()


def thread_turns(messages: Sequence[dict[str, Any]], before_ts: str, me: AuthorizeResult) -> list[Turn]:
    """The conversation so far, read back from a thread: ours as assistant, people's as user."""
    turns: list[Turn] = []
    for m in messages:
        if _ts(m.get("ts")) >= _ts(before_ts):
            continue
        text = str(m.get("text") or "")
        if _is_own(m, me):
            if text and text != CONTINUED:
                turns.append(Turn("assistant", _unescape(text)))
        elif not m.get("bot_id") and m.get("subtype") in (None, "thread_broadcast"):
            asked = question_text(text, me.bot_user_id)
            if asked:
                turns.append(Turn("user", asked))
    return turns[-HISTORY_TURNS:]


def _unescape(text: str) -> str:
    """Undo Slack's (and our own) &amp; &lt; &gt; encoding."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _is_own(message: dict[str, Any], me: AuthorizeResult) -> bool:
    return bool(
        (me.bot_id and message.get("bot_id") == me.bot_id)
        or (me.bot_user_id and message.get("user") == me.bot_user_id)
    )


def _ts(value: Any) -> Decimal:
    """A Slack timestamp ("1712345678.000200") as a number that compares exactly."""
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def summarize_args(text: str) -> tuple[str | None, Length]:
    """`/summarize [doc] [short|medium|long]` -> (doc or None, length)."""
    words = question_text(text, None).split()
    length: Length = "medium"
    rest: list[str] = []
    for word in words:
        low = word.lower()
        if low in LENGTHS:
            length = LENGTHS[LENGTHS.index(low)]
        else:
            rest.append(word)
    return (" ".join(rest) or None), length


# ---------------------------------------------------------------- small helpers


class _Recent:
    """A bounded memory of recent keys (event ids, answered messages)."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[str, bool] = OrderedDict()
        self._size = size

    def claim(self, key: str) -> bool:
        """True the first time a key is seen, False for every repeat."""
        if key in self._items:
            return False
        self._items[key] = True
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return True


class _ServerErrorRetry(AsyncServerErrorRetryHandler):
    """Retries every 5xx answer, not only 500 and 503."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


def retry_handlers() -> list[AsyncRetryHandler]:
    """Retry Slack's connection drops, 429 (after Retry-After) and 5xx answers."""
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        _ServerErrorRetry(max_retry_count=2),
    ]


def web_client(settings: Settings) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL when set, with retries. It holds no token: each
    request's client gets the bot token from `authorize`."""
    base = settings.slack_api_url or "https://slack.com/api/"
    return AsyncWebClient(base_url=base.rstrip("/") + "/", retry_handlers=retry_handlers())


class Identity:
    """Who the bot is (auth.test), asked once and reused for every request."""

    def __init__(self, client: AsyncWebClient, token: str) -> None:
        self._client = client
        self._token = token
        self._result: AuthorizeResult | None = None

    async def load(self) -> AuthorizeResult:
        if self._result is None:
            try:
                resp = await self._client.auth_test(token=self._token)
            except SlackApiError as exc:
                error = exc.response.get("error", "error") if exc.response else "error"
                raise ConfigError(
                    f"SLACK_BOT_TOKEN was rejected by Slack ({error}): copy the Bot User OAuth "
                    "Token (xoxb-…) from your app's OAuth & Permissions page"
                ) from None
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise ConfigError(
                    f"cannot reach Slack's Web API at {self._client.base_url} "
                    f"({type(exc).__name__}): check the network, or SLACK_API_URL if you set it"
                ) from None
            self._result = AuthorizeResult.from_auth_test_response(
                bot_token=self._token, auth_test_response=resp
            )
        return self._result


# ---------------------------------------------------------------- the door


@dataclass
class _Reply:
    """Where a conversation's answer goes: a channel, and the thread to keep it in."""

    client: AsyncWebClient
    channel: str
    thread_ts: str | None

    async def post(self, message: SlackMessage) -> str:
        resp = await self.client.chat_postMessage(
            channel=self.channel,
            thread_ts=self.thread_ts,
            text=message.text,
            blocks=list(message.blocks),
            unfurl_links=False,
            unfurl_media=False,
        )
        return str(resp.get("ts") or "")

    async def update(self, ts: str, message: SlackMessage) -> None:
        await self.client.chat_update(
            channel=self.channel, ts=ts, text=message.text, blocks=list(message.blocks)
        )


class _LiveAnswer:
    """A message that shows an answer while it streams, updated at most once a second."""

    def __init__(self, reply: _Reply, interval: float = STREAM_INTERVAL) -> None:
        self._reply = reply
        self._interval = interval
        self._last = 0.0
        self.ts: str | None = None

    async def on_text(self, text: str) -> None:
        now = time.monotonic()
        if now - self._last < self._interval:
            return
        self._last = now
        try:
            if self.ts is None:
                self.ts = await self._reply.post(render_partial(text))
            else:
                await self._reply.update(self.ts, render_partial(text))
        except Exception:  # a failed preview must not lose the answer
            log.warning("could not show the answer while it streams", exc_info=True)


class SlackDoor:
    """Turns Slack events into questions for the service and renders what comes back."""

    def __init__(
        self,
        settings: Settings,
        service: CitebotService,
        feedback: FeedbackStore,
        identity: Identity,
        limiter: Limiter | None = None,
    ) -> None:
        self.settings = settings
        self.service = service
        self.feedback = feedback
        self.identity = identity
        self.limiter = limiter or build_limiter(settings)
        self.public = settings.citebot_slack_public
        self.allowed = settings.slack_channel_allowlist
        self._seen = _Recent(5000)  # event ids and answered messages: Slack's retries and twins

    def register(self, app: AsyncApp) -> None:
        """Attach every listener to a bolt app."""
        app.middleware(self.skip_retries)
        app.command("/ask")(self.on_ask)
        app.command("/summarize")(self.on_summarize)
        app.command("/sources")(self.on_sources)
        app.event("app_mention")(self.on_mention)
        app.event("message")(self.on_message)
        app.action(re.compile(f"^({VOTE_UP}|{VOTE_DOWN})$"))(self.on_vote)
        app.action(SHARE)(self.on_share)
        app.error(self.on_error)

    # ------------------------------------------------------------ gates

    async def skip_retries(
        self, body: dict[str, Any], request: AsyncBoltRequest, next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        """Slack re-sends an event it thinks we missed: acknowledge, never answer twice."""
        retry = request.headers.get("x-slack-retry-num", ["0"])[0]
        event_id = str(body.get("event_id") or "")
        if retry not in ("", "0") or (event_id and not self._seen.claim(f"event:{event_id}")):
            log.info("skipping a repeated Slack event (retry %s)", retry)
            return BoltResponse(status=200, body="")
        await next()
        return None

    def closed_channel(self, channel: str) -> str | None:
        """Why citebot does not answer in this channel (the allowlist), or None. DMs are open."""
        if self.allowed and not channel.startswith("D") and channel not in self.allowed:
            return (
                "I'm not enabled in this channel. Ask me in a DM, or ask an admin to add "
                "this channel to CITEBOT_SLACK_CHANNELS."
            )
        return None

    def refusal(self, channel: str, question: str | None) -> str | None:
        """Why this request is not answered (channel, question), or None to go ahead."""
        closed = self.closed_channel(channel)
        if closed:
            return closed
        if question is not None:
            if not question.strip():
                return "Ask me a question about the stored articles, e.g. `What did Kim say?`"
            limit = self.settings.citebot_max_question_chars
            if len(question) > limit:
                return (
                    f"That question is {len(question):,} characters long; the limit is "
                    f"{limit:,}. Please shorten it."
                )
        return None

    async def check_rate(self, user: str) -> None:
        """Raises RateLimited when the user has asked too often this minute. Checked after a
        slash command is acknowledged, never before: the count lives in SQLite shared by the
        workers, and under load its I/O (a thread giving up the GIL) would hold up the acks."""
        wait = await asyncio.to_thread(self.limiter.retry_after, f"{PLATFORM}:{user}")
        if wait:
            raise RateLimited(limited_message(wait))

    # ------------------------------------------------------------ slash commands

    async def on_ask(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """/ask <question>: acknowledged at once, answered at the response_url."""
        question = question_text(str(command.get("text") or ""), None)
        stop = self.refusal(str(command.get("channel_id")), question)
        if stop:
            await say_in_ack(ack, stop)
            return
        await say_in_ack(ack, LOOKING)

        async def messages() -> list[SlackMessage]:
            await self.check_rate(str(command.get("user_id")))
            return await self._ask_messages(question, share=not self.public)

        await self._answer_at(str(command.get("response_url") or ""), messages)

    async def on_summarize(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """/summarize [doc] [short|medium|long]"""
        stop = self.refusal(str(command.get("channel_id")), None)
        if stop:
            await say_in_ack(ack, stop)
            return
        await say_in_ack(ack, "⏳ Summarizing…")
        doc, length = summarize_args(str(command.get("text") or ""))

        async def messages() -> list[SlackMessage]:
            await self.check_rate(str(command.get("user_id")))
            return render_summary(await self.service.summarize(doc, length))

        await self._answer_at(str(command.get("response_url") or ""), messages)

    async def on_sources(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """/sources: the stored articles."""
        closed = self.closed_channel(str(command.get("channel_id")))
        if closed:
            await say_in_ack(ack, closed)
            return
        await ack()

        async def messages() -> list[SlackMessage]:
            return render_sources(await self.service.sources())

        await self._answer_at(str(command.get("response_url") or ""), messages)

    async def _ask_messages(
        self,
        question: str,
        *,
        share: bool,
        history: Sequence[Turn] = (),
        live: _LiveAnswer | None = None,
    ) -> list[SlackMessage]:
        on_text = live.on_text if live else None
        answer = await self.service.ask(question, history, on_text)
        answer_id = await asyncio.to_thread(self.feedback.remember, answer, PLATFORM)
        return render_answer(answer, answer_id=answer_id, share=share, show_question=live is None)

    async def _answer_at(
        self, response_url: str, produce: Callable[[], Awaitable[list[SlackMessage]]]
    ) -> None:
        """Produce messages and send them to a response_url; any failure becomes a reply."""
        kind: Literal["in_channel", "ephemeral"] = "in_channel" if self.public else "ephemeral"
        try:
            messages = await produce()
        except CitebotError as exc:
            messages, kind = [notice(str(exc))], "ephemeral"
        except Exception:
            log.exception("a Slack command failed")
            messages, kind = [notice(SORRY)], "ephemeral"
        for message in messages:
            await respond(response_url, message, response_type=kind)

    # ------------------------------------------------------------ conversation

    async def on_mention(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """@citebot in a channel: answered in that message's thread."""
        me = await self.identity.load()
        channel, ts = str(event.get("channel")), str(event.get("ts"))
        if not self._seen.claim(f"msg:{channel}:{ts}"):
            return
        thread = str(event.get("thread_ts") or ts)
        history = await self._history(client, channel, thread, ts, me) if event.get("thread_ts") else []
        await self._converse(client, event, thread, history, me)

    async def on_message(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        """A DM, or a message in a thread where citebot has answered."""
        me = await self.identity.load()
        if event.get("bot_id") or event.get("subtype") not in (
            None,
            "thread_broadcast",
            "file_share",
        ):
            return  # bots (ourselves included), edits, joins: never answered, so never a loop
        if event.get("user") == me.bot_user_id:
            return
        channel, ts = str(event.get("channel")), str(event.get("ts"))
        thread_ts = str(event.get("thread_ts") or "")
        if event.get("channel_type") == "im":
            if not self._seen.claim(f"msg:{channel}:{ts}"):
                return
            history = await self._history(client, channel, thread_ts, ts, me) if thread_ts else []
            await self._converse(client, event, thread_ts or None, history, me)
            return
        text = str(event.get("text") or "")
        if not thread_ts or thread_ts == ts or f"<@{me.bot_user_id}" in text:
            return  # not a follow-up, or app_mention answers it
        if re.match(r"\s*<@", text):
            return  # addressed to someone else in the thread
        if self.closed_channel(channel):
            return
        try:
            replies = await self._replies(client, channel, thread_ts)
        except SlackApiError:
            log.warning("could not read a thread to see if citebot is in it", exc_info=True)
            return
        if not any(_is_own(m, me) for m in replies):
            return  # a thread citebot is not part of
        if not self._seen.claim(f"msg:{channel}:{ts}"):
            return
        await self._converse(client, event, thread_ts, thread_turns(replies, ts, me), me)

    async def _replies(self, client: AsyncWebClient, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        resp = await client.conversations_replies(channel=channel, ts=thread_ts, limit=200)
        return list(resp.get("messages") or [])

    async def _history(
        self, client: AsyncWebClient, channel: str, thread_ts: str, ts: str, me: AuthorizeResult
    ) -> list[Turn]:
        """The thread so far, read back from Slack (citebot keeps no conversation state)."""
        try:
            return thread_turns(await self._replies(client, channel, thread_ts), ts, me)
        except SlackApiError:
            log.warning("could not read the thread back; answering without it", exc_info=True)
            return []

    async def _converse(
        self,
        client: AsyncWebClient,
        event: dict[str, Any],
        thread_ts: str | None,
        history: list[Turn],
        me: AuthorizeResult,
    ) -> None:
        """Answer a message in place: indicator on, answer (or a short failure), indicator off."""
        channel, ts = str(event.get("channel")), str(event.get("ts"))
        reply = _Reply(client, channel, thread_ts)
        question = question_text(str(event.get("text") or ""), me.bot_user_id)
        stop = self.refusal(channel, question)
        if stop is None:
            try:
                await self.check_rate(str(event.get("user")))
            except RateLimited as limited:
                stop = str(limited)
        if stop:
            await self._safe_post(reply, notice(stop))
            return
        await self._react(client, "reactions_add", channel, ts)
        live = _LiveAnswer(reply)
        try:
            messages = await self._ask_messages(question, share=False, history=history, live=live)
        except CitebotError as exc:
            messages = [notice(str(exc))]
        except Exception:
            log.exception("a Slack conversation failed")
            messages = [notice(SORRY)]
        try:
            await self._deliver(reply, messages, live.ts)
        finally:
            await self._react(client, "reactions_remove", channel, ts)

    async def _deliver(self, reply: _Reply, messages: list[SlackMessage], live_ts: str | None) -> None:
        """Post the first message (or finish the streamed one); continuations go in its thread."""
        first, *more = messages
        try:
            if live_ts:
                await reply.update(live_ts, first)
                first_ts = live_ts
            else:
                first_ts = await reply.post(first)
        except Exception:
            log.exception("could not post an answer to Slack")
            await self._safe_post(reply, notice(SORRY))
            return
        follow = _Reply(reply.client, reply.channel, reply.thread_ts or first_ts)
        for message in more:
            if not await self._safe_post(follow, message):
                return

    async def _safe_post(self, reply: _Reply, message: SlackMessage) -> bool:
        try:
            await reply.post(message)
            return True
        except Exception:
            log.exception("could not post a reply to Slack")
            return False

    async def _react(self, client: AsyncWebClient, method: str, channel: str, ts: str) -> None:
        """The working indicator; failing to show it never stops an answer."""
        try:
            await getattr(client, method)(channel=channel, timestamp=ts, name=WORKING)
        except Exception as exc:
            log.info("working indicator: %s failed (%s)", method, type(exc).__name__)

    # ------------------------------------------------------------ buttons

    async def on_vote(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """👍 / 👎 under an answer: stored with the answer it was cast on."""
        await ack()
        vote: Vote = "up" if action.get("action_id") == VOTE_UP else "down"
        user = str((body.get("user") or {}).get("id") or "")
        try:
            known = await asyncio.to_thread(
                self.feedback.vote, str(action.get("value")), user, vote, PLATFORM
            )
            text = (
                ("Thanks! Noted your " + ("👍" if vote == "up" else "👎") + ".")
                if known
                else ("I no longer have that answer, so the vote was not recorded.")
            )
        except Exception:
            log.exception("could not store a vote")
            text = SORRY
        await respond(
            str(body.get("response_url") or ""),
            notice(text),
            response_type="ephemeral",
            replace_original=False,
            thread_ts=(body.get("container") or {}).get("thread_ts"),
        )

    async def on_share(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The "Share in channel" button: post a private answer for all, drop the private copy."""
        await ack()
        url = str(body.get("response_url") or "")
        answer_id = str(action.get("value") or "")
        answer: Answer | None = None
        try:  # from the store every worker on this data dir shares, so any of them can share it
            answer = await asyncio.to_thread(self.feedback.recall, answer_id)
        except Exception:
            log.exception("could not read a stored answer back")
        if answer is None:
            await respond(
                url,
                notice("That answer has expired; ask again with /ask to share it."),
                response_type="ephemeral",
                replace_original=False,
            )
            return
        await respond_raw(url, {"delete_original": True})
        for message in render_answer(answer, answer_id=answer_id, share=False, show_question=True):
            await respond(url, message, response_type="in_channel", replace_original=False)

    async def on_error(self, error: Exception, body: dict[str, Any]) -> None:
        """Anything that escaped a listener: logged with its traceback (users got a reply)."""
        log.error("unhandled error in a Slack listener", exc_info=error)


# ---------------------------------------------------------------- response_url


async def say_in_ack(ack: AsyncAck, text: str) -> None:
    """Acknowledge a command with a short private line, escaped like everything else."""
    await ack(text=escape(text), response_type="ephemeral")


async def respond(
    url: str,
    message: SlackMessage,
    *,
    response_type: Literal["in_channel", "ephemeral"],
    replace_original: bool | None = None,
    thread_ts: str | None = None,
) -> None:
    """Send a message to a response_url (retried on 429 / 5xx); never link_names."""
    payload: dict[str, Any] = {
        "text": message.text,
        "blocks": list(message.blocks),
        "response_type": response_type,
        "unfurl_links": False,
        "unfurl_media": False,
    }
    if replace_original is not None:
        payload["replace_original"] = replace_original
    if thread_ts:
        payload["thread_ts"] = thread_ts
    await respond_raw(url, payload)


async def respond_raw(url: str, payload: dict[str, Any]) -> None:
    if not url:
        log.warning("no response_url to answer at")
        return
    try:
        resp = await AsyncWebhookClient(url, retry_handlers=retry_handlers()).send_dict(payload)
    except Exception:
        log.exception("could not send to the response_url")
        return
    if resp.status_code != 200:
        log.warning("the response_url answered %s: %s", resp.status_code, resp.body[:200])


# ---------------------------------------------------------------- wiring


@dataclass(frozen=True)
class SlackBot:
    """A wired Slack door: the bolt app, who the bot is, and the listeners' owner."""

    app: AsyncApp
    identity: Identity
    door: SlackDoor


def build(settings: Settings, service: CitebotService, feedback: FeedbackStore, *, http: bool) -> SlackBot:
    """The bolt AsyncApp with citebot's listeners; a missing token raises ConfigError naming it."""
    token = settings.require("SLACK_BOT_TOKEN")
    secret = settings.require("SLACK_SIGNING_SECRET") if http else ""
    client = web_client(settings)
    identity = Identity(client, token)

    async def authorize() -> AuthorizeResult:
        return await identity.load()

    _quiet_token_warning()
    app = AsyncApp(
        name="citebot",
        client=client,
        signing_secret=secret,
        authorize=authorize,
        request_verification_enabled=http,
    )
    door = SlackDoor(settings, service, feedback, identity)
    door.register(app)
    return SlackBot(app, identity, door)


class _TokenSkippedFilter(logging.Filter):
    """Drops bolt's "`token` will be unused" warning: bolt reads SLACK_BOT_TOKEN from the
    environment on its own, while we hand the token to `authorize` on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def _quiet_token_warning() -> None:
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenSkippedFilter) for f in bolt_log.filters):
        bolt_log.addFilter(_TokenSkippedFilter())


def web_app(app: AsyncApp) -> web.Application:
    """The HTTP endpoint Slack calls (/slack/events), plus /healthz for load balancers."""

    async def events(request: web.Request) -> web.Response:
        bolt_resp = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(bolt_resp)

    async def health(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    application = web.Application()
    application.add_routes([web.post("/slack/events", events), web.get("/healthz", health)])
    return application


def run(
    settings: Settings,
    service: CitebotService,
    feedback: FeedbackStore,
    *,
    http: bool,
    port: int | None = None,
) -> None:
    """Serve Slack until interrupted: Socket Mode, or HTTP on `port` (default PORT)."""
    bot = build(settings, service, feedback, http=http)
    app_token = None if http else _app_token(settings)
    asyncio.run(_serve(bot, app_token, port or settings.port))


def _app_token(settings: Settings) -> str:
    token = settings.require("SLACK_APP_TOKEN")
    if not token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope"
        )
    return token


async def _serve(bot: SlackBot, app_token: str | None, port: int) -> None:
    await bot.identity.load()  # a bad token or an unreachable Web API stops us here, not later
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop.set)
    if app_token is None:
        runner = web.AppRunner(web_app(bot.app))
        await runner.setup()
        try:
            await web.TCPSite(runner, "0.0.0.0", port).start()
        except OSError as exc:
            await runner.cleanup()
            raise ConfigError(
                f"cannot listen on port {port} ({exc.strerror}): choose another with --port or PORT"
            ) from None
        print(
            f"citebot: serving Slack on http://0.0.0.0:{port}/slack/events",
            file=sys.stderr,
            flush=True,
        )
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
    else:
        handler = AsyncSocketModeHandler(bot.app, app_token)
        await handler.connect_async()  # type: ignore[no-untyped-call]
        print("citebot: connected to Slack (Socket Mode)", file=sys.stderr, flush=True)
        try:
            await stop.wait()
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]
