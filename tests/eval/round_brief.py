"""The brief a blind round's writer is given: round_brief.py N prints round N's (styles turn
evaluator-like, chat, mixed, careful reader). Writers see only this, the articles and the
public sample."""
import sys

STYLES = {
 "evaluator-like": "Write as the person who will judge the bot writes its hidden test. About a third of the answerable questions stay close to the article's wording; a third paraphrase it (synonyms, other word order, a role instead of a name, such as 'the American president' for a named president); a third share few content words with the sentence that answers (for example asking what worries employers about a plan, where the article says that firms fear its cost). Mix the question words: who, what, when, where, why, how, how many, which.",
 "chat": "Write as people type in a busy Slack or Discord channel: mostly lowercase, short and casual, some abbreviations (nk, dprk, pm, govt, uk), occasional typos or missing apostrophes, sometimes no question mark, sometimes phrased like a follow-up ('so what did kim say about trump'). Still one clear question a line.",
 "mixed": "Mix everything: some questions close to the text, some paraphrases, some that share few words with the text, some casual chat-style ones, some long and precise ones. Vary the question words.",
 "careful reader": "Write as a careful reader checking details: precise questions about specific facts, figures, dates, names, quotes and reasons in the text, in full sentences, each clearly answered by one sentence of the article.",
}
TEMPLATE = """You are writing a held-out evaluation question set for a question-answering bot over news articles. You have NOT seen the bot, its code or any other question sets, and you must not look for them: read ONLY these paths:

- /work/shared/seeds/000_a7a77883c45afa15.txt (the "seed" article, about Kim Jong Un and Russia; call it `kim-jong-un-russia.txt` in the files you write)
- /work/shared/corpus/bbc-politics/*.txt (13 BBC politics articles: 001.txt ... 012.txt and 249.txt; the first line is the headline)
- /work/shared/eval/README.md and /work/shared/eval/public_questions.jsonl (the file format and a small public sample)

Do not open /work/main, any other /work/blind* folder, or anything in /work/main but running tests/eval/check_round.py. Write your two files into /work/blindROUND/ (create it).

## Files

One JSON object a line (see /work/shared/eval/README.md), each answerable line also with "doc", the article's file name:
`{"q": "...", "gold": ["verbatim span", ...], "answer_any": ["word", ...], "doc": "kim-jong-un-russia.txt"}`
and unanswerable lines exactly `{"q": "...", "unanswerable": true}`.

1. `/work/blindROUND/seed_blindROUND.jsonl`: 30 answerable questions about the seed article and 8 unanswerable ones (the seed article does not say the answer). Every answerable line has "doc": "kim-jong-un-russia.txt".
2. `/work/blindROUND/corpus_blindROUND.jsonl`: questions for a store holding all 14 articles together: 48 answerable (exactly 3 about the seed article, at least 2 about each of the 13 BBC articles, spread roughly evenly) and 6 unanswerable (none of the 14 articles says the answer).

## Rules

- `gold`: 1 to 3 spans copied verbatim from the article's body (2 to 12 words each, inside one sentence), in the sentence that answers the question. Keep the article's own quote marks and apostrophes (curly “ ” ’ in the seed).
- `answer_any`: 1 to 3 short strings, the answer itself (a name, number, word or phrase), each found verbatim in a sentence that holds a gold span.
- The seed file was scraped: its title line (repeated three times), the "Recent Features" line, the standfirst under the title and the "Credit: ..." photo line are boilerplate a bot must never cite. No answerable question may rest on them. The body starts at "Since the collapse".
- Unanswerable questions should be on topic and tempting (about people, places, dates, numbers the article is near to but does not give), plus at most one plainly off-topic question. Make sure the article truly does not answer them.
- Questions must make sense to someone who knows which articles are in the store; in the 14-article file, name enough context (a person, a topic) that the question points at one article.
- No question may repeat one of the public sample.

## Style of this round: STYLE

STYLEDESC

## Check

Run `python3 /work/main/tests/eval/check_round.py ROUND /work/blindROUND` and fix every ERROR until it prints `0 error(s)`. Then reply with one line: the two file paths and the counts.
"""
order = ["evaluator-like", "chat", "mixed", "careful reader"]
n = int(sys.argv[1])
style = order[(n - 183) % 4]
t = TEMPLATE
print(t.replace("STYLEDESC", STYLES[style]).replace("STYLE", style).replace("ROUND", str(n)))
