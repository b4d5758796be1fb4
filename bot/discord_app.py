"""The Discord door: slash commands and mentions, answered by the service, with citations."""

import asyncio
import contextlib
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal, Protocol

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.config import Settings
from bot.errors import CitebotError, ConfigError
from bot.feedback import FeedbackStore, Vote
from bot.models import Answer, Length, Turn
from bot.ratelimit import Limiter, limited_message
from bot.render_discord import (
    Outgoing,
    render_answer,
    render_notice,
    render_partial,
    render_sources,
    render_summary,
    visible,
)
from bot.service import CitebotService
from bot.wiring import build_limiter

log = logging.getLogger(__name__)

PLATFORM = "discord"
NO_PINGS = discord.AllowedMentions.none()
SORRY = "Sorry, something went wrong while answering. Please try again in a moment."
HOW_TO_ASK = (
    "Ask me about the stored articles, e.g. `/ask question: What did Kim say about a new way?` "
    "or `@citebot What did Kim say about a new way?`"
)
INTERRUPTED = "(This answer was interrupted; see below.)"
NOT_HERE = "citebot isn't enabled on this server."
NOT_IN_DMS = "citebot answers in the servers it is enabled for, not in direct messages."
MAX_TURNS = 10  # how far back a reply chain or thread is read as the conversation so far
EDIT_INTERVAL = 1.0  # seconds between edits of a streaming answer (Discord rate-limits edits)
TYPING_INTERVAL = 8.0  # Discord shows "typing" for about 10 s after each signal


# --- endpoints and secrets in logs ------------------------------------------------------------


def use_endpoints(settings: Settings) -> None:
    """Points discord.py at DISCORD_API_BASE / DISCORD_GATEWAY_URL when set (proxies, tests)."""
    if settings.discord_api_base:
        Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


class _Redactor(logging.Filter):
    """Removes the bot token and interaction tokens from log records before handlers see them."""

    # discord.py logs webhook URLs (which embed interaction tokens) and raw gateway events at DEBUG.
    _PATTERNS = (
        re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9_.\-]+"),
        re.compile(r"""(['"]token['"]\s*:\s*['"])[^'"]+"""),
    )

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = message.replace(self._secret, "[redacted]") if self._secret else message
        for pattern in self._PATTERNS:
            clean = pattern.sub(r"\1[redacted]", clean)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self._secret:
            record.exc_text = record.exc_text.replace(self._secret, "[redacted]")
        if clean != message:
            record.msg, record.args = clean, None
        return True


def redact_logs(secret: str) -> None:
    """Installs the redactor on discord.py's loggers and ours (filters run where records start)."""
    names = [n for n in logging.Logger.manager.loggerDict if n.split(".")[0] in ("discord", "bot")]
    for name in [*names, "discord", "bot", __name__]:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, _Redactor)]:
            logger.removeFilter(old)
        logger.addFilter(_Redactor(secret))


# --- where replies go -------------------------------------------------------------------------


Sent = discord.Message
"""A message already sent, that can be edited (a WebhookMessage is a Message too)."""


class Replier(Protocol):
    """Sends and edits the messages of one reply, wherever it goes."""

    async def send(self, out: Outgoing, view: discord.ui.View | None = None) -> Sent: ...


class InteractionReplier:
    """Follow-ups to a deferred slash command (ephemeral when the user asked for privacy)."""

    def __init__(self, interaction: discord.Interaction, *, ephemeral: bool) -> None:
        self._interaction = interaction
        self._ephemeral = ephemeral

    async def send(self, out: Outgoing, view: discord.ui.View | None = None) -> Sent:
        return await self._interaction.followup.send(
            content=out.content or discord.utils.MISSING,
            embeds=list(out.embeds),
            view=view if view is not None else discord.utils.MISSING,
            ephemeral=self._ephemeral,
            allowed_mentions=NO_PINGS,
            wait=True,
        )


class MessageReplier:
    """A reply to the message that mentioned the bot; any further parts follow in the channel."""

    def __init__(self, message: discord.Message) -> None:
        self._message = message
        self._replied = False

    async def send(self, out: Outgoing, view: discord.ui.View | None = None) -> Sent:
        content = out.content or None
        embeds = list(out.embeds)
        target_view = view if view is not None else discord.utils.MISSING
        if not self._replied:
            self._replied = True
            return await self._message.reply(
                content=content,
                embeds=embeds,
                view=target_view,
                allowed_mentions=NO_PINGS,
                mention_author=False,
            )
        return await self._message.channel.send(
            content=content, embeds=embeds, view=target_view, allowed_mentions=NO_PINGS
        )


async def edit(sent: Sent, out: Outgoing, view: discord.ui.View | None = None) -> None:
    """Replaces a sent message's content, embeds and buttons."""
    await sent.edit(
        content=out.content or None, embeds=list(out.embeds), view=view, allowed_mentions=NO_PINGS
    )


async def deliver(
    replier: Replier, outs: Sequence[Outgoing], view: discord.ui.View | None, first: Sent | None
) -> None:
    """Sends a rendered reply in order; buttons go on the last part, `first` is reused if given."""
    for i, out in enumerate(outs):
        part_view = view if i == len(outs) - 1 else None
        if i == 0 and first is not None:
            await edit(first, out, part_view)
        else:
            await replier.send(out, part_view)


class LivePreview:
    """Shows an answer while it streams, editing one message at most once per EDIT_INTERVAL."""

    def __init__(self, replier: Replier, clock: Callable[[], float] = time.monotonic) -> None:
        self._replier = replier
        self._clock = clock
        self._last = 0.0
        self.message: Sent | None = None

    async def update(self, text: str) -> None:
        if not text.strip() or self._clock() - self._last < EDIT_INTERVAL:
            return
        self._last = self._clock()
        try:
            if self.message is None:
                self.message = await self._replier.send(render_partial(text))
            else:
                await edit(self.message, render_partial(text))
        except discord.HTTPException as exc:  # a preview is a nicety: never fail the answer for it
            log.warning("could not update the streaming preview: %s", exc)


@contextlib.asynccontextmanager
async def typing_indicator(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Shows "citebot is typing…" until the block ends; a channel that refuses it is ignored."""

    async def keep_typing() -> None:
        while True:
            try:
                await channel.typing()
            except discord.HTTPException as exc:
                log.info("typing indicator refused: %s", exc)
                return
            await asyncio.sleep(TYPING_INTERVAL)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- feedback buttons -------------------------------------------------------------------------


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"citebot:vote:(?P<vote>up|down):(?P<answer>[0-9a-f]{1,32})",
):
    """👍 or 👎 on one answer; its custom_id carries the answer id, so it works after a restart."""

    def __init__(self, vote: Vote, answer_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if vote == "up" else "👎",
                custom_id=f"citebot:vote:{vote}:{answer_id}",
            )
        )
        self.vote: Vote = vote
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> "VoteButton":
        vote: Vote = "up" if match["vote"] == "up" else "down"
        return cls(vote, match["answer"])

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        if not isinstance(client, CitebotClient):
            return
        await client.record_vote(interaction, self.answer_id, self.vote)


def feedback_view(answer_id: str) -> discord.ui.View:
    """The 👍/👎 row sent under an answer."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton("up", answer_id))
    view.add_item(VoteButton("down", answer_id))
    return view


# --- the client -------------------------------------------------------------------------------


def _intents() -> discord.Intents:
    """Guilds and messages only: no privileged intent (mentions carry their content anyway)."""
    return discord.Intents(guilds=True, guild_messages=True, dm_messages=True)


class CitebotClient(discord.Client):
    """A Discord client answering /ask, /summarize, /sources and mentions through the service."""

    def __init__(
        self,
        settings: Settings,
        service: CitebotService,
        feedback: FeedbackStore,
        limiter: Limiter | None = None,
        **options: Any,
    ) -> None:
        # citebot never joins voice: skip discord.py's warnings about missing voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(intents=_intents(), allowed_mentions=NO_PINGS, **options)
        self.settings = settings
        self.service = service
        self.feedback = feedback
        self.limiter = limiter or build_limiter(settings)
        self.tree = app_commands.CommandTree(self)
        self.tree.on_error = self._on_command_error  # type: ignore[method-assign]
        guild = discord.Object(settings.discord_guild_id) if settings.discord_guild_id else None
        for command in _commands(self):
            self.tree.add_command(command, guild=guild)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)
        await self._sync_commands()

    async def _sync_commands(self) -> None:
        """Registers the slash commands: in one server at once, or globally (can take an hour)."""
        guild_id = self.settings.discord_guild_id
        try:
            synced = await self.tree.sync(guild=discord.Object(guild_id) if guild_id else None)
        except discord.HTTPException as exc:
            log.warning(
                "could not register slash commands (%s); invite the bot with the "
                "applications.commands scope. Mentions still work.",
                exc,
            )
            return
        log.info(
            "registered %d slash commands %s",
            len(synced),
            f"in server {guild_id}" if guild_id else "globally",
        )

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))

    # --- admission ---------------------------------------------------------------------------

    async def refusal(
        self,
        guild_id: int | None,
        user_id: int,
        question: str | None = None,
        *,
        limited: bool = True,
    ) -> str | None:
        """Why this request is not answered (server, length, rate), or None to go ahead."""
        allowed = self.settings.discord_guild_allowlist
        if allowed and guild_id is None:
            return NOT_IN_DMS
        if allowed and str(guild_id) not in allowed:
            return NOT_HERE
        if question is not None:
            if not question.strip():
                return HOW_TO_ASK
            limit = self.settings.citebot_max_question_chars
            if len(question) > limit:
                return (
                    f"That question is {len(question):,} characters; the limit is {limit:,}. "
                    "Please shorten it."
                )
        # off the event loop: the limit may wait on another shard's write to the shared file
        wait = await asyncio.to_thread(self.limiter.retry_after, f"{PLATFORM}:{user_id}") if limited else 0.0
        return limited_message(wait) if wait > 0 else None

    async def admit(
        self, interaction: discord.Interaction, question: str | None = None, *, limited: bool = True
    ) -> bool:
        """True to go ahead; else the user has been told why, privately."""
        reason = await self.refusal(interaction.guild_id, interaction.user.id, question, limited=limited)
        if reason is None:
            return True
        await interaction.response.send_message(
            render_notice(reason, raw=True).content, ephemeral=True, allowed_mentions=NO_PINGS
        )
        return False

    # --- the work, shared by commands and mentions --------------------------------------------

    async def guarded(self, replier: Replier, work: Callable[[], Awaitable[None]]) -> None:
        """Runs `work`; any failure becomes a short reply, never silence and never a traceback."""
        try:
            await work()
        except CitebotError as exc:
            await self._tell(replier, str(exc))
        except Exception:
            log.exception("answering on Discord failed")
            await self._tell(replier, SORRY)

    async def _tell(self, replier: Replier, text: str) -> None:
        try:
            await replier.send(render_notice(text))
        except discord.HTTPException:
            log.exception("could not send an error reply on Discord")

    async def answer(self, replier: Replier, question: str, history: Sequence[Turn]) -> None:
        """Asks the service and sends the cited answer, with feedback buttons."""
        preview = LivePreview(replier)
        try:
            answer = await self.service.ask(question, history, on_text=preview.update)
        except Exception:
            if preview.message is not None:  # a half-streamed answer must not pass for a whole one
                with contextlib.suppress(discord.HTTPException):
                    await edit(preview.message, render_notice(INTERRUPTED))
            raise
        view = await self._feedback_view(answer)
        await deliver(replier, render_answer(answer), view, preview.message)

    async def _feedback_view(self, answer: Answer) -> discord.ui.View | None:
        try:
            answer_id = await asyncio.to_thread(self.feedback.remember, answer, PLATFORM)
        except Exception:  # feedback is secondary: the answer still goes out, without buttons
            log.exception("could not store the answer for feedback")
            return None
        return feedback_view(answer_id)

    async def record_vote(
        self, interaction: discord.Interaction, answer_id: str, vote: Vote
    ) -> None:
        """Stores a 👍/👎 and confirms it to the voter alone."""
        try:
            known = await asyncio.to_thread(
                self.feedback.vote, answer_id, str(interaction.user.id), vote, PLATFORM
            )
            text = (
                f"Thanks, your {'👍' if vote == 'up' else '👎'} is recorded."
                if known
                else "That answer is no longer on record, so the vote could not be saved."
            )
        except Exception:
            log.exception("could not record a vote")
            text = "Sorry, your vote could not be saved. Please try again."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """The last net under every slash command: log it, and tell the user briefly."""
        text = SORRY
        if isinstance(error, app_commands.CommandNotFound):  # e.g. a command since removed
            log.info("unknown slash command: %s", error)
            text = "I don't know that command. Try /ask, /summarize or /sources."
        else:
            log.error("slash command failed", exc_info=error)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=NO_PINGS
                )
        except discord.HTTPException:
            log.exception("could not send an error reply on Discord")

    # --- mentions -----------------------------------------------------------------------------

    def addressed(self, message: discord.Message) -> bool:
        """True for a direct message, or one that mentions the bot (or its role)."""
        me = self.user
        if me is None or message.author.bot or message.author.id == me.id:
            return False
        if isinstance(message.channel, discord.DMChannel):
            return True
        if any(user.id == me.id for user in message.mentions):
            return True
        role = message.guild.self_role if message.guild else None
        return role is not None and role in message.role_mentions

    async def on_message(self, message: discord.Message) -> None:
        if not self.addressed(message):
            return
        question = strip_mentions(message.content, self._own_ids(message))
        replier = MessageReplier(message)
        reason = await self.refusal(
            message.guild.id if message.guild else None, message.author.id, question
        )
        if reason is not None:
            await self._tell_raw(replier, reason)
            return
        async with typing_indicator(message.channel):

            async def work() -> None:
                history = await self.conversation(message)
                await self.answer(replier, question, history)

            await self.guarded(replier, work)

    async def _tell_raw(self, replier: Replier, text: str) -> None:
        try:
            await replier.send(render_notice(text, raw=True))
        except discord.HTTPException:
            log.exception("could not send a reply on Discord")

    def _own_ids(self, message: discord.Message) -> tuple[int, ...]:
        me = self.user.id if self.user else 0
        role = message.guild.self_role if message.guild else None
        return (me, role.id) if role else (me,)

    async def conversation(self, message: discord.Message) -> list[Turn]:
        """The conversation so far, oldest first: the reply chain, else the thread's messages."""
        turns: list[Turn] = []
        current = message
        while current.reference and current.reference.message_id and len(turns) < MAX_TURNS:
            if current.reference.channel_id != message.channel.id:
                break
            prior = current.reference.resolved
            if not isinstance(prior, discord.Message):
                try:
                    prior = await message.channel.fetch_message(current.reference.message_id)
                except discord.HTTPException:
                    break
            turn = self._turn(prior, message)
            if turn:
                turns.append(turn)
            current = prior
        if not turns and isinstance(message.channel, discord.Thread):
            try:
                async for prior in message.channel.history(limit=MAX_TURNS * 2, before=message):
                    turn = self._turn(prior, message)
                    if turn:
                        turns.append(turn)
                    if len(turns) >= MAX_TURNS:
                        break
            except discord.HTTPException as exc:
                log.info("could not read the thread's history: %s", exc)
        turns.reverse()
        return turns

    def _turn(self, prior: discord.Message, asked: discord.Message) -> Turn | None:
        """One earlier message as a turn: the bot's answers, and the questions put to it."""
        if self.user and prior.author.id == self.user.id:
            text = prior.embeds[0].description if prior.embeds else prior.content
            text = visible(text or "").strip()
            return Turn("assistant", text) if text and not prior.flags.ephemeral else None
        if prior.author.bot:
            return None
        text = strip_mentions(prior.content, self._own_ids(asked))
        return Turn("user", text) if text else None


def strip_mentions(text: str, ids: Sequence[int]) -> str:
    """The question without the bot's own mention markup around it."""
    for i in ids:
        text = re.sub(rf"<@[!&]?{i}>", " ", text)
    return " ".join(text.split())


# --- slash commands ---------------------------------------------------------------------------


def _commands(client: CitebotClient) -> list[app_commands.Command[Any, Any, None]]:
    """/ask, /summarize and /sources, bound to `client`."""

    @app_commands.command(
        name="ask", description="Ask about the stored articles; the answer quotes them."
    )
    @app_commands.describe(question="Your question", private="Only you see the answer")
    async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
        if not await client.admit(interaction, question):
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        replier = InteractionReplier(interaction, ephemeral=private)
        await client.guarded(replier, lambda: client.answer(replier, question, ()))

    @app_commands.command(name="summarize", description="Summarize the article in cited points.")
    @app_commands.describe(length="How long a summary", private="Only you see the summary")
    async def summarize(
        interaction: discord.Interaction,
        length: Literal["short", "medium", "long"] = "medium",
        private: bool = False,
    ) -> None:
        if not await client.admit(interaction):
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        replier = InteractionReplier(interaction, ephemeral=private)

        async def work() -> None:
            chosen: Length = length
            summary = await client.service.summarize(None, chosen)
            await deliver(replier, render_summary(summary), None, None)

        await client.guarded(replier, work)

    @app_commands.command(name="sources", description="List the articles citebot can quote.")
    @app_commands.describe(private="Only you see the list")
    async def sources(interaction: discord.Interaction, private: bool = False) -> None:
        if not await client.admit(interaction, limited=False):
            return
        await interaction.response.defer(ephemeral=private, thinking=True)
        replier = InteractionReplier(interaction, ephemeral=private)

        async def work() -> None:
            await deliver(replier, render_sources(await client.service.sources()), None, None)

        await client.guarded(replier, work)

    return [ask, summarize, sources]


# --- running ----------------------------------------------------------------------------------


class ShardedCitebotClient(CitebotClient, discord.AutoShardedClient):
    """The same bot over several gateway connections (shards), each carrying a share of the
    servers: Discord requires sharding from 2,500 servers on."""


def build_client(
    settings: Settings,
    service: CitebotService,
    feedback: FeedbackStore,
    limiter: Limiter | None = None,
) -> CitebotClient:
    """The client, wired to its dependencies; nothing connects until it is started.
    Sharded (DISCORD_SHARDS) it runs several gateway connections, or DISCORD_SHARD_IDS of them."""
    sharding = settings.discord_sharding
    if sharding is None:
        return CitebotClient(settings, service, feedback, limiter)
    count, ids = sharding
    return ShardedCitebotClient(settings, service, feedback, limiter, shard_count=count, shard_ids=ids)


async def serve(client: CitebotClient) -> None:
    """Logs in and runs until the connection ends or the task is cancelled."""
    token = client.settings.require("DISCORD_TOKEN")
    redact_logs(token)
    use_endpoints(client.settings)
    try:
        async with client:
            await client.start(token)
    except discord.LoginFailure:
        raise ConfigError(
            "DISCORD_TOKEN was rejected by Discord: copy the bot token again from the "
            "Developer Portal (Bot > Reset Token)"
        ) from None
    except (aiohttp.ClientConnectionError, TimeoutError) as exc:
        where = client.settings.discord_api_base or "Discord"
        raise CitebotError(
            f"cannot reach {where} ({type(exc).__name__}): check the network, "
            "or DISCORD_API_BASE if it is set"
        ) from None
    except discord.PrivilegedIntentsRequired:  # not expected: citebot asks for no privileged intent
        raise ConfigError(
            "Discord refused the bot's intents; check the Bot page of the application"
        ) from None


def run(settings: Settings, service: CitebotService, feedback: FeedbackStore) -> None:
    """`citebot discord`: runs the bot until interrupted (blocking)."""
    settings.require("DISCORD_TOKEN")  # fail before anything else starts
    client = build_client(settings, service, feedback)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(client))
