"""Load .txt/.md/.html files and URLs into Documents, keeping scraped boilerplate out of the body."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from retrieval.types import STANDFIRST, Document, Paragraph

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES
PARSER_VERSION = "3"  # part of every content hash: a new parser re-ingests what it reads differently
# 2: chunks keep the text between them (quotes run on into the next paragraph); header rule
MAX_FILE_BYTES = 50 * 1024 * 1024


class Unreadable(Exception):
    """A file or URL that cannot become a Document; str() is the one-line reason."""


@dataclass(frozen=True, slots=True)
class _Block:
    start: int
    end: int
    text: str


_BLOCK_SPLIT = re.compile(r"\n[ \t\r\f\v]*\n")
_DECORATION = re.compile(r"^[\s=\-~^*#_+`'\".:]{3,}$")
_CREDIT = re.compile(
    r"^(photo|image|picture|pictured|credit|credits|caption|illustration|video|graphic|"
    r"file photo|getty images|ap photo|reuters)\b[^.!?]{0,40}[:|/]",
    re.IGNORECASE,
)
_CREDIT_ANYWHERE = re.compile(r"(©|\(AP Photo|Getty Images|/Reuters\b|Photo by )", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(advertisement|sponsored|subscribe|sign up|log in|read more|read next|related|"
    r"share (this|on|via)|follow us|click here|recommended|most read|more from|"
    r"all rights reserved|copyright|cookies?|newsletter|continue reading|"
    r"this (article|story) (was|is|has been)|skip to|back to top|comments?\b)",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^[Bb]y\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,4}\s*$")
_DATE_LINE = re.compile(
    r"^(published|updated|posted)?:?\s*(\w+day,?\s*)?(\d{1,2}\s+)?"
    r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(,\s*\d{4})?"
    r"|^\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def fold(text: str) -> str:
    """Unicode NFKC, case folding and whitespace folding: the form texts are compared in."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def doc_id_for(source: str) -> str:
    """A document's id follows from its source (path or URL), so re-ingesting finds it."""
    return hashlib.sha1(source.encode("utf-8")).hexdigest()[:16]


def path_text(path: Path | str) -> str:
    """A path as text that can be stored and printed: bytes of a file name that are not UTF-8
    (which Python carries as lone surrogates) become \\xNN escapes."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_text_file(path: Path) -> str:
    """Decode a file as text, or raise Unreadable with the reason."""
    try:
        size = path.stat().st_size
        if size == 0:
            raise Unreadable("empty file")
        if size > MAX_FILE_BYTES:
            raise Unreadable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in data[:8192]:
        raise Unreadable("binary file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable(_not_utf8(exc)) from None
    if not text.strip():
        raise Unreadable("no text in file")
    return text


def _not_utf8(exc: UnicodeDecodeError) -> str:
    if exc.end >= len(exc.object) and exc.reason == "unexpected end of data":
        # a file cut off inside a character is usually one still being written or copied
        return "ends in the middle of a character (still being written?): ingest it again when complete"
    return f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start:,}): save it as UTF-8"


def load_file(path: Path) -> Document:
    """A Document from a .txt/.md/.rst/.html file (source: its resolved path)."""
    source = path_text(path.resolve())
    text = read_text_file(path)
    if path.suffix.lower() in HTML_SUFFIXES:
        return parse_html(text, source)
    return parse_text(text, source, fallback_title=_title_from_name(path))


def load_url(url: str, timeout: float = 15.0) -> Document:
    """Fetch and parse an article URL (needs the network)."""
    return parse_html(fetch(url, timeout), url)


def fetch(url: str, timeout: float = 15.0) -> str:
    """A page's HTML, or Unreadable saying why not (refused, no such host, HTTP 404, …).

    Fetched here rather than by trafilatura.fetch_url, whose SSRF guard refuses private
    addresses (ingesting is an operator's command, and an intranet or loopback article server
    is a fair thing to ingest from) and which logs failures instead of saying what they were."""
    import http.client
    import urllib.error
    import urllib.request

    headers = {"User-Agent": "citebot/0.1 (+article ingest)", "Accept": "text/html,application/xhtml+xml,text/plain"}
    try:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            kind = response.headers.get_content_type()
            if not (kind.startswith("text/") or "html" in kind or "xml" in kind):
                raise Unreadable(f"not a web page ({kind})")
            data = response.read(MAX_FILE_BYTES + 1)
            charset = response.headers.get_content_charset()
    except urllib.error.HTTPError as exc:
        raise Unreadable(f"could not fetch: the site answered HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        raise Unreadable(f"could not fetch: {_network_reason(exc.reason, url, timeout)}") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise Unreadable(f"could not fetch: {_network_reason(exc, url, timeout)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise Unreadable(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if not data.strip():
        raise Unreadable("could not fetch: the page is empty")
    if charset:
        try:
            return str(data.decode(charset, errors="replace"))
        except LookupError:  # a charset Python does not know: guess instead
            pass
    from trafilatura.utils import decode_file

    return str(decode_file(data))


def _network_reason(reason: object, url: str, timeout: float) -> str:
    """What went wrong on the way to a URL, in words."""
    import socket
    from urllib.parse import urlsplit

    try:
        where = urlsplit(url).netloc or url
    except ValueError:
        where = url
    if isinstance(reason, socket.gaierror):
        return f"cannot find the host {where} (no network, or a typo in the address?)"
    if isinstance(reason, ConnectionRefusedError):
        return f"{where} refused the connection (is the site up?)"
    if isinstance(reason, TimeoutError):
        return f"{where} did not answer within {timeout:g} s"
    if isinstance(reason, OSError) and reason.strerror:
        return f"{where}: {reason.strerror}"
    return str(reason) or type(reason).__name__


def parse_html(html: str, source: str) -> Document:
    """The article text and metadata trafilatura finds in a page."""
    import trafilatura

    try:
        extracted = trafilatura.bare_extraction(
            html, url=source if source.startswith("http") else None, with_metadata=True,
            include_comments=False, include_tables=False,
        )
    except Exception as exc:  # broken markup can raise from deep inside lxml
        raise Unreadable(f"cannot parse HTML: {exc}") from None
    body = getattr(extracted, "text", None) if extracted is not None else None
    if not body or not body.strip():
        raise Unreadable("no article text found in the HTML")
    title = (getattr(extracted, "title", None) or "").strip()
    # trafilatura puts one paragraph a line; a blank line between them makes the blocks plain
    text = "\n\n".join(line.strip() for line in body.splitlines() if line.strip())
    if title:
        text = f"{title}\n\n{text}"
    doc = parse_text(text, source, fallback_title=title or "Untitled")
    return Document(
        id=doc.id, source=doc.source, title=doc.title, text=doc.text,
        paragraphs=doc.paragraphs, content_hash=doc.content_hash,
        description=(getattr(extracted, "description", None) or doc.description or "").strip(),
        author=(getattr(extracted, "author", None) or doc.author or "").strip(),
        date=(getattr(extracted, "date", None) or doc.date or "").strip(),
    )


def parse_text(text: str, source: str, fallback_title: str = "Untitled") -> Document:
    """Split plain text or Markdown into a title, a standfirst, and numbered body paragraphs."""
    blocks = _blocks(text)
    title, blocks = _take_title(blocks, fallback_title)
    title_key = fold(title)
    blocks = [part for block in blocks for part in _split_marked_lines(block, title_key)]
    author = date = ""
    kinds: list[str] = []  # "" kept, "header" a page-header line, "noise" other boilerplate
    seen: set[str] = set()
    for block in blocks:
        key, line = fold(block.text), block.text.strip()
        if not author and _BYLINE.match(line):
            author, kind = line[3:].strip(), "header"
        elif not date and len(line) < 60 and _DATE_LINE.match(line):
            date, kind = line, "header"
        elif key == title_key or _CREDIT.match(line):
            kind = "header"
        elif key in seen or _is_boilerplate(line):
            kind = "noise"
        else:
            kind = ""
        seen.add(key)
        kinds.append(kind)
    header_end = _header_end(blocks, kinds)
    standfirst = [b for b, k in zip(blocks[:header_end], kinds, strict=False) if not k]
    description = " ".join(b.text for b in standfirst)
    body = [b for i, (b, k) in enumerate(zip(blocks, kinds, strict=True)) if not k and i >= header_end]
    if not body:
        raise Unreadable("no article paragraphs found")
    # a standfirst may be quoted (see types.STANDFIRST); two or more lines there are left out
    lead = [Paragraph(STANDFIRST, b.start, b.end) for b in standfirst[:1] if len(standfirst) == 1]
    paragraphs = (*lead, *(Paragraph(n, b.start, b.end) for n, b in enumerate(body, start=1)))
    digest = hashlib.sha256(f"{PARSER_VERSION}\0{text}".encode()).hexdigest()
    return Document(
        id=doc_id_for(source), source=source, title=title, text=text, paragraphs=paragraphs,
        content_hash=digest, description=description, author=author, date=date,
    )


def _blocks(text: str) -> list[_Block]:
    """Blank-line separated blocks with their offsets; long unwrapped lines are blocks too."""
    blocks: list[_Block] = []
    pos = 0
    for part in [*_BLOCK_SPLIT.finditer(text), None]:
        end = part.start() if part else len(text)
        blocks.extend(_lines_as_blocks(text, pos, end))
        pos = part.end() if part else len(text)
    return blocks


def _lines_as_blocks(text: str, start: int, end: int) -> list[_Block]:
    """One block for hard-wrapped text; one block a line when lines are whole paragraphs."""
    lines: list[tuple[int, int]] = []
    offset = start
    for line in text[start:end].split("\n"):
        stripped = line.strip()
        if stripped and not _DECORATION.match(stripped):
            lead = len(line) - len(line.lstrip())
            lines.append((offset + lead, offset + lead + len(stripped)))
        offset += len(line) + 1
    if not lines:
        return []
    # A paragraph a line (scraped text, trafilatura output) shows as lines longer than any
    # hard wrap; a Markdown heading directly above a paragraph is its own block as well.
    if len(lines) > 1 and max(e - s for s, e in lines) > 120:
        return [_Block(s, e, text[s:e]) for s, e in lines]
    head: list[_Block] = []
    if len(lines) > 1 and text.startswith("#", lines[0][0]):
        head = [_Block(lines[0][0], lines[0][1], text[lines[0][0] : lines[0][1]])]
        lines = lines[1:]
    s, e = lines[0][0], lines[-1][1]
    return [*head, _Block(s, e, text[s:e])]


def _split_marked_lines(block: _Block, title_key: str) -> list[_Block]:
    """A block whose lines include a title repeat or a credit is lines, not one paragraph."""
    if "\n" not in block.text:
        return [block]
    parts: list[_Block] = []
    offset = block.start
    for line in block.text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = offset + len(line) - len(line.lstrip())
            parts.append(_Block(start, start + len(stripped), stripped))
        offset += len(line) + 1
    marked = any(fold(p.text) == title_key or _CREDIT.match(p.text) for p in parts)
    return parts if marked else [block]


def _take_title(blocks: list[_Block], fallback: str) -> tuple[str, list[_Block]]:
    """The first short line is the title; it is never a body paragraph."""
    if not blocks:
        return fallback, blocks
    first = blocks[0].text.strip()
    candidate = first.lstrip("#").strip()
    if "\n" not in first and len(candidate.split()) <= 25 and len(candidate) <= 200:
        return candidate, blocks[1:]
    return fallback, blocks


def _is_boilerplate(block: str) -> bool:
    """Navigation, credits, captions and calls to action that scrapes carry."""
    stripped = block.strip().lstrip("#").strip()
    words = stripped.split()
    if not words:
        return True
    if _CREDIT.match(stripped) or (len(words) <= 15 and _CREDIT_ANYWHERE.search(stripped)):
        return True
    if len(words) <= 30 and _BOILERPLATE.match(stripped):
        return True
    if len(words) <= 12 and re.search(r"https?://", stripped):
        return True
    # Short lines with no sentence ending: section labels, menus, headings, tags.
    return len(words) <= 6 and not _SENTENCE_END.search(stripped)


def _header_end(blocks: list[_Block], kinds: list[str]) -> int:
    """Where the page header ends: after the last title repeat, credit, byline or date in a
    leading run of such lines and one-sentence blocks, with at most one such block between
    two of them. What is kept before it is the standfirst; two one-sentence paragraphs
    before a photo credit are the story, not a header."""
    end = 0
    kept = 0  # one-sentence blocks kept since `end`: one is a standfirst, more are the story
    for i, block in enumerate(blocks):
        if kinds[i]:
            if (kinds[i] == "header" and kept <= 1) or end == i:
                end, kept = i + 1, 0
            continue
        one_sentence = len(block.text.split()) <= 40 and len(_SENTENCE_END_INNER.findall(block.text)) <= 1
        if not one_sentence or i >= 12:
            break
        kept += 1
    return end


_SENTENCE_END_INNER = re.compile(r"[.!?](?=\s|$)")


def _title_from_name(path: Path) -> str:
    stem = re.sub(r"[_-]+", " ", path_text(path.stem)).strip()
    return stem[:1].upper() + stem[1:] if stem else "Untitled"
