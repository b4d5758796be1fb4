"""The `citebot` command: ask, ingest, sources, summarize, chat, eval, feedback, and the doors."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.text import Text

from bot.config import Settings
from bot.errors import CitebotError, ConfigError, InputError
from bot.models import Answer, Length, Summary, Turn


@click.group(name="citebot", context_settings={"help_option_names": ["-h", "--help"]})
def app() -> None:
    """Answers questions about news articles with verbatim, cited passages."""

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)
log = logging.getLogger("citebot")

_LENGTHS = ("short", "medium", "long")


def _settings() -> Settings:
    settings = Settings.from_env()
    from bot.wiring import configure_logging

    configure_logging(settings)
    return settings


def _service(settings: Settings) -> Any:
    from bot.wiring import build_service

    return build_service(settings)


def _print_json(data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    # a lone surrogate (a file name that is not UTF-8) cannot be written as UTF-8: escape it
    sys.stdout.write(text.encode("utf-8", "backslashreplace").decode("utf-8") + "\n")


def _plain(text: str, *, one_line: bool = False) -> Text:
    """Article and user text shown as is: never parsed as rich markup, and with no control
    character left to drive the terminal (an escape sequence in a file name or an article)."""
    return Text(printable(text, one_line=one_line))


_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str, *, one_line: bool = False) -> str:
    """Control characters (and line breaks when one_line), bidi controls and lone surrogates
    written as escapes."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        keep = ch == "\t" or (ch == "\n" and not one_line)
        if not keep and (category in ("Cc", "Cs") or ch in _BIDI_CONTROLS or (one_line and category in ("Zl", "Zp"))):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def render_answer(answer: Answer) -> None:
    out.print(_plain(answer.text))
    if answer.note:
        out.print(_plain(f"({answer.note})"), style="dim")
    for c in answer.citations:
        where = f"[{c.n}] {c.title}, {c.where}"
        out.print(_plain(where), style="bold")
        if f"“{' '.join(c.quote.split())}”" not in answer.text:
            out.print(_plain(f"    “{' '.join(c.quote.split())}”"))
        out.print(_plain(f"    {c.source}  (chars {c.start}–{c.end})"), style="dim")


def render_summary(summary: Summary) -> None:
    out.print(_plain(f"{summary.title}"), style="bold")
    if summary.note:
        out.print(_plain(f"({summary.note})"), style="dim")
    for point in summary.points:
        refs = " ".join(f"[{c.where}]" for c in point.citations)
        out.print(_plain(f"• {point.text} {refs}"))
    out.print(_plain(summary.source), style="dim")


_json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@app.command()
@click.argument("question")
@_json_option
def ask(question: str, as_json: bool) -> None:
    """Answer a question with quotes from the stored articles."""
    settings = _settings()
    service = _service(settings)
    answer = asyncio.run(service.ask(question))
    if as_json:
        _print_json(answer.to_dict())
    else:
        render_answer(answer)


@app.command()
@click.argument("paths", nargs=-1, required=True)
@_json_option
def ingest(paths: tuple[str, ...], as_json: bool) -> None:
    """Add or update articles (.txt, .md, .html, URLs). Unchanged ones are skipped."""
    settings = _settings()
    service = _service(settings)
    service.ingestor.on_wait = lambda why: err.print(_plain(f"citebot: {why}…"))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from retrieval.ingest import expand

    try:
        items, _ = expand(list(paths))
    except Exception as exc:
        raise InputError(str(exc)) from None
    show = err.is_terminal and not as_json and len(items) > 1
    with Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[words]:,} words"),
        TimeRemainingColumn(), console=err, transient=True, disable=not show,
    ) as bar:
        task = bar.add_task("ingest", total=len(items), words=0)
        total = 0

        def progress(name: str, words: int) -> None:
            nonlocal total
            total += words
            bar.update(task, advance=1, words=total)

        report = service.ingest(list(paths), progress)
    if as_json:
        _print_json(
            {"added": report.added, "updated": report.updated, "unchanged": report.unchanged,
             "skipped": [{"path": p, "reason": r} for p, r in report.skipped],
             "passages": report.passages, "words": report.words,
             "seconds": round(report.seconds, 3), "words_per_second": round(report.words_per_second)}
        )
        _nothing_ingested(report, paths, as_json=True)
        return
    for path, reason in report.skipped:
        err.print(_plain(f"skipped {path}: {reason}", one_line=True))
    out.print(_plain(report.summary()))
    _nothing_ingested(report, paths)


def _nothing_ingested(report: Any, paths: tuple[str, ...], as_json: bool = False) -> None:
    """An ingest that stored nothing, and found nothing already stored, is an error, not a 0."""
    if report.added or report.updated or report.unchanged:
        return
    if report.skipped:
        where = "see “skipped” in the JSON" if as_json else "reasons above"
        raise InputError(f"nothing was ingested: {len(report.skipped)} skipped ({where})")
    raise InputError(
        f"no articles found in {' '.join(paths)}: citebot reads .txt, .md, .rst and .html files "
        "and http(s) URLs"
    )


@app.command()
@_json_option
def sources(as_json: bool) -> None:
    """List the stored articles."""
    settings = _settings()
    service = _service(settings)
    listing = asyncio.run(service.sources())
    if as_json:
        _print_json(listing.to_dict())
        return
    for d in listing.documents:
        out.print(_plain(f"{d.id}  {d.title}"), style="bold")
        out.print(_plain(f"    {d.passages} passages, {d.words:,} words, {d.ingested_at}  {d.source}"))


@app.command()
@click.argument("doc", required=False)
@click.option("--length", type=click.Choice(_LENGTHS), default="medium", show_default=True)
@_json_option
def summarize(doc: str | None, length: str, as_json: bool) -> None:
    """Summarize an article (DOC: id, source or title words; default the newest) in cited points."""
    settings = _settings()
    service = _service(settings)
    summary = asyncio.run(service.summarize(doc, _length(length)))
    if as_json:
        _print_json(summary.to_dict())
    else:
        render_summary(summary)


def _length(value: str) -> Length:
    if value == "short":
        return "short"
    if value == "long":
        return "long"
    return "medium"


@app.command()
def chat() -> None:
    """Ask questions in a loop; follow-ups use the conversation so far. Ctrl-D to quit."""
    settings = _settings()
    service = _service(settings)
    asyncio.run(_chat(service))


async def _chat(service: Any) -> None:
    history: list[Turn] = []
    out.print(_plain("Ask about the stored articles. Empty line or Ctrl-D to quit."), style="dim")
    while True:
        try:
            line = await asyncio.to_thread(input, "you> ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        if not line.strip() or line.strip() in {"exit", "quit", ":q"}:
            return
        try:
            answer = await service.ask(line, history)
        except CitebotError as exc:
            err.print(_plain(str(exc), one_line=True))
            continue
        except Exception as exc:  # one bad line must not end the conversation
            log.debug("unexpected error", exc_info=True)
            err.print(_plain(f"unexpected error: {type(exc).__name__}: {exc}", one_line=True))
            continue
        render_answer(answer)
        history += [Turn("user", line), Turn("assistant", answer.text)]


@app.command(name="eval")
@click.argument("file", type=click.Path(path_type=Path))
@_json_option
@click.option("--details", is_flag=True, help="Include every question's outcome.")
def evaluate(file: Path, as_json: bool, details: bool) -> None:
    """Measure hit@1, hit@3, answer accuracy and abstention on a JSONL question FILE."""
    from bot.evaluate import load_questions, run_eval

    if not file.is_file():
        raise InputError(f"no such question file: {file}")
    questions = load_questions(file)
    settings = _settings()
    service = _service(settings)
    report = asyncio.run(run_eval(questions, service.ask))
    metrics = report.metrics()
    if details:
        metrics["questions"] = [o.to_dict() for o in report.outcomes]
    if as_json:
        _print_json(metrics)
        return
    for key, value in metrics.items():
        if key != "questions":
            out.print(_plain(f"{key:>18}  {value}"))
    for o in report.outcomes if details else []:
        mark = "ok " if (o.declined if o.question.unanswerable else o.hit1) else "MISS"
        out.print(_plain(f"{mark} {o.question.q}"))


@app.command()
@_json_option
def feedback(as_json: bool) -> None:
    """Report the 👍/👎 votes cast on answers in Slack and Discord."""
    from bot.wiring import build_feedback

    records = build_feedback(_settings()).records()
    if as_json:
        _print_json({"votes": [r.to_dict() for r in records],
                     "up": sum(r.vote == "up" for r in records),
                     "down": sum(r.vote == "down" for r in records)})
        return
    if not records:
        out.print(_plain("No feedback yet."))
        return
    for r in records:
        out.print(_plain(f"{'👍' if r.vote == 'up' else '👎'} {r.voted_at} {r.platform} {r.question}"))
    ups = sum(r.vote == "up" for r in records)
    out.print(_plain(f"{ups} up, {len(records) - ups} down"))


@app.command()
@click.option("--http", is_flag=True, help="Serve Slack's HTTP events instead of Socket Mode.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT).")
def slack(http: bool, port: int | None) -> None:
    """Run the Slack app (Socket Mode by default)."""
    from bot.slack_app import run as run_slack
    from bot.wiring import build_feedback

    settings = _settings()
    run_slack(settings, _service(settings), build_feedback(settings), http=http, port=port)


@app.command()
def discord() -> None:
    """Run the Discord bot."""
    from bot.discord_app import run as run_discord
    from bot.wiring import build_feedback

    settings = _settings()
    run_discord(settings, _service(settings), build_feedback(settings))


def _fail(message: str, code: int) -> NoReturn:
    err.print(_plain(f"citebot: {message}", one_line=True))
    raise SystemExit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: usage errors exit 2 with one line; no traceback ever reaches the user."""
    try:
        code = app.main(args=list(argv) if argv is not None else None, prog_name="citebot",
                        standalone_mode=False)
        raise SystemExit(code if isinstance(code, int) else 0)
    except click.exceptions.NoArgsIsHelpError as exc:
        out.print(_plain(exc.ctx.get_help() if exc.ctx else "citebot --help"))
        raise SystemExit(0) from None
    except click.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx else "citebot"
        _fail(f"{exc.format_message()} (see `{command} --help`)".replace("\n", " "), 2)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except (InputError, ConfigError) as exc:
        _fail(str(exc), 2)
    except CitebotError as exc:
        _fail(str(exc), 1)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code)
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        _fail(f"unexpected error: {type(exc).__name__}: {exc} (set CITEBOT_LOG_LEVEL=DEBUG for details)", 1)


if __name__ == "__main__":
    main()
