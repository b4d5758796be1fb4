#!/usr/bin/env python3
"""Sanity checks for the citebot evaluation question files in this folder.

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
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))          # /work/main
SEED_DIR = os.path.join(ROOT, "seeds")
CORPUS_DIR = os.path.abspath(os.path.join(ROOT, "..", "shared", "corpus", "bbc-politics"))
PUBLIC = os.path.abspath(os.path.join(ROOT, "..", "shared", "eval", "public_questions.jsonl"))
SEED_DOC = "kim-jong-un-russia.txt"
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
    paths = [(SEED_DOC, os.path.join(SEED_DIR, SEED_DOC))]
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


def check_answerable(r, docs, scope, where, errors, warnings=None):
    """Check an answerable line: its keys, gold spans (verbatim in the body, 2-12 words, within
    one sentence) and answer_any (in a gold sentence). Returns (doc, the gold sentences), or
    (None, []) when the line cannot be checked further."""
    extra = set(r) - {"q", "gold", "answer_any", "doc"}
    if extra:
        errors.append("%s: unexpected keys %s" % (where, sorted(extra)))
    gold, anyv, doc = r.get("gold"), r.get("answer_any"), r.get("doc")
    if not (isinstance(gold, list) and 1 <= len(gold) <= 3 and all(isinstance(g, str) and g.strip() for g in gold)):
        errors.append("%s: gold must be a list of 1-3 non-empty strings" % where)
        return None, []
    if not (isinstance(anyv, list) and 1 <= len(anyv) <= 3 and all(isinstance(a, str) and a.strip() for a in anyv)):
        errors.append("%s: answer_any must be a list of 1-3 non-empty strings" % where)
        return None, []
    if doc not in docs:
        errors.append("%s: doc %r is not a known article (%s)" % (where, doc, ", ".join(sorted(docs))))
        return None, []
    if scope == "seed" and doc != SEED_DOC:
        errors.append("%s: seed file names doc %r" % (where, doc))
    d = docs[doc]
    gold_sents = []
    for g in gold:
        ng = norm(g)
        nw = len(ng.split())
        if nw < 2 or nw > 12:
            errors.append("%s: gold %r has %d words (want 2-12)" % (where, g, nw))
        if ng not in d["full"]:
            errors.append("%s: gold %r not found verbatim in %s" % (where, g, doc))
            continue
        if ng not in d["body"]:
            errors.append("%s: gold %r only occurs in the title/boilerplate of %s" % (where, g, doc))
            continue
        hits = [s for s in d["sents"] if ng in s]
        if not hits:
            errors.append("%s: gold %r crosses a sentence boundary in %s" % (where, g, doc))
        gold_sents.extend(hits)
        others = [o for o in docs if o != doc and ng in docs[o]["body"]]
        if others and warnings is not None:
            warnings.append("%s: gold %r also occurs in %s" % (where, g, ", ".join(others)))
    for a in anyv:
        na = norm(a)
        if na not in d["body"]:
            errors.append("%s: answer_any %r not found in %s" % (where, a, doc))
        elif gold_sents and not any(na in s for s in gold_sents):
            errors.append("%s: answer_any %r not in a sentence holding a gold span" % (where, a))
    return doc, gold_sents


def check_counts(fname, counts, wanted, scope, per_doc, docs, min_per_doc, seed_target, seed_slack, errors):
    """A file's counts: answerable and unanswerable lines as wanted; in the 14-article file, at
    least `min_per_doc` questions an article and about `seed_target` (within `seed_slack`) on
    the seed."""
    for kind, got, want in zip(("answerable", "unanswerable"), counts, wanted, strict=True):
        if got != want:
            errors.append("%s: %d %s, want %d" % (fname, got, kind, want))
    if scope != "corpus":
        return
    for doc in docs:
        if per_doc[doc] < min_per_doc:
            errors.append("%s: %d questions about %s, want at least %d" % (fname, per_doc[doc], doc, min_per_doc))
    if abs(per_doc[SEED_DOC] - seed_target) > seed_slack:
        errors.append("%s: %d seed-article questions, want %d (within %d)" % (fname, per_doc[SEED_DOC], seed_target, seed_slack))


def main():
    verbose = "-v" in sys.argv[1:]
    docs = load_docs()
    errors, warnings = [], []
    all_q = defaultdict(list)          # normalised question -> [where]
    per_file_rows = {}
    mix_report = {}

    if os.path.exists(PUBLIC):
        for n, r in load_jsonl(PUBLIC, errors):
            all_q[norm(r.get("q", ""))].append("public:%d" % n)

    for fname, (n_ans, n_un, scope, min_per_doc, seed_target) in SPECS.items():
        path = os.path.join(HERE, fname)
        if not os.path.exists(path):
            errors.append("%s: missing" % fname)
            continue
        rows = load_jsonl(path, errors)
        per_file_rows[fname] = rows
        ans = unans = 0
        per_doc = Counter()
        mix = Counter()
        for n, r in rows:
            where = "%s:%d" % (fname, n)
            if not isinstance(r, dict) or not isinstance(r.get("q"), str) or not r["q"].strip():
                errors.append("%s: no question text" % where)
                continue
            all_q[norm(r["q"])].append(where)
            if r.get("unanswerable") is True:
                unans += 1
                extra = set(r) - {"q", "unanswerable"}
                if extra:
                    errors.append("%s: unanswerable line has extra keys %s" % (where, sorted(extra)))
                continue
            ans += 1
            doc, gold_sents = check_answerable(r, docs, scope, where, errors, warnings)
            if doc is None:
                continue
            per_doc[doc] += 1
            # wording mix: share of the question's content words found in the gold sentences
            qc = content(r["q"])
            sc = set().union(*(content(s) for s in gold_sents)) if gold_sents else set()
            ratio = len(qc & sc) / len(qc) if qc else 0.0
            band = "close" if ratio >= 0.6 else ("paraphrase" if ratio >= 0.3 else "low-overlap")
            mix[band] += 1
            if verbose:
                print("  %-11s %.2f  %s" % (band, ratio, r["q"]))

        check_counts(fname, (ans, unans), (n_ans, n_un), scope, per_doc, docs, min_per_doc, seed_target, 2, errors)
        mix_report[fname] = (ans, unans, dict(per_doc), mix)

    # duplicates and near-duplicates
    for q, wh in all_q.items():
        if len(wh) > 1:
            errors.append("duplicate question %r at %s" % (q, ", ".join(wh)))
    qlist = []
    if os.path.exists(PUBLIC):
        for n, r in load_jsonl(PUBLIC, []):
            qlist.append(("public:%d" % n, r.get("q", "")))
    for fname, rows in per_file_rows.items():
        for n, r in rows:
            if isinstance(r, dict) and isinstance(r.get("q"), str):
                qlist.append(("%s:%d" % (fname, n), r["q"]))
    sets = [(w, q, content(q)) for w, q in qlist]
    for i in range(len(sets)):
        for j in range(i + 1, len(sets)):
            a, b = sets[i][2], sets[j][2]
            if not a or not b:
                continue
            jac = len(a & b) / len(a | b)
            if jac >= 0.6 and norm(sets[i][1]) != norm(sets[j][1]):
                warnings.append("near-duplicate (%.2f): %s %r ~ %s %r" % (jac, sets[i][0], sets[i][1], sets[j][0], sets[j][1]))

    # gold spans shared between a dev file and its holdout
    for dev, hold in PAIRS:
        dg = [(n, norm(g)) for n, r in per_file_rows.get(dev, []) if isinstance(r, dict) for g in r.get("gold", [])]
        hg = [(n, norm(g)) for n, r in per_file_rows.get(hold, []) if isinstance(r, dict) for g in r.get("gold", [])]
        for dn, d in dg:
            for hn, h in hg:
                if d == h or d in h or h in d:
                    warnings.append("shared gold %s:%d / %s:%d: %r ~ %r" % (dev, dn, hold, hn, d, h))

    for fname, (ans, unans, per_doc, mix) in mix_report.items():
        docs_s = ", ".join("%s=%d" % (k.replace(".txt", ""), v) for k, v in sorted(per_doc.items()))
        print("%-22s answerable=%d unanswerable=%d  mix: close=%d paraphrase=%d low-overlap=%d" % (
            fname, ans, unans, mix["close"], mix["paraphrase"], mix["low-overlap"]))
        if SPECS[fname][2] == "corpus":
            print("    per article: " + docs_s)
    for w in warnings:
        print("WARNING: " + w)
    for e in errors:
        print("ERROR: " + e)
    print("%d error(s), %d warning(s)" % (len(errors), len(warnings)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
