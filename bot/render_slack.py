"""Answer / Summary / Sources -> Slack Block Kit messages: escaped, cited, within Slack's limits."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.models import Answer, Citation, Sources, Summary

Block = dict[str, Any]

SECTION_CHARS = 3000  # a section's text (slack-sdk raises above it)
MAX_BLOCKS = 50  # blocks in one message
MESSAGE_CHARS = 12_000  # a message's blocks as JSON; Slack fails near 13k (msg_blocks_too_long)
FALLBACK_CHARS = 3_900  # the notification / read-back text of one message
CONTEXT_CHARS = 2_000  # question echo and notes: shown whole up to this, clipped beyond

VOTE_UP = "citebot_vote_up"
VOTE_DOWN = "citebot_vote_down"
SHARE = "citebot_share"
CONTINUED = "(continued)"  # fallback text of a continuation; thread read-back skips it

# C0/C1 controls (tab and newline kept) and the bidi embeddings/overrides/isolates that can
# make displayed text lie about its order.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class SlackMessage:
    """One Slack message: blocks, plus the fallback text shown in notifications."""

    text: str
    blocks: tuple[Block, ...]

    def size(self) -> int:
        return _json_len(self.blocks)


def escape(text: str) -> str:
    """Slack-escape user or article text, so that <!channel>, <@U…> and <url|label> stay inert."""
    text = _INVISIBLE.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str:
    """An escaped label, linked when the URL is a plain http(s) address."""
    if not url or not url.startswith(("http://", "https://")):
        return escape(label)
    safe = url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    safe = re.sub(r"\s", "", safe)
    return f"<{safe}|{escape(label)}>"


def split_text(text: str, limit: int) -> list[str]:
    """Split escaped text into pieces of at most `limit` chars at the most natural boundary."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _boundary(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _boundary(text: str, limit: int) -> int:
    """Where to cut: a blank line, a line end, a sentence end, a space, else inside a word."""
    window = text[: limit + 1]
    floor = limit // 2  # never leave a sliver: a cut point must keep half the piece
    for sep in ("\n\n", "\n", ". ", "? ", "! ", "; ", ", ", " "):
        at = window.rfind(sep, floor, limit)
        if at > 0:
            return at + len(sep.rstrip()) if sep.strip() else at
    cut = limit
    amp = text.rfind("&", max(0, cut - 5), cut)  # do not split an entity such as &amp;
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    return cut


def mrkdwn(text: str) -> Block:
    """A mrkdwn text object; verbatim so Slack adds no links or mentions of its own."""
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def section(text: str) -> Block:
    return {"type": "section", "text": mrkdwn(text)}


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def notice(text: str) -> SlackMessage:
    """A short message (an error, a limit, a confirmation), escaped."""
    body = escape(text).strip() or "…"
    return SlackMessage(text=_clip(body, FALLBACK_CHARS), blocks=(section(_clip(body, SECTION_CHARS)),))


def quote(text: str) -> str:
    """Escaped text as a Slack block quote, every line marked."""
    return "\n".join(">" + line if line.strip() else ">" for line in escape(text).splitlines() or [""])


def citation_blocks(cite: Citation, *, quoted: bool = True) -> list[Block]:
    """One citation: its number, linked title and paragraph, then the whole verbatim quote
    (left out when `quoted` is False: the prose already shows it word for word)."""
    title = link(cite.url, _clip(cite.title, 300) or cite.doc_id)
    head = f"*[{cite.n}]* {title} · {cite.where}"
    if not quoted:
        return [section(head)]
    room = SECTION_CHARS - len(head) - 1
    first, *more = _join_lines(quote(cite.quote).split("\n"), room, _split_quote_line) or [""]
    return [section(f"{head}\n{first}"), *(section(p) for p in more)]


def _split_quote_line(line: str, room: int) -> list[str]:
    """A quoted line longer than a section, as several quoted lines."""
    if len(line) <= room:
        return [line]
    return [">" + p for p in split_text(line[1:], room - 1)]


def feedback_actions(answer_id: str, *, share: bool) -> Block:
    """👍 / 👎 buttons carrying the stored answer's id, and optionally "Share in channel"."""
    elements: list[Block] = [
        _button("👍 Helpful", VOTE_UP, answer_id),
        _button("👎 Not helpful", VOTE_DOWN, answer_id),
    ]
    if share:
        elements.append(_button("Share in channel", SHARE, answer_id, style="primary"))
    return {"type": "actions", "block_id": "citebot_feedback", "elements": elements}


def _button(label: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def render_answer(
    answer: Answer,
    *,
    answer_id: str | None = None,
    share: bool = False,
    show_question: bool = False,
) -> list[SlackMessage]:
    """An answer as a first message plus continuations; every citation whole, buttons last."""
    head: list[Block] = []
    if show_question and answer.question.strip():
        head.append(context(f"*Q:* {_clip(escape(answer.question), CONTEXT_CHARS)}"))
    prose = escape(answer.text).strip() or "…"
    head += [section(p) for p in split_text(prose, SECTION_CHARS)]
    units: list[list[Block]] = [[b] for b in head]
    shown = _words(answer.text)
    units += [citation_blocks(c, quoted=_words(c.quote) not in shown) for c in answer.citations]
    if answer.note:
        units.append([context(_clip(escape(answer.note), CONTEXT_CHARS))])
    if answer_id:
        units.append([feedback_actions(answer_id, share=share)])
    return _messages(units, fallback=prose)


def render_summary(summary: Summary) -> list[SlackMessage]:
    """A summary: its title, then each point with the paragraphs it rests on."""
    title = link(summary.source or None, summary.title or summary.doc_id)
    units: list[list[Block]] = [[section(f"*Summary of {title}* ({summary.length})")]]
    for point in summary.points:
        units.append(_point_blocks(point.text, point.citations))
    if not summary.points:
        units.append([section("There is nothing to summarize in this article.")])
    if summary.note:
        units.append([context(_clip(escape(summary.note), CONTEXT_CHARS))])
    fallback = f"Summary of {escape(summary.title or summary.doc_id)}: " + " ".join(
        escape(p.text) for p in summary.points
    )
    return _messages(units, fallback=fallback)


def _point_blocks(text: str, cites: Sequence[Citation]) -> list[Block]:
    """One summary point; quotes follow only when they add words the point does not show."""
    refs = ", ".join(c.where for c in cites)
    body = f"• {escape(text).strip()}" + (f"  _({refs})_" if refs else "")
    blocks = [section(p) for p in split_text(body, SECTION_CHARS)]
    for cite in cites:
        if _words(cite.quote) not in _words(text):
            blocks += citation_blocks(cite)
    return blocks


def render_sources(sources: Sources) -> list[SlackMessage]:
    """The stored articles, one line each."""
    docs = sources.documents
    if not docs:
        return [notice("No articles are stored yet. Add some with `citebot ingest <file or URL>`.")]
    lines = [
        f"• {link(d.source or None, d.title or d.id)} · {d.passages} passages · {d.words:,} words"
        + (f" · added {escape(d.ingested_at[:10])}" if d.ingested_at else "")
        for d in docs
    ]
    units: list[list[Block]] = [[section(f"*Stored articles* ({len(docs)})")]]
    units += [[section(chunk)] for chunk in _join_lines(lines, SECTION_CHARS)]
    return _messages(units, fallback=f"{len(docs)} stored articles")


def render_partial(text: str) -> SlackMessage:
    """An answer still being written (streaming): its latest text, marked as unfinished."""
    body = escape(text).strip() or "…"
    if len(body) > SECTION_CHARS - 2:
        body = "…" + body[-(SECTION_CHARS - 2) :]
    return SlackMessage(
        text=_clip(body, FALLBACK_CHARS),
        blocks=(section(body), context("✍️ writing… citations are checked when it's done")),
    )


def _join_lines(
    lines: Iterable[str], limit: int, split: Callable[[str, int], list[str]] | None = None
) -> list[str]:
    """Lines packed into chunks of at most `limit` chars (a longer line is split)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        for piece in (split or split_text)(line, limit):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) > limit:
                chunks.append(current)
                candidate = piece
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _messages(units: Sequence[Sequence[Block]], *, fallback: str) -> list[SlackMessage]:
    """Pack units of blocks into messages within Slack's limits, splitting a unit only if it
    cannot fit in a message of its own."""
    groups: list[list[Block]] = []
    current: list[Block] = []
    for unit in units:
        if _fits([*current, *unit]):
            current += unit
            continue
        if current:
            groups.append(current)
        current = []
        for block in unit:
            if not _fits([*current, block]):
                groups.append(current)
                current = []
            current.append(block)
    if current:
        groups.append(current)
    first = _clip(fallback.strip() or "…", FALLBACK_CHARS)
    return [
        SlackMessage(text=first if i == 0 else CONTINUED, blocks=tuple(blocks))
        for i, blocks in enumerate(groups)
    ]


def _fits(blocks: Sequence[Block]) -> bool:
    return len(blocks) <= MAX_BLOCKS and _json_len(blocks) <= MESSAGE_CHARS


def _json_len(blocks: Sequence[Block]) -> int:
    return len(json.dumps(list(blocks), ensure_ascii=False))


def _words(text: str) -> str:
    """Text with its whitespace normalised, to see whether prose already shows a quote."""
    return " ".join(text.split())


def _clip(text: str, limit: int) -> str:
    """Text cut to `limit` chars with an ellipsis (only for echoes and notes, never quotes)."""
    if len(text) <= limit:
        return text
    cut = _boundary(text, limit - 1)
    return text[:cut].rstrip() + "…"
