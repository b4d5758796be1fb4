"""What kind of answer a question wants (a person, a number, a time, a place), and whether a
sentence holds one that the question does not already name."""

from __future__ import annotations

import re
from enum import Enum


class AnswerType(Enum):
    PERSON = "person"
    NUMBER = "number"
    TIME = "time"
    PLACE = "place"


_ROLE = (
    r"(leader|minister|president|official|diplomat|person|man|woman|politician|secretary|"
    r"chancellor|spokes\w+|journalist|mp|member|chair\w*|head|chief|commissioner|executive|"
    r"director|envoy|ambassador|candidate|author|writer|reporter|lawmaker|senator|mayor|king|"
    r"queen|prince|general|officer|boss|figure|critic|adviser|advisor|aide|ally|rival)"
)
_QUESTION_TYPES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.NUMBER, re.compile(
        r"\b(how (many|much|big|large|high|low|far|long)|by how much|what (share|percentage|"
        r"proportion|number|amount|sum|figure|fraction|percent|rate|level|price|cost|population|"
        r"death toll|toll|total|size|age|salary|budget|turnout|majority|margin|score)|"
        r"how old)\b", re.I)),
    (AnswerType.TIME, re.compile(
        r"^(when\b|by when|since when|until when)|\b(what|which|on what|on which) (year|date|"
        r"month|day|time|week|decade|century|season)\b|\bhow (soon|long ago)\b|"
        r"\bwhen (did|was|were|is|are|will|does|do|has|had|must|should|could|would)\b", re.I)),
    (AnswerType.PERSON, re.compile(rf"^(who|whom|whose)\b|\b(which|what) (\w+ ){{0,2}}{_ROLE}s?\b", re.I)),
    (AnswerType.PLACE, re.compile(
        r"^where\b|\b(which|what) (city|cities|country|countries|town|place|venue|site|region|"
        r"capital|state|nation|location)\b|\bin which (city|country|town|place)\b", re.I)),
]

_NUMBER = re.compile(
    r"(\d|%|£|\$|€|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|thousand|million|billion|trillion|half|third|quarter|dozen|"
    r"double|doubled|twice|triple)\b)", re.I)
_TIME = re.compile(
    r"\b(1[89]\d\d|20\d\d|january|february|march|april|may|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"yesterday|today|tomorrow|tonight|(last|next|this|that|the following|the previous) "
    r"(week|month|year|spring|summer|autumn|winter|weekend|day|decade)|ago|since|later|"
    r"earlier|until|by the end of|deadline|timeline|year|month|week|day)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w’'-]+(?:\s+(?:[A-Z]\.\s*)?[A-Z][\w’'-]+)+")
_PEOPLE = re.compile(r"\b[a-z]+(?:ers|ors|ists|ians|ants|ents)\b")
_CAPITAL = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z][\w’'-]*")


def question_type(question: str) -> AnswerType | None:
    """The kind of answer a question asks for, if it is one of the four."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def holds(kind: AnswerType, sentence: str, question: str) -> bool:
    """Whether the sentence holds an answer of that kind that the question lacks."""
    asked = question.casefold()
    if kind is AnswerType.NUMBER:
        return any(m.group(0).casefold() not in asked for m in _NUMBER.finditer(sentence))
    if kind is AnswerType.TIME:
        return any(m.group(0).casefold() not in asked for m in _TIME.finditer(sentence))
    if kind is AnswerType.PERSON:
        # a name ("Sergei Lavrov", "Putin") or people named by role ("taxpayers", "employers")
        return any(_new(m.group(0), asked) for m in _NAME.finditer(sentence)) or any(
            _new(m.group(0), asked) for m in _CAPITAL.finditer(sentence)
        ) or any(m.group(0).casefold() not in asked for m in _PEOPLE.finditer(sentence))
    return any(_new(m.group(0), asked) for m in _CAPITAL.finditer(sentence))


def _new(name: str, asked: str) -> bool:
    return any(part.casefold().rstrip("’'s") not in asked for part in name.split() if len(part) > 2)
