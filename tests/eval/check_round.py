#!/usr/bin/env python3
"""Checks one blind round's two files (seed_blindN.jsonl, corpus_blindN.jsonl): the checker each
round's writer runs until it prints "0 error(s)". Usage: check_round.py N [DIR]

(Built from check_questions.py, whose notes follow.)

Sanity checks for the citebot evaluation question files in this folder.

Standard library only. Run from anywhere:

    python3 tests/eval/check_questions.py          # check all four files
    python3 tests/eval/check_questions.py -v       # also print the wording mix

Matching follows /work/shared/eval/README.md: Unicode NFKC, whitespace folding
(a non-breaking space is a space) and case folding, on both sides.

Errors (exit status 1):
  * bad JSON / wrong keys / wrong types;
  * per-file counts differ from the brief (answerable, unanswerable, per-article
    minimums in the corpus files);
  * "doc" missing or not an article file we know;
  * a gold span is not in the named article (for the seed: not in the body,
    i.e. only in the title/boilerplate lines, or not at all);
  * a gold span runs across a sentence boundary;
  * a gold span has fewer than 2 or more than 12 words;
  * an answer_any item is not in the article, or not in a sentence that holds
    one of the line's gold spans;
  * the same question (after normalisation) appears twice, in any of the
    files or in the public sample.

Warnings (printed, do not fail):
  * a gold span that also occurs in another article of the corpus (a citation
    from the wrong article could then "hit");
  * near-duplicate questions (word-set Jaccard >= 0.6) across files;
  * identical / nested gold spans shared between a dev file and its holdout.
"""
import json
import os
import re
import sys
import unicodedata
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", "shared"))
SEED_DIR = os.path.join(ROOT, "seeds")
CORPUS_DIR = os.path.join(ROOT, "corpus", "bbc-politics")
PUBLIC = os.path.join(ROOT, "eval", "public_questions.jsonl")
SEED_DOC = "kim-jong-un-russia.txt"
SEED_FILE = "000_a7a77883c45afa15.txt"
SEED_BODY_START = "Since the collapse"

# file -> (answerable, unanswerable, docs in scope, min per article, target for seed)
SPECS = {
    "seed_dev.jsonl": (40, 10, "seed", None, None),
    "seed_holdout.jsonl": (30, 8, "seed", None, None),
    "corpus_dev.jsonl": (60, 10, "corpus", 3, 8),
    "corpus_holdout.jsonl": (45, 8, "corpus", 2, 6),
}
PAIRS = [("seed_dev.jsonl", "seed_holdout.jsonl"), ("corpus_dev.jsonl", "corpus_holdout.jsonl")]

STOP = set(["a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "about", "as", "and", "or", "but", "if", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "has", "have", "had", "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "many", "much", "this", "that", "these", "those", "it", "its", "it's", "he", "she", "his", "her", "they", "their", "them", "there", "than", "then", "so", "not", "no", "yes", "according", "article", "say", "says", "said", "said,", "would", "could", "should", "will", "can", "may", "might", "did", "does", "into", "over", "after", "before", "since", "between", "both", "one", "two", "any", "all", "some", "more", "most", "other", "only", "also", "just", "still"])


def norm(s):
    """README normalisation: NFKC, whitespace folding (NBSP is space), case folding."""
    s = unicodedata.normalize("NFKC", s).replace("\u00a0", " ")
    s = re.sub(r"\s+", " ", s).strip()
    return s.casefold()


def fold_ws(s):
    s = unicodedata.normalize("NFKC", s).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", s).strip()


# A sentence ends at . ! or ? (plus closing quotes/brackets), followed by
# whitespace and an opening quote/bracket or a capital letter or digit.
_BOUND = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NOT_END = re.compile(r"(?:\b[A-Z]|\bU\.S|\bMr|\bMs|\bMrs|\bDr|\bProf|\bSt|\bNo)$")


def split_sentences(paragraph):
    text = fold_ws(paragraph)
    out, start = [], 0
    for m in _BOUND.finditer(text):
        if _NOT_END.search(text[start:m.start()]):
            continue
        out.append(text[start:m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


def load_docs():
    docs = {}
    paths = [(SEED_DOC, os.path.join(SEED_DIR, SEED_FILE))]
    for name in sorted(os.listdir(CORPUS_DIR)):
        if name.endswith(".txt"):
            paths.append((name, os.path.join(CORPUS_DIR, name)))
    for name, path in paths:
        with open(path, encoding="utf-8") as f:
            raw = f.read()
        if name == SEED_DOC:
            i = raw.find(SEED_BODY_START)
            if i < 0:
                sys.exit("seed body start %r not found" % SEED_BODY_START)
            head, body = raw[:i], raw[i:]
        else:
            # first line is the headline; the body follows
            head, _, body = raw.partition("\n")
        paras = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
        sents = [norm(s) for p in paras for s in split_sentences(p)]
        docs[name] = {"full": norm(raw), "head": norm(head), "body": norm(body), "sents": sents}
    return docs


def words(s):
    return re.findall(r"[a-z0-9£%][a-z0-9£%'’.-]*", norm(s))


def content(s):
    out = set()
    for w in words(s):
        w = w.strip(".'’-")
        if not w or w in STOP:
            continue
        if w.endswith("'s") or w.endswith("’s"):
            w = w[:-2]
        if len(w) > 3 and w.endswith("s"):
            w = w[:-1]
        out.add(w)
    return out


def load_jsonl(path, errors):
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                errors.append("%s:%d: blank line" % (os.path.basename(path), n))
                continue
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as e:
                errors.append("%s:%d: bad JSON: %s" % (os.path.basename(path), n, e))
    return rows



def main():
    n = sys.argv[1]
    d = sys.argv[2] if len(sys.argv) > 2 else "/work/blind%s" % n
    docs = load_docs()
    errors = []
    seen = {}
    for n_, r in load_jsonl(PUBLIC, errors):
        seen[norm(r["q"])] = "public:%d" % n_
    specs = {"seed_blind%s.jsonl" % n: (30, 8, "seed", None, None), "corpus_blind%s.jsonl" % n: (48, 6, "corpus", 2, 3)}
    for fname, (n_ans, n_un, scope, min_per_doc, seed_target) in specs.items():
        path = os.path.join(d, fname)
        if not os.path.exists(path):
            errors.append("%s: missing" % fname)
            continue
        rows = load_jsonl(path, errors)
        ans = unans = 0
        per_doc = Counter()
        for ln, r in rows:
            where = "%s:%d" % (fname, ln)
            if not isinstance(r, dict) or not isinstance(r.get("q"), str) or not r["q"].strip():
                errors.append("%s: no question text" % where)
                continue
            k = norm(r["q"])
            if k in seen:
                errors.append("%s: duplicate question (also %s)" % (where, seen[k]))
            seen[k] = where
            if r.get("unanswerable") is True:
                unans += 1
                if set(r) - {"q", "unanswerable"}:
                    errors.append("%s: unanswerable line has extra keys" % where)
                continue
            ans += 1
            if set(r) - {"q", "gold", "answer_any", "doc"}:
                errors.append("%s: unexpected keys %s" % (where, sorted(set(r) - {"q", "gold", "answer_any", "doc"})))
            gold, anyv, doc = r.get("gold"), r.get("answer_any"), r.get("doc")
            if not (isinstance(gold, list) and 1 <= len(gold) <= 3 and all(isinstance(g, str) and g.strip() for g in gold)):
                errors.append("%s: gold must be a list of 1-3 non-empty strings" % where)
                continue
            if not (isinstance(anyv, list) and 1 <= len(anyv) <= 3 and all(isinstance(a, str) and a.strip() for a in anyv)):
                errors.append("%s: answer_any must be a list of 1-3 non-empty strings" % where)
                continue
            if doc not in docs:
                errors.append("%s: doc %r is not a known article (use kim-jong-un-russia.txt or 001.txt ... 249.txt)" % (where, doc))
                continue
            if scope == "seed" and doc != SEED_DOC:
                errors.append("%s: seed file names doc %r" % (where, doc))
            per_doc[doc] += 1
            dd = docs[doc]
            gold_sents = []
            for g in gold:
                ng = norm(g)
                nw = len(ng.split())
                if nw < 2 or nw > 12:
                    errors.append("%s: gold %r has %d words (want 2-12)" % (where, g, nw))
                if ng not in dd["full"]:
                    errors.append("%s: gold %r not found verbatim in %s" % (where, g, doc))
                    continue
                if ng not in dd["body"]:
                    errors.append("%s: gold %r only occurs in the title/boilerplate of %s" % (where, g, doc))
                    continue
                hits = [s for s in dd["sents"] if ng in s]
                if not hits:
                    errors.append("%s: gold %r crosses a sentence boundary in %s" % (where, g, doc))
                gold_sents.extend(hits)
            for a in anyv:
                na = norm(a)
                if na not in dd["body"]:
                    errors.append("%s: answer_any %r not found in %s" % (where, a, doc))
                elif gold_sents and not any(na in s for s in gold_sents):
                    errors.append("%s: answer_any %r not in a sentence holding a gold span" % (where, a))
        if ans != n_ans:
            errors.append("%s: %d answerable, want %d" % (fname, ans, n_ans))
        if unans != n_un:
            errors.append("%s: %d unanswerable, want %d" % (fname, unans, n_un))
        if scope == "corpus":
            for doc in docs:
                if per_doc[doc] < min_per_doc:
                    errors.append("%s: %d questions about %s, want at least %d" % (fname, per_doc[doc], doc, min_per_doc))
            if abs(per_doc[SEED_DOC] - seed_target) > 1:
                errors.append("%s: %d seed-article questions, want %d" % (fname, per_doc[SEED_DOC], seed_target))
    for e in errors:
        print("ERROR: " + e)
    print("%d error(s)" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
