"""Answers, summaries and source lists as Discord messages, within Discord's limits.

Pure functions: no network, no client. Every piece of user or article text goes through
`inert()`, so it shows literally (no markdown, no mention, no masked link), and every message
fits Discord's limits: 2,000 characters of content, 4,096 an embed description, 256 an embed
title, 6,000 across a message's embeds, 10 embeds. Long text is split between paragraphs,
sentences or words, never inside a quote's markup; citations come last and are never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import discord

from bot.models import NOT_FOUND_TEXT, Answer, Citation, Sources, Summary

MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_TITLE = 256
MAX_FOOTER = 2048
MAX_EMBED_TOTAL = 6000
MAX_EMBEDS = 10
MAX_URL = 2000

COLOUR_ANSWER = 0x3B82F6
COLOUR_NOT_FOUND = 0x9CA3AF
COLOUR_QUOTE = 0xF59E0B
COLOUR_SUMMARY = 0x10B981

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Discord message to send: its content and its embeds."""

    content: str = ""
    embeds: tuple[discord.Embed, ...] = ()


# --- measuring --------------------------------------------------------------------------------


def units(text: str) -> int:
    """Length as Discord may count it: UTF-16 code units, never less than code points."""
    return len(text.encode("utf-16-le")) // 2


def embed_units(embed: discord.Embed) -> int:
    """The characters of an embed that count toward the 6,000 a message allows."""
    data = embed.to_dict()
    total = units(data.get("title", "")) + units(data.get("description", ""))
    total += sum(units(f["name"]) + units(f["value"]) for f in data.get("fields", []))
    total += units(data.get("footer", {}).get("text", ""))
    total += units(data.get("author", {}).get("name", ""))
    return total


def limit_problems(out: Outgoing) -> list[str]:
    """Every way `out` breaks Discord's message limits; empty when it fits."""
    problems: list[str] = []
    if units(out.content) > MAX_CONTENT:
        problems.append(f"content is {units(out.content)} > {MAX_CONTENT}")
    if len(out.embeds) > MAX_EMBEDS:
        problems.append(f"{len(out.embeds)} embeds > {MAX_EMBEDS}")
    for i, embed in enumerate(out.embeds):
        if units(embed.description or "") > MAX_DESCRIPTION:
            problems.append(f"embed {i} description > {MAX_DESCRIPTION}")
        if units(embed.title or "") > MAX_TITLE:
            problems.append(f"embed {i} title > {MAX_TITLE}")
    total = sum(embed_units(e) for e in out.embeds)
    if total > MAX_EMBED_TOTAL:
        problems.append(f"embeds total {total} > {MAX_EMBED_TOTAL}")
    if not out.content and not out.embeds:
        problems.append("empty message")
    return problems


# --- making text inert ------------------------------------------------------------------------

# Bidi overrides/isolates can disguise text; C0/C1 controls render as junk. Newlines and tabs stay.
_INVISIBLE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]"
)
# Characters Discord's markdown (or mention / link syntax) gives meaning anywhere in a line.
_SPECIAL = re.compile(r"([\\*_~|`\[\]<>@])")
# Markup that only means something at the start of a line: headings, lists, subtext.
_LINE_START = re.compile(r"^(\s*)(#|-#|-|\+|\d+\.)(?=\s)", re.MULTILINE)
_ESCAPED = re.compile(r"\\([^0-9A-Za-z\s])")  # Discord's escape rule


def inert(text: str) -> str:
    """`text` as Discord shows it literally: markdown, mentions and masked links escaped."""
    text = _INVISIBLE.sub("", text)
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def visible(text: str) -> str:
    """What Discord displays for escaped text: the escapes removed (the inverse of `inert`)."""
    return _ESCAPED.sub(r"\1", text)


# --- splitting --------------------------------------------------------------------------------

_SPLITTERS = (
    (re.compile(r"\n\s*\n"), "\n\n"),  # paragraphs
    (re.compile(r"\n"), "\n"),  # lines
    (re.compile(r"(?<=[.!?…])\s+"), " "),  # sentences
    (re.compile(r"\s+"), " "),  # words
)


def split_text(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` units: between paragraphs, else sentences, else words."""
    if not text.strip():
        return []
    if units(text) <= limit:
        return [text]
    for splitter, sep in _SPLITTERS:
        parts = splitter.split(text)
        if len(parts) > 1:
            pieces: list[str] = []
            for part in parts:
                pieces.extend([part] if units(part) <= limit else split_text(part, limit))
            return _pack(pieces, sep, limit)
    return _hard_split(text, limit)


def _pack(parts: Iterable[str], sep: str, limit: int) -> list[str]:
    """Joins consecutive parts (each within `limit`) with `sep` while they fit."""
    out: list[str] = []
    current = ""
    for part in parts:
        if not part.strip():
            continue
        candidate = f"{current}{sep}{part}" if current else part
        if units(candidate) <= limit:
            current = candidate
        else:
            out.append(current)
            current = part
    if current:
        out.append(current)
    return out


def _cut(text: str, limit: int) -> int:
    """Where to cut `text` to fit `limit` units, never just after an escaping backslash."""
    cut = min(len(text), limit)
    while cut > 0 and units(text[:cut]) > limit:
        cut -= 1
    head = text[:cut]
    if (len(head) - len(head.rstrip("\\"))) % 2:
        cut -= 1
    return max(cut, 1)


def _hard_split(text: str, limit: int) -> list[str]:
    """Cuts a run with no spaces into pieces of at most `limit` units."""
    out: list[str] = []
    while text:
        cut = _cut(text, limit)
        out.append(text[:cut])
        text = text[cut:]
    return out


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` units with an ellipsis, never leaving a dangling escape."""
    if units(text) <= limit:
        return text
    return text[: _cut(text, limit - 1)] + ELLIPSIS


# --- embeds -----------------------------------------------------------------------------------


def _safe_url(url: str | None) -> str | None:
    """An http(s) URL fit for an embed or a masked link, else None."""
    if not url or not url.startswith(("http://", "https://")) or len(url) > MAX_URL:
        return None
    return quote(url, safe=":/?#[]@!$&'*+,;=%~-._")


def _quote_block(text: str) -> str:
    """Inert text as a block quote, every line prefixed so the quote cannot be broken."""
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines() or [""])


def citation_embeds(citation: Citation, *, quoted: bool = False) -> list[discord.Embed]:
    """One citation as embeds: a block quote titled with its number, document and paragraph.

    `quoted`: the prose already shows this quote verbatim, so only its title line is added."""
    head = f"[{citation.n}] {citation.where} · "
    title = head + clip(inert(citation.title or citation.doc_id), MAX_TITLE - units(head))
    url = _safe_url(citation.url)
    if quoted:
        return [discord.Embed(title=title, url=url, colour=COLOUR_QUOTE)]
    body = inert(" ".join(citation.quote.split()))
    # Each piece is a complete quote; "> " and the newline cost 3 units per line at most.
    pieces = split_text(body, MAX_DESCRIPTION - 8) or [""]
    embeds: list[discord.Embed] = []
    for i, piece in enumerate(pieces):
        piece_title = title if i == 0 else clip(f"[{citation.n}] (continued)", MAX_TITLE)
        embeds.append(
            discord.Embed(
                title=piece_title,
                url=url,
                description=_quote_block(piece),
                colour=COLOUR_QUOTE,
            )
        )
    return embeds


def _prose_embeds(
    text: str, colour: int, *, title: str | None = None, url: str | None = None, footer: str = ""
) -> list[discord.Embed]:
    """Inert prose in as many embeds as it needs; the title on the first, the footer on the last."""
    pieces = split_text(text, MAX_DESCRIPTION) or [ELLIPSIS]
    embeds = []
    for i, piece in enumerate(pieces):
        embed = discord.Embed(description=piece, colour=colour)
        if i == 0 and title:
            embed.title = clip(title, MAX_TITLE)
            embed.url = _safe_url(url)
        embeds.append(embed)
    if footer:
        embeds[-1].set_footer(text=clip(footer, 200))
    return embeds


def pack(embeds: Sequence[discord.Embed], content: str = "") -> list[Outgoing]:
    """Embeds in order, as few messages as fit 10 embeds and 6,000 characters each."""
    messages: list[Outgoing] = []
    batch: list[discord.Embed] = []
    total = 0
    for embed in embeds:
        size = embed_units(embed)
        if batch and (len(batch) == MAX_EMBEDS or total + size > MAX_EMBED_TOTAL):
            messages.append(Outgoing(embeds=tuple(batch)))
            batch, total = [], 0
        batch.append(embed)
        total += size
    if batch or not messages:
        messages.append(Outgoing(embeds=tuple(batch)))
    if content:
        first = messages[0]
        messages[0] = Outgoing(content=clip(content, MAX_CONTENT), embeds=first.embeds)
    return messages


def _flat(text: str) -> str:
    return " ".join(text.split())


def _citation_embeds(citations: Iterable[Citation], prose: str) -> list[discord.Embed]:
    """Every citation, in number order; a quote the prose already holds is not repeated."""
    shown = _flat(prose)
    embeds: list[discord.Embed] = []
    for c in _citations_in_order(citations):
        embeds.extend(citation_embeds(c, quoted=_flat(c.quote) in shown))
    return embeds


def _citations_in_order(citations: Iterable[Citation]) -> list[Citation]:
    """Citations by number, each once."""
    seen: dict[tuple[int, str, int], Citation] = {}
    for c in citations:
        seen.setdefault((c.n, c.doc_id, c.start), c)
    return sorted(seen.values(), key=lambda c: (c.n, c.start))


# --- public renderers -------------------------------------------------------------------------


_MODES = {"extractive": "quoted from the articles", "llm": "written from the quoted passages"}


def _footer(mode: str, note: str, extra: str = "") -> str:
    """How the reply was made, in words a reader knows (a fallback explains itself in `note`)."""
    parts = [p for p in (extra, _MODES.get(mode, "quoted from the articles"), note) if p]
    return inert(" · ".join(parts))


def render_answer(answer: Answer) -> list[Outgoing]:
    """An answer: its prose, then each citation as a titled quote (last, never dropped)."""
    text = answer.text.strip() or (NOT_FOUND_TEXT if answer.not_found else ELLIPSIS)
    colour = COLOUR_NOT_FOUND if answer.not_found else COLOUR_ANSWER
    embeds = _prose_embeds(inert(text), colour, footer=_footer(answer.mode, answer.note))
    embeds.extend(_citation_embeds(answer.citations, text))
    return pack(embeds)


def render_summary(summary: Summary) -> list[Outgoing]:
    """A summary: its points as a list with [n] markers, then the quotes they cite."""
    lines = []
    for point in summary.points:
        markers = "".join(
            f"[{c.n}]" for c in _citations_in_order(point.citations) if f"[{c.n}]" not in point.text
        )
        lines.append(
            "• " + inert(" ".join(point.text.split())) + (f" {inert(markers)}" if markers else "")
        )
    body = "\n".join(lines) or "Nothing to summarize."
    embeds = _prose_embeds(
        body,
        COLOUR_SUMMARY,
        title=inert(summary.title or summary.doc_id),
        url=summary.source,
        footer=_footer(summary.mode, summary.note, f"{summary.length} summary"),
    )
    prose = " ".join(p.text for p in summary.points)
    embeds.extend(_citation_embeds((c for p in summary.points for c in p.citations), prose))
    return pack(embeds)


def render_sources(sources: Sources) -> list[Outgoing]:
    """The stored documents, one line each: title (linked when known), passages, words."""
    if not sources.documents:
        return [
            render_notice(
                "No articles are stored yet. Add some with `citebot ingest PATH`.", raw=True
            )
        ]
    lines = []
    for i, doc in enumerate(sources.documents, 1):
        name = clip(inert(doc.title or doc.id), 200)
        url = _safe_url(doc.source if doc.source.startswith(("http://", "https://")) else None)
        shown = f"[{name}]({url})" if url else name
        where = f" — {clip(inert(doc.source), 300)}" if doc.source and not url else ""
        lines.append(f"**{i}.** {shown}{where} · {doc.passages:,} passages, {doc.words:,} words")
    count = len(sources.documents)
    embeds = _prose_embeds(
        "\n".join(lines),
        COLOUR_ANSWER,
        title=f"{count} stored article{'s' if count != 1 else ''}",
    )
    return pack(embeds)


def render_partial(text: str) -> Outgoing:
    """The answer so far while it streams: plain content, cut to fit, with a trailing ellipsis."""
    return Outgoing(content=clip(inert(text.strip()), MAX_CONTENT - 2) + " " + ELLIPSIS)


def render_notice(text: str, *, raw: bool = False) -> Outgoing:
    """A short message (an error, a refusal): content only. `raw` keeps our own markdown."""
    return Outgoing(content=clip(text if raw else inert(text), MAX_CONTENT))
