"""Build the offline benchmark corpus into a folder: Python's documentation sources (Debian's
python3.11-doc) and the standard library's docstrings, optionally with the seed article.

    python -m bench.corpus DEST [--words N] [--seed]

Prints JSON: files and words written. Deterministic: the same machine gives the same corpus.
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

DOC_SOURCES = Path("/usr/share/doc/python3.11/html/_sources")
PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "seeds" / "kim-jong-un-russia.txt"
# Tests, demos and vendored code hold few real docstrings; IDLE and lib2to3 hold many fixtures.
_SKIP_PARTS = {"test", "tests", "idle_test", "site-packages", "dist-packages", "lib2to3", "__pycache__"}


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def doc_files(root: Path = DOC_SOURCES) -> list[Path]:
    """The documentation sources, library reference first (the densest prose), then the rest."""
    files = sorted(root.rglob("*.rst.txt"))
    return sorted(files, key=lambda p: (p.relative_to(root).parts[0] != "library", str(p)))


def docstrings(path: Path) -> str:
    """A module's docstrings as plain text: a title line, then one paragraph a docstring."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return ""
    parts: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            doc = ast.get_docstring(node)
            if doc and len(doc.split()) >= 5:
                name = getattr(node, "name", "")
                parts.append(f"{name}: {doc}" if name else doc)
    return "\n\n".join(parts)


def docstring_modules(root: Path | None = None) -> Iterator[tuple[str, str]]:
    """(dotted module name, docstring text) for every stdlib module that has some."""
    root = root or stdlib_dir()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if _SKIP_PARTS & set(rel.parts):
            continue
        text = docstrings(path)
        if text:
            yield ".".join(rel.with_suffix("").parts), text


def build(dest: Path, words: int | None = None, seed: bool = False) -> dict[str, int]:
    """Write up to `words` words (all when None) of real text into dest; the seed on request."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    total = files = 0

    def room() -> bool:
        return words is None or total < words

    for path in doc_files():
        if not room():
            break
        rel = path.relative_to(DOC_SOURCES)
        target = dest / "python-docs" / rel.with_name(rel.name.removesuffix(".txt"))
        target.parent.mkdir(parents=True, exist_ok=True)
        text = path.read_text(encoding="utf-8")
        target.write_text(text, encoding="utf-8")
        total += len(text.split())
        files += 1
    for module, text in docstring_modules():
        if not room():
            break
        target = dest / "stdlib-docstrings" / f"{module}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        body = f"{module}: docstrings\n\n{text}\n"
        target.write_text(body, encoding="utf-8")
        total += len(body.split())
        files += 1
    if seed:
        shutil.copy(SEED, dest / SEED.name)
        total += len(SEED.read_text(encoding="utf-8").split())
        files += 1
    return {"files": files, "words": total}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--words", type=int, default=None, help="stop after about this many words")
    parser.add_argument("--seed", action="store_true", help="add the seed article")
    args = parser.parse_args(argv)
    result = build(args.dest, args.words, args.seed)
    json.dump({"dest": str(args.dest), **result}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
