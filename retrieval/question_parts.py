"""What a question names and asks about, which the article must speak of to answer it: its
names ("the 2022 Olympics"), its figures ("Labour's 2007 conference"), what it counts ("how
much oil") and whose words it asks for ("What did Xi say")."""

from __future__ import annotations

import re
from collections.abc import Collection

from retrieval.aliases import PLACE_KEYS, tokens_with_places
from retrieval.lexical import terms

# words that make "which/what/how many ..." a question about something else ("what did the chief
# say", "how many were jailed")
AUXILIARIES = r"(?:will|would|did|does|do|is|was|are|were|has|have|had|can|could|should|might|must)"
_AUX = rf"(?:{AUXILIARIES}|there)"
# what a count may be of without the article using that word ("how many organisations": "bodies")
_KINDS = frozenset(
    ["people", "person", "persons", "parliamentarians", "lawmakers", "legislators", "politicians", "organisations", "organizations", "organisation", "organization", "bodies", "body", "countries", "country", "nations", "times", "members", "groups", "companies", "firms", "things", "items", "cases", "places", "cities", "towns", "years", "months", "weeks", "days", "hours", "minutes"]
)
_COUNTED = re.compile(
    rf"\bhow (?:many|much) (?!{_AUX}\b)((?:(?!{_AUX}\b)[\w’'-]+ ?){{1,3}})", re.I
)
_MEASURED = re.compile(r"\bwhat(?:’s|'s| is| was| are| were) the (?:[\w’'-]+ )?(population|turnout|salary|budget|price|cost|age|value|worth)\b", re.I)
# "what is the annual trade volume": what is measured, before the measure (not "annual")
_HOW_MEASURED = "annual|yearly|monthly|total|overall|current|average|estimated|combined|net|gross"
_MEASURED_THING = re.compile(
    rf"\bwhat(?:’s|'s| is| was| are| were) the (?:(?:{_HOW_MEASURED}) )?(?!(?:{_HOW_MEASURED})\b)"
    r"([a-z][\w-]+) (?:volume|level|figure|rate|total|bill)s?\b",
    re.I,
)


# chat drops the apostrophe: "whats the name of...", "whos the envoy", "wheres it being held"
_BARE_CONTRACTION = re.compile(r"\b(what|who|where|when|how|why|that)s\b", re.I)


# chat's spellings of the question words: "wat did kim say", "wen is the vote", "y did he go"
_CHAT_SPELLINGS = {
    "wat": "what", "wut": "what", "wht": "what", "wot": "what", "whta": "what",
    "wats": "what's", "wuts": "what's", "wots": "what's",
    "wen": "when", "whn": "when", "wher": "where", "whr": "where", "hw": "how",
    "wich": "which", "whch": "which", "b4": "before",
}
_CHAT_WORD = re.compile(r"\b(" + "|".join(_CHAT_SPELLINGS) + r")\b", re.I)
# "y" is "why" only where a question starts with it and a verb follows: "y did kim go"
_CHAT_WHY = re.compile(rf"^(\W*)y (?={AUXILIARIES}\b|isn|wasn|didn|doesn|won)", re.I)


def spelled_out(question: str) -> str:
    """The question with a chat-typed "whats", "whos"... written "what's", "who's", and
    chat's "wat", "wen", "y did" written "what", "when", "why did"."""
    question = _CHAT_WORD.sub(lambda m: _CHAT_SPELLINGS[m.group(1).casefold()], question)
    question = _CHAT_WHY.sub(r"\1why ", question)
    return _BARE_CONTRACTION.sub(r"\1's", question)


def counted(question: str) -> list[str]:
    """The words naming what a "how many/how much" question counts ("oil" in "How much oil does
    Russia export?", "giant casino resorts"), or the measure it asks for ("population"): the
    article must use at least one of them."""
    m = _COUNTED.search(question) or _MEASURED.search(question) or _MEASURED_THING.search(question)
    found = m.group(1).split() if m else []
    return [] if any(w.casefold() in _KINDS for w in found) else found


_NOT_SPEAKERS = frozenset(
    ["i", "you", "he", "she", "it", "we", "they", "them", "this", "that", "these", "those", "the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "anyone", "someone", "everyone", "people", "article", "piece", "story", "report", "text", "author", "writer"]
)
_SPEAKER = re.compile(
    r"\b(?:did|does|do|has|have|had|will|would|is|was)\s+((?:[A-Z][\w’'.-]*\s+){1,4}?)"
    r"(?:(?:actually|really|also|first|later|then)\s+)?"
    r"(?:say|tell|warn|claim|promise|argue|think|believe|insist|suggest|announce|admit|"
    r"predict|describe|call|respond|react|reply|tells|says|said)\b"
)


_SPEAKER_TYPED_LOW = re.compile(_SPEAKER.pattern.replace("[A-Z]", "[a-z]"))


def speaker(question: str) -> list[str]:
    """The words naming who is asked about in "What did Xi Jinping say…", if anyone. A question
    typed all in lower case ("how did trump respond") names them in lower case: any words there
    but pronouns and determiners ("what did they say", "what did the report say")."""
    m = _SPEAKER.search(question)
    if m:
        return m.group(1).split()
    if question[1:] == question[1:].lower():
        m = _SPEAKER_TYPED_LOW.search(question)
        if m and not set(m.group(1).split()) & _NOT_SPEAKERS:
            return m.group(1).split()
    return []


MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
DAY_NAMES = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# the day of a month ("his January 1 speech", "on 16 March"): part of a date, which an
# article may write another way ("New Year's Day")
_DAY_OF_MONTH = re.compile(
    rf"\b(?:{MONTH_NAMES})\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTH_NAMES})\b"
)


def question_numbers(question: str) -> list[str]:
    """The figures a question quotes ("2007", "£1,400"), as stems: the article must hold them."""
    return [t for t in terms(_DAY_OF_MONTH.sub(" ", question)) if t.isdigit()]


def question_names(question: str) -> list[str]:
    """The stems of the names a question asks about: places in any form ("DPRK" is North
    Korea) and words written with a capital ("Olympics", "Xi"). The first word is skipped."""
    return [stem for group in name_groups(question) for stem in group]


def name_groups(question: str, proper: Collection[str] = ()) -> list[list[str]]:
    """The question's names one group a name, as stems: "Kim Jong Un and Vladimir Putin" is
    [kim, jong, un], [vladimir, putin]; a place is a group of its own. A word chat writes in
    lower case is a name too where its stem is among `proper` ("kim and putin")."""
    proper = frozenset(proper)
    groups: list[list[str]] = []
    run = False
    for token in tokens_with_places(question)[1:]:
        if token.casefold() in _REGION_WORDS:
            run = False  # "which two European nations", "which Asian city": a kind, not a name
            continue
        if token in PLACE_KEYS:
            groups.append(terms(token))
            run = False
        elif (token[0].isupper() and token not in _NOT_NAMES) or (proper and proper.intersection(terms(token))):
            if run:
                groups[-1].extend(terms(token))
            else:
                groups.append(terms(token))
            run = True
        else:
            run = False
    return [g for g in groups if g]


# written with a capital, but no name: "Are things still OK between Kim and Trump?"
# a month or a day is a date, not a name ("his January 1 speech" is the New Year's Day address;
# "May" may be the verb)
_NOT_NAMES = frozenset(
    ["I", "OK", "Ok", *(m for m in MONTH_NAMES.split("|") if m != "May"), *DAY_NAMES.split("|")]
)
# a region's adjective describes what is asked for; the article need not use it
_REGION_WORDS = frozenset(
    ["european", "asian", "african", "arab", "scandinavian", "nordic", "baltic", "balkan",
     "caribbean", "latin", "oceanian", "eurasian", "mediterranean",
     # "which Southeast Asian nation": a compass point before a region's adjective
     "southeast", "south-east", "southeastern", "northeast", "north-east", "southwest",
     "south-west", "northwest", "north-west", "central"]
)
