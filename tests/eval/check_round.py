#!/usr/bin/env python3
"""Checks one blind round's two files (seed_blindN.jsonl, corpus_blindN.jsonl): the checker each
round's writer runs until it prints "0 error(s)". Usage: check_round.py N [DIR]

Standard library only; the matching and the article reading are check_questions.py's."""
import os
import sys
from collections import Counter

from check_questions import PUBLIC, check_answerable, check_counts, load_docs, load_jsonl, norm


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
            doc, _ = check_answerable(r, docs, scope, where, errors)
            if doc is not None:
                per_doc[doc] += 1
        check_counts(fname, (ans, unans), (n_ans, n_un), scope, per_doc, docs, min_per_doc, seed_target, 1, errors)
    for e in errors:
        print("ERROR: " + e)
    print("%d error(s)" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
