"""What kind of answer a question wants (a person, a number, a time, a place), and whether a
sentence holds one that the question does not already name."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from enum import Enum
from functools import lru_cache

from retrieval.aliases import PLACE_KEYS, place_spans, tokens_with_places
from retrieval.chunking import sentence_spans
from retrieval.lexical import STOPWORDS, stem, terms
from retrieval.question_parts import AUXILIARIES, DAY_NAMES, MONTH_NAMES, name_groups, question_names


class AnswerType(Enum):
    PERSON = "person"
    NUMBER = "number"
    TIME = "time"
    PLACE = "place"


_HUMAN_ROLE = (
    r"(leader|minister|president|official|diplomat|person|man|woman|politician|secretary|"
    r"chancellor|spokes\w+|journalist|mp|chair\w*|chief|commissioner|executive|director|"
    r"envoy|ambassador|candidate|author|writer|reporter|lawmaker|senator|mayor|king|queen|"
    r"prince|general|officer|boss|adviser|advisor|aide|grandfather|father|mother|wife|husband|"
    r"son|daughter|brother|sister|grandmother|librarian|staff|teacher|doctor|nurse|police|"
    r"worker|employee|resident|student|pupil|parent|volunteer|councillor|judge|lawyer|"
    r"campaigner|manager|owner|founder|scientist|researcher|expert|analyst|economist|"
    r"coach|player|captain|driver|pilot|soldier|prosecutor|detective|governor|premier|"
    r"chairman|chairwoman|superintendent|inspector|headteacher|principal|professor)"
)
_ROLE_WORD = re.compile(rf"\b{_HUMAN_ROLE}s?\b", re.I)  # "the Russian ambassador"
_ROLE = (
    r"(leader|minister|president|official|diplomat|person|man|woman|politician|secretary|"
    r"chancellor|spokes\w+|journalist|mp|member|chair\w*|head|chief|commissioner|executive|"
    r"director|envoy|ambassador|candidate|author|writer|reporter|lawmaker|senator|mayor|king|"
    r"queen|prince|general|officer|boss|figure|critic|adviser|advisor|aide|ally|rival)"
)
_ORG_ASKED = re.compile(
    rf"\b(which|what) ((?!{AUXILIARIES}\b)\w+ ){{0,2}}"
    r"(company|firm|organisation|organization|group|party|body|agency|"
    r"union|charity|newspaper|paper|outlet|network|station|magazine|website|publication|channel|broadcaster|"
    r"team|club|bank|department|ministry|"
    r"committee|institution|university|court|council)\b", re.I,
)
# "which agreement", "what deal": a pact the text names by what it is ("the June 12 Singapore
# declaration", "a trilateral statement"), whatever word the question uses for it
_ACCORDS = (
    r"(agreement|deal|treaty|accord|pact|declaration|statement|charter|protocol|convention|"
    r"resolution|communiqu[eé]|memorandum|ceasefire|truce|compact|settlement|understanding)s?"
)
_ACCORD_ASKED = re.compile(
    rf"\b(which|what) ((?!{AUXILIARIES}\b)[\w-]+ ){{0,2}}?{_ACCORDS}\b", re.I,
)
_ACCORD = re.compile(rf"\b{_ACCORDS}\b", re.I)
# "what did the CBI want the spare cash spent on": where money goes, asked with "what"
_SPENT_WHAT = re.compile(
    r"^(what|which)\b.*\b(spent|spend|invest|invested)\s+([\w’'-]+\s+){0,4}?(on|towards?|into)\s*\??\s*$|"
    # "put" or "go" only with money in the question: "what did the talks put stress on" is not
    r"^(what|which)\b.*\b(money|cash|funds?|surplus|windfall|proceeds|savings|revenue|budget)\b.*"
    r"\b(go|goes|going|went|put|use|used)\s+([\w’'-]+\s+){0,2}?(on|towards?|into)\s*\??\s*$",
    re.I,
)
_AREAS = "constituency|seat|county|province|district|borough"  # a place named by what it is
_QUESTION_TYPES: list[tuple[AnswerType, re.Pattern[str]]] = [
    (AnswerType.NUMBER, re.compile(
        r"\b(how (many|much|big|large|high|low|far|long)|by how much|"
        r"what (will|would|did|does|do|could|might|should) (\S+ ){1,8}cost\b(?! of)|"
        r"what (\w+ ){0,2}cost (figure|estimate)|"
        # "what's the total cost", "what was alastair campbells salary"
        r"what(’s|'s| is| was| are| were)? (the |his |her |their |our |"
        rf"((?!{AUXILIARIES}\b)\S+ ){{0,2}}?[\w-]+(’s|'s|s) )?(share|percentage|"
        r"proportion|number|amount|sum|figure|fraction|percent|rate|level|price|cost|value|worth|volume|population|"
        r"death toll|toll|total|size|age|salary|budget|turnout|majority|margin|score)|"
        r"how old|(what|which)(?:’s|'s| is| was| are| were)? (?:the )?"
        rf"(?:(?!{AUXILIARIES}\b)[\w’'-]+ ){{0,6}}rates?)\b", re.I)),
    (AnswerType.TIME, re.compile(
        r"^(when\b|by when|since when|until when)|\b(what|which|on what|on which|what(?:'s|’s| is| was) the) (year|date|"
        r"month|day|time|week|decade|century|season|deadline|timeline|timetable|timescale)\b|\bhow (soon|long ago)\b|"
        r"\bwhen (did|was|were|is|are|will|does|do|has|had|must|should|could|would)\b|\bhow often\b", re.I)),
    (AnswerType.PERSON, re.compile(
        rf"^(who|whom|whose)\b|\b(which|what) ((?!{AUXILIARIES}\b)\w+ ){{0,2}}{_ROLE}s?\b|"
        r"\b(what|which)( is| was| were| are|’s|'s) (the )?names? of\b|\bname the\b|"
        r"\bwhat(’s|'s| is| was) (\S+ ){1,4}?\w+(’s|'s) (first |full |real |last )?name\b|"
        r"\bwhat(’s|'s| is| was) (\S+ ){1,4}?\w+s (first |full |real |last )?name\s*\??$|"
        r"^what(’s|'s| is| was| are| were) ([\w’'-]+ ){1,5}called\s*\??$|" + _ORG_ASKED.pattern
        + "|" + _ACCORD_ASKED.pattern,
        re.I)),
    (AnswerType.PLACE, re.compile(
        r"^where\b|\b(which|what) ((two|three|four|five|several|other) )?([A-Z][\w-]* )?(city|cities|country|countries|town|place|venue|site|region|"
        r"capital|state|states|nation|nations|location|" + _AREAS + r")\b|\bin which ([A-Z][\w-]* )?(city|country|town|place)\b|"
        r"(’s|'s) (\w+ )?(" + _AREAS + r"|hometown|home town|birthplace)\b|" + _SPENT_WHAT.pattern, re.I)),
]

_NUMBER = re.compile(
    r"((?<![A-Za-z])\d(?:[\d,.]*\d)?|%|£|\$|€|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
    r"thirty|forty|fifty|hundred|thousand|million|billion|trillion|dozen|dozens|double|doubled|"
    r"twice|triple|tripled|halved)\b|\b(a|one|two)[ -](half|third|thirds|quarter|quarters)\b|"
    r"\bhalf of\b)", re.I)
# written with a capital ("May", not "may"), even in a case-blind pattern
_MONTHS = f"(?-i:{MONTH_NAMES}|Jan|Feb|Aug|Sept|Oct|Nov|Dec)"
_DAYS = f"(?-i:{DAY_NAMES})"
# A point or span in time, not just a word about time ("year", "later").
_TIME = re.compile(
    rf"\b(1[89]\d\d|20\d\d|1[89]\d0s|20\d0s|{_MONTHS}|{_DAYS}|yesterday|today|tomorrow|"
    r"tonight|((last|next|this|that|the following|the previous|the same|a|one|two|three|four|"
    r"five|six|seven|eight|nine|ten|several|few|\d+) (week|month|year|spring|summer|autumn|"
    r"winter|weekend|day|decade|century|weeks|months|years|days|decades)( ago)?)|"
    r"(the )?end of (the|this|next|last) (week|month|year|decade)|ago|at the weekend|"
    r"(early|late|mid)[ -]\w+|overnight|recently|soon|immediately|in the (past|coming|next))\b",
    re.I,
)
# a question asking what something costs, or how much money: only a sum of money answers it
_COST_ASKED = re.compile(
    r"\b(cost|costs|costing|costed|price|priced|budget|bill|spend|spent|spending|expense|fees?)\b", re.I
)
_PAID_ASKED = re.compile(
    r"\bhow much\b.*\b(paid|earn|earns|earned|charged?|fees?|salary|wages?)\b|"
    r"\b(what|which)( is| was|’s|'s)? (the |his |her |their |"
    rf"((?!{AUXILIARIES}\b)\S+ ){{0,2}}?[\w-]+(’s|'s|s) )?(\w+ )?(salary|wages?|fees?|pay packet|bonus)\b", re.I,
)
_SHARE = re.compile(r"\d\s?%|\bper ?cent\b", re.I)
MONEY_SUM = re.compile(
    r"[£$€]\s?\d[\d,.]*\s?(m|bn|k|million|billion|trillion)?\b|\b\d[\d,.]*\s?(p|pence|cents?)\b|"
    r"\b\d[\d,.]*\s?(million|billion|trillion)?\s?(pounds|dollars|euros|roubles|yuan|yen)\b", re.I
)
_DATE_LIKE = re.compile(rf"\b({_MONTHS}|{_DAYS})\b|\b\d{{1,2}}(st|nd|rd|th)?\b", re.I)
_PEOPLE = re.compile(r"\b[a-z]+(?:ers|ors|ists|ians|ants|ents)\b")
_CAPITAL = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][a-z][\w’'-]*")


_NOT_NAMES = frozenset(
    [*MONTH_NAMES.casefold().split("|"), *DAY_NAMES.casefold().split("|"), "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "i"]
)
_LOCATIVE = re.compile(
    r"\b(in|at|to|from|near|outside|inside|into|across|towards?|on|onto|via|beside|behind|"
    r"within|throughout|visit(ed|ing|s)?|hosted by|"
    r"held in|based in)\s+(the\s+)?(?P<name>[A-Z][\w’'-]+)"
)
_GATHERING = re.compile(
    r"\b(at|during) (a|an|the|his|her|their|its) ([\w-]+ ){0,3}(summit|meeting|conference|talks|"
    r"event|rally|session|ceremony|hearing|inquiry|court|briefing|reception|dinner|debate|seminar|"
    r"forum|convention|congress|festival|lecture)\b|"
    r"\b(in|at|to|into|on|near|inside|outside|from|beside|behind) (a|an|the|its|their|his|her) "
    r"([\w-]+ ){0,2}(office|room|building|hall|centre|center|site|station|hospital|school|church|"
    r"house|street|road|square|park|airport|port|base|camp|prison|museum|library|venue|hotel|"
    r"city|town|village|capital|region|area|district|suburb|headquarters|embassy|palace|stadium|"
    r"arena|warehouse|factory|plant|shop|store|market|estate|island|coast|border)s?\b", re.I,
)
# the gatherings a "where" question may ask the place of: met at "a summit" is no answer to
# "where will they meet", but "at his monthly news conference" does say where a debate was
# ruled out
_MEETING_WORDS = frozenset(["summit", "meeting", "meet", "talks", "conference"])
_EVENT_ASKED = re.compile(r"\b(summit|meeting|meet|conference|talks)s?\b", re.I)
# "what site", "which venue": answered by the site described ("its nuclear test site")
_SITE_ASKED = re.compile(r"\b(what|which) ([\w-]+ )?(?P<noun>site|venue|building|location)\b", re.I)
_SITE_REACH = 8  # words before a described site that must say something the question says
_DETERMINERS = frozenset(
    ["the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those", "which", "what", "one"]
)
_WHERE = re.compile(r"^where\b|\bwhere (did|do|does|will|would|was|is|are|were|can|could|should|might|has|have)\b", re.I)
_PLACE_ASKED = re.compile(
    _WHERE.pattern + r"|\b(what|which) ([A-Z][\w-]* )?(city|town|venue|place|location|site|building|street|village|area|"
    + _AREAS + r")\b|(’s|'s) (\w+ )?(" + _AREAS + r"|hometown|home town|birthplace)\b",
    re.I,
)
# "which constituency", "Hewitt's seat": a place someone is in or stands for, not a body
_AREA_ASKED = re.compile(r"\b(" + _AREAS + r")\b", re.I)
_IN_AREA = re.compile(
    r"(\b(in|of)|\b(MP|MSP|MEP|AM|candidate|member|seat|councillor)\s+for)\s+(?P<name>[A-Z][\w’'-]+)"
)
# "where should the money be spent / go": what it goes on, not a place
_MONEY_NOUN = r"\b(money|cash|funds?|surplus|windfall|proceeds|savings|revenue|budget)\b"
_MONEY_MOVED = r"\b(go|goes|going|went|gone|put|putting|use|used|direct|directed|channel|channelled|channeled)\b"
_SPENT_WHERE = re.compile(
    r"^where\b.*\b(spent|spend|spending|invest|invested|investing)\b|"
    # "where should the money go", "where did he want them to put any spare cash"
    rf"^where\b.*({_MONEY_NOUN}.*{_MONEY_MOVED}|{_MONEY_MOVED}.*{_MONEY_NOUN})",
    re.I,
)
_SPENT_ON = re.compile(
    r"\b(spent|spend|spending|invest\w*|go|goes|going|put|used)\s+([\w’'-]+\s+){0,3}?(on|in|into|towards?|for)\b", re.I
)
_OFTEN_ASKED = re.compile(r"\bhow often\b", re.I)
_FREQUENCY = re.compile(
    r"\b(every|each)\s+(\w+\s+)?(morning|evening|night|day|week|month|year|fortnight|time|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b|"
    r"\b(daily|nightly|weekly|fortnightly|monthly|quarterly|yearly|annually|hourly|regularly|"
    r"once|twice|always|never|rarely|often)\b|\b(\w+|\d+) times? (a|an|per|each)\s+\w+", re.I,
)
_DATE_ASKED = re.compile(r"\b(what|which|on what|on which) (date|day)\b", re.I)
_YEAR_ASKED = re.compile(r"\b(what|which|in what|in which) year\b", re.I)


_ORG_WORDS = frozenset(
    ["assembly", "council", "party", "committee", "agency", "department", "office", "ministry", "union", "association", "commission", "court", "parliament", "government", "executive", "house", "bank", "act", "bill", "treaty", "federation", "federal", "national", "organisation", "organization", "institute", "university", "company", "group", "corporation", "club", "league", "army", "navy", "force", "forces", "service", "services", "authority", "board", "trust", "fund", "foundation", "news", "media", "times", "post", "agency's", "daily", "programme", "program"]
)
# a run of capitalized words, a name's small words allowed inside ("Department for Trade and
# Industry", "Ludwig van Beethoven")
CAPITAL_RUN = re.compile(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|for|and|the|de|von|van|bin|&)\s+)?[A-Z][\w’'-]*)*")
_HUMAN_ASKED = re.compile(
    rf"\b(which|what) (\w+ ){{0,2}}{_HUMAN_ROLE}s?\b|\bnames? of (the |a |an )?([\w’']+ ){{0,3}}"
    rf"{_HUMAN_ROLE}|"
    # "who is the Russian ambassador": who holds a post, so a person, not a body or a place
    rf"^who(’s|'s| is| was| are| were) (the |a |an |[\w-]+(’s|'s) )?(\w+ ){{0,2}}{_HUMAN_ROLE}s?\b(?!’s|'s)"
    # "who was the chief patron": a patron or an ally may be a country
    rf"(?! (patron|backer|sponsor|benefactor|ally|allies|partner|supporter|rival|enemy|adversary|friend)s?\b)|"
    rf"\b{_HUMAN_ROLE}(’s|'s) (first |full |real |last )?name\b", re.I,
)


_NAME_OF = re.compile(
    r"\bnames? of (the |a |an )?([\w’'-]+ ){0,3}?(?P<role>[a-z][\w-]*)\s*"
    r"(\?|$|\b(in|at|on|who|that|for|from|of|with|during|when|since)\b)|"
    # "what was Kim's grandfather's name"
    r"\b(?P<owner>[a-z][\w-]*)(’s|'s) (first |full |real |last )?name\b|"
    # chat drops the apostrophe: "whats kims grandfathers name"
    r"\b(?P<bare>[a-z][\w-]*[a-z])s (first |full |real |last )?name\s*\??$|"
    # "what's Kim's grandfather called"
    r"^what\b.*\b(?P<called>[a-z][\w-]*) called\s*\??$", re.I,
)


# who bought or runs something commercial: a firm, not a minister who welcomed the deal
_BUYER_ASKED = re.compile(
    r"\b(which|what) (\w+ )?(company|firm|business|consortium|bidder|buyer|developer)s?\b|"
    r"\bwho (\w+ ){0,2}(bought|buy|buys|buying|purchased|acquired|owns)\b", re.I,
)
_PURCHASE = re.compile(
    r"\b(buy|buys|buying|bought|buyer|buyers|purchase|purchased|purchaser|acquire|acquired|acquires|acquisition|"
    r"takeover|took over|taken over|snapped up|owner|owners|owns|owned|sold to|sale to|leased to|lease to|"
    r"won the (?:contract|deal|bid|tender)|winning bid|successful bidder)\b",
    re.I,
)
_SUCCESSION_ASKED = re.compile(
    r"\bwho (?:will |would |has |had |is to |is going to |might )?(?:succeed|succeeded|replace|replaced|"
    r"follow|followed|take over from|took over from|taken over from)\b|\bwho (?:is|was|will be) (?:\w+(?:’s|'s) )?"
    r"(?:successor|replacement)\b",
    re.I,
)
_SUCCESSION = re.compile(
    r"\b(succeed|succeeds|succeeded|succeeding|successor|replace|replaces|replaced|replacing|replacement|"
    r"take over|takes over|took over|taken over|taking over|step into|stepped into|"
    r"appointed|appoint|named as|new (?:head|chief|leader|director|chairman|chair|editor|boss))\b",
    re.I,
)
_ORG_ROLES = frozenset(["minister", "secretary", "president", "chancellor", "prime", "deputy"])
_STATE_WORDS = frozenset(
    ["government", "office", "department", "ministry", "parliament", "commons", "lords", "committee",
     "council", "treasury", "audit", "commission", "assembly", "house", "cabinet", "executive", "nao"]
)
_TITLE_BEFORE = re.compile(
    r"\b(Mr|Mrs|Ms|Miss|Sir|Lord|Lady|Dr|Prof|Professor|Minister|Secretary|President|Chancellor|"
    r"chairman|chairwoman|chair|chief|head|leader|spokesman|spokeswoman|MP|director|general)\.?,?\s+$"
)
_SPEAKS_AFTER = re.compile(r"^,?\s+(said|says|told|warned|added|who|, who)\b")


def _firms(sentence: str, asked: str) -> list[str]:
    """Names that could be a firm: not sentence-initial, not in the question, not a person
    (after a title, before "said"), not a body of the state ("the National Audit Office") and
    not a place ("the site in Greenwich, London")."""
    out = []
    places = place_spans(sentence)
    for run in CAPITAL_RUN.finditer(sentence):
        name = run.group(0)
        if _PLACED.search(sentence[: run.start()]) or any(
            start <= run.start() and run.end() <= end for start, end in places
        ):
            continue
        before = sentence[: run.start()]
        if re.fullmatch(r"[\s“\"‘']*", before) or re.search(r"[.!?:][”\"’']?\s+[“\"‘']?$", before):
            first, _, rest = name.partition(" ")  # "The NAO", "But Edward Leigh": not the first word
            if first.casefold() in STOPWORDS or first.casefold() in _NOT_NAMES or not rest:
                name = rest
            if not name:
                continue
        lowered = [_bare(w) for w in name.split()]
        if any(w in _STATE_WORDS or w in _ORG_ROLES for w in lowered) or all(w in _NOT_NAMES for w in lowered):
            continue
        if _TITLE_BEFORE.search(sentence[: run.start()]) or _SPEAKS_AFTER.match(sentence[run.end():]):
            continue
        words = {_bare(w) for w in asked.split()}
        if all(_bare(part) not in words for part in name.split()):  # "Millennium Village": the
            out.append(name)  # question's "Millennium Dome" again, not who bought it
    return out


_PLACED = re.compile(r"\b(in|at|near|outside|inside|across|throughout|within)\s+(the\s+)?$", re.I)


def _names(sentence: str, asked: str, people_only: bool) -> list[str]:
    """Names in a sentence that the question does not hold: runs of capitalized words, not
    counting a sentence's first word, months, titles, and (for people only) places and bodies
    ("Russian Federal Assembly")."""
    places = place_spans(sentence)
    out = []
    for run in CAPITAL_RUN.finditer(sentence):
        words = [(m.group(0), run.start() + m.start()) for m in re.finditer(r"\S+", run.group(0))]
        if run.start() == 0 or re.search(r"[.!?][”\"’']?\s+$", sentence[: run.start()]):
            words = words[1:]  # a sentence's first word is capitalized anyway
        if people_only and any(_org_word(w) for w, _ in words):
            continue
        if people_only and _PLACED.search(sentence[: run.start()]):
            continue  # "in Calais", "at Ibrox": where something is, not who
        for word, at in words:
            key = _bare(word)
            if people_only and any(s <= at < e for s, e in places):
                continue
            if word[0].isupper() and key not in _NOT_NAMES and _new(word, asked):
                out.append(word)
    return out


_YEAR = re.compile(r"(1[89]|20)\d\d")
_MONTH_BEFORE = re.compile(rf"\b{_MONTHS}\s+$")
_MONTH_AFTER = re.compile(rf"^(st|nd|rd|th)?\s+(of\s+)?{_MONTHS}\b")


def _in_date(sentence: str, start: int, end: int) -> bool:
    """Whether a number is a year, a day of a month or part of a name ("1974", "June 12",
    "Radio 4"), not an amount."""
    if _YEAR.fullmatch(sentence[start:end]) and sentence[start - 1 : start] not in ("£", "$", "€"):
        return True
    if sentence[start].isdigit() and re.search(r"[\w,;:’'”)]\s+[A-Z][\w’']*\s$", sentence[:start]):
        return True  # part of a name: "Radio 4", "No 10"
    return bool(_MONTH_BEFORE.search(sentence[:start]) or _MONTH_AFTER.match(sentence[end:]))


# a word as written, hyphens and apostrophes kept ("Kim-Putin", "Kim’s")
TOKEN = re.compile(r"[\w’'-]+")
_TIME_REACH = 15  # words between a time and what happened then
_SCHEDULE_WORDS = frozenset(terms("deadline timeline timetable timescale"))
_TIME_WORDS = _SCHEDULE_WORDS | frozenset(
    terms("year years date day days time times month week decade century season long soon ago happen happened take place")
)


@lru_cache(maxsize=65536)
def _token_stems(token: str) -> frozenset[str]:
    return frozenset(terms(token))


@lru_cache(maxsize=1024)
def _event_terms(question: str) -> frozenset[str]:
    """The stems of what a "when" question asks the time of: its words that are not names."""
    return frozenset(terms(question)) - frozenset(question_names(question)) - _TIME_WORDS


_AGE_ASKED = re.compile(r"\bhow old\b|\b(what|which) age\b|\bthe age of\b|(’s|'s) age\b", re.I)
_AGE = re.compile(
    r"\baged? \d{1,3}\b|\b(\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"several|few)[- ](hours?|days?|weeks?|months?|years?|decades?|centuries|century)[- ]old\b|\bat (the age of )?\d{1,3}\b(?! ?(%|per|years?\b(?! old)))|\bthe age of \d{1,3}\b|"
    r"\b[A-Z][\w’'-]+, \d{1,3},|\b[A-Z][\w’'-]+ \(\d{1,3}\)|\b(teen|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)\b",
)
_DURATION = re.compile(r"\bhow (long|soon)\b", re.I)
_TIME_UNIT = r"(?P<unit>seconds?|minutes?|hours?|days?|weeks?|fortnights?|months?|years?|decades?|centuries)"
# "how many people died": a count told by what happened to them, next to the figure ("bombs
# which killed seven people", "three were injured"), not any count of people nearby
_TOLLS = {
    "death": "die died dies dead death deaths kill killed killing killings fatalities fatality lives",
    "injury": "injured injuries injury wounded wounding hurt",
    "arrest": "arrested arrests arrest detained detentions",
}
_TOLL_OF = {w: frozenset(words.split()) for words in _TOLLS.values() for w in words.split()}
_TOLL_ASKED = re.compile(rf"\bhow many\b.*?\b({'|'.join(sorted(_TOLL_OF, key=len, reverse=True))})\b", re.I)
_TOLL_REACH = 4  # words between the figure and what happened ("killed a total of 12 people")
_UNIT_ASKED = re.compile(r"\bhow many " + _TIME_UNIT + r"\b", re.I)
_UNIT_AMOUNT = re.compile(
    r"\b(\d[\d,.]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|several|few|many|some)(-| )(full |more |extra |long )?" + _TIME_UNIT + r"\b",
    re.I,
)


# "When the Soviet Union fell, what was China's standing?": a clause setting the time, then the
# question (but "when did the summit collapse, what month" asks when)
_WHEN_CLAUSE = re.compile(rf"^\W*when (?!{AUXILIARIES}\b)[^,?]+,\s*(?=\w)", re.I)


def question_type(question: str) -> AnswerType | None:
    """The kind of answer a question asks for, if it is one of the four."""
    question = _WHEN_CLAUSE.sub("", question)
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def asked_kinds(question: str) -> list[AnswerType]:
    """Every kind of answer a question joining two asks wants ("who bought it, and for how
    much?", "where and when will they meet?"); none for a question that asks one thing."""
    if not _COMPOUND.search(question):
        return []
    return [kind for kind, pattern in _QUESTION_TYPES if pattern.search(question)]


# a second question word joined to the first: "and for how much", "where and when" (not "When
# she spoke, what did she say")
_COMPOUND = re.compile(
    r"\band\s+(?:(?:for|with|by|on|in|at)\s+)?(?:how much|how many|what|which|when|where|who)\b",
    re.I,
)


def holds(kind: AnswerType, sentence: str, question: str) -> bool:
    """Whether the sentence holds an answer of that kind that the question lacks."""
    asked = question.casefold()
    if kind in (AnswerType.PLACE, AnswerType.TIME) and _meeting_ahead(question) and not names_two(question, sentence):
        return False  # "where will Kim and Putin meet": where or when they meet, not another meeting
    if kind is AnswerType.NUMBER:
        if _AGE_ASKED.search(question):  # "how old is she": "aged 54", "the 54-year-old"
            return bool(_AGE.search(sentence))
        if _UNIT_ASKED.search(question):  # "how many days did it last": a span of time, not
            return bool(_UNIT_AMOUNT.search(sentence))  # any figure ("the March 2018 emphasis")
        toll = _TOLL_ASKED.search(question)
        if toll:
            return _told_near(sentence, asked, _TOLL_OF[toll.group(1).casefold()])
        if _DURATION.search(question) and any(m.group(0).casefold() not in asked for m in _TIME.finditer(sentence)):
            return True  # "how long has Kim given Washington": "until the end of this year"
        # "how much was the agency paid": a sum, or a share (but "how much will paid leave
        # cost": a cost)
        if _PAID_ASKED.search(question) and not _COST_ASKED.search(question):
            return any(m.group(0).casefold() not in asked for m in MONEY_SUM.finditer(sentence)) or bool(
                _SHARE.search(sentence)
            )
        if _COST_ASKED.search(question):
            # "what will it cost": a sum of money, said to be a cost ("expected to cost £2.4m"),
            # not "six months" or "the extra £1,400" a mother gets
            return bool(_COST_ASKED.search(sentence)) and any(
                m.group(0).casefold() not in asked for m in MONEY_SUM.finditer(sentence)
            )
        return any(
            m.group(0).casefold() not in asked and not _in_date(sentence, m.start(), m.end())
            for m in _NUMBER.finditer(sentence)
        )
    if kind is AnswerType.TIME:
        if _OFTEN_ASKED.search(question):  # "how often": "every morning", "daily", "twice a year"
            # (not "she often criticised him": the question's own word says no more)
            return any(m.group(0).casefold() not in asked for m in _FREQUENCY.finditer(sentence))
        if _YEAR_ASKED.search(question):
            found = re.finditer(r"\b(1[89]\d\d|20\d\d|(last|next|this|that) year)\b", sentence, re.I)
        elif _DATE_ASKED.search(question):
            found = _DATE_LIKE.finditer(sentence)
        else:
            found = _TIME.finditer(sentence)
        times = [m for m in found if m.group(0).casefold() not in asked]
        event = _event_terms(question)
        if not times or not event:
            return bool(times)
        # near what the question asks the time of ("when did Kim meet Lavrov": "meet"), not a
        # date naming something else in a long sentence ("the June 12 Singapore declaration")
        # ... or near the deadline asked for: "a timeline until the end of this year"
        event = event | (frozenset(terms(question)) & _SCHEDULE_WORDS)
        close = _within(sentence, times, lambda word: bool(_token_stems(word) & event), _TIME_REACH)
        return True if close is None else close  # None: it says it in other words, nothing to measure from
    if kind is AnswerType.PERSON:
        # a name ("Sergei Lavrov", "Putin") or people named by role ("taxpayers", "employers")
        if _BUYER_ASKED.search(question):  # "which company bought it": a name that is not a
            # person or an arm of the state ("which company bought it": said to buy something)
            firm = bool(_firms(sentence, asked))
            return firm and (not _PURCHASE.search(question) or bool(_PURCHASE.search(sentence)))
        if _SUCCESSION_ASKED.search(question):  # "who replaced Campbell": someone said to
            return bool(_SUCCESSION.search(sentence)) and bool(_names(sentence, asked, False))  # follow him
        if _ACCORD_ASKED.search(question):  # "which agreement": "the Singapore declaration"
            return bool(_ACCORD.search(sentence))
        if _ORG_ASKED.search(question):
            return bool(_names(sentence, asked, people_only=False))  # "which company": a name
        people_only = bool(_HUMAN_ASKED.search(question))
        if _RUNS.search(question):  # "who led the delegation": someone named, not "the ambassador"
            return bool(_names(sentence, asked, people_only=True))
        one = _ONE_ROLE_ASKED.search(question)
        if one:  # "which journalist got the e-mail": someone named, or given a post of that kind
            return bool(_names(sentence, asked, people_only=True)) or gives_post(question, sentence)
        asked_stems = set(terms(question))
        named = _NAME_OF.search(question)
        if named:  # "the name of Kim's grandfather": a name written next to that grandfather
            role = stem((named["role"] or named["owner"] or named["bare"] or named["called"]).casefold())
            return any(_named_near(sentence[a:b], role, asked, people_only) for a, b in sentence_spans(sentence))
        if _FIRST_PERSON.search(sentence) and not _FIRST_PERSON.search(question) and not _WHO_SAID.search(question):
            # "who came up with it": "I dreamt up flying pigs", in the words of the one quoted
            # (but "who said he hoped...": the one who said it, named)
            return True
        return bool(_names(sentence, asked, people_only)) or any(
            stem(m.group(0).casefold()) not in asked_stems
            for pattern in (_PEOPLE, _ROLE_WORD) for m in pattern.finditer(sentence)
        )
    if _SPENT_WHAT.search(question):  # "what should the money be spent on": "on improving skills"
        return bool(_SPENT_ON.search(sentence))
    if _SPENT_WHERE.search(question) and _SPENT_ON.search(sentence):
        return True  # "where should the money be spent": "on improving workers' skills"
    if _AREA_ASKED.search(question):
        return any(
            _new(m["name"], asked) and _bare(m["name"]) not in _NOT_NAMES and not _org_word(m["name"])
            and not _in_date(sentence, m.start("name"), m.end("name"))
            for m in _IN_AREA.finditer(sentence)
        )
    if _EVENT_ASKED.search(question) and _AHEAD_ASKED.search(question) and not _all_named(question, sentence):
        return False  # "where will the Kim-Putin summit be": every one it names, the same sentence
    site = _SITE_ASKED.search(question)
    said = set(terms(question)) if site else set()
    if site and any(
        m.group(1).casefold() not in _DETERMINERS and m.group(1).casefold() not in asked
        # next to what the question says of it, not "the traditional choice of a seaside venue"
        and set(terms(" ".join(sentence[: m.start()].split()[-_SITE_REACH:]))) & said
        for m in re.finditer(rf"\b([\w-]+) {site['noun']}s?\b", sentence, re.I)
    ):
        return True  # "what nuclear site did they dismantle": "dismantlement of its nuclear test site"
    if _PLACE_ASKED.search(question):
        # "where", "which city": somewhere the sentence puts something ("in Hanoi")
        return any(
            _new(m["name"], asked) and m["name"].casefold() not in _NOT_NAMES
            for m in _LOCATIVE.finditer(sentence)
        ) or (
            # "at the party's spring conference" says where a speech was given, not where a
            # meeting asked about will be: an event is no place for another one
            _WHERE.search(question) is not None
            and any(
                m.group(0).split()[-1].casefold() not in asked
                and not (_EVENT_ASKED.search(question) and m.group(0).split()[-1].casefold() in _MEETING_WORDS)
                for m in _GATHERING.finditer(sentence)
            )
        )
    places = place_spans(sentence)  # "US", "UK", "North Korea": a place is judged whole
    return any(
        _new(m.group(0), asked) for m in _CAPITAL.finditer(sentence)
        if not any(a <= m.start() < b for a, b in places)
    ) or any(_new(sentence[a:b], asked) for a, b in places)


def asks_toll(question: str) -> bool:
    """Whether a "how many" question counts by what happened ("how many people died")."""
    return bool(_TOLL_ASKED.search(question)) and not _UNIT_ASKED.search(question)


def _told_near(sentence: str, asked: str, told: frozenset[str]) -> bool:
    """Whether a figure the question lacks stands within a few words of one of `told`."""
    figures = [
        m for m in _NUMBER.finditer(sentence)
        if m.group(0).casefold() not in asked and not _in_date(sentence, m.start(), m.end())
    ]
    return bool(_within(sentence, figures, lambda word: word.casefold() in told, _TOLL_REACH))


def _within(
    sentence: str, found: Sequence[re.Match[str]], is_near: Callable[[str], bool], reach: int
) -> bool | None:
    """Whether one of `found` stands within `reach` words of a word `is_near` picks; None when
    the sentence has no such word."""
    tokens = list(TOKEN.finditer(sentence))
    near = [i for i, t in enumerate(tokens) if is_near(t.group(0))]
    if not near:
        return None
    starts = [t.start() for t in tokens]
    return any(abs(i - bisect_left(starts, m.start())) <= reach for m in found for i in near)


_FIRST_PERSON = re.compile(r"(?-i:\bI\b)(?!['’]?\.)")
_WHO_SAID = re.compile(r"\b(said|says|say|told|tells|tell|claimed|claims|wrote|writes|quoted)\b", re.I)
_NAME_REACH = 4  # words between a role and the name it is given ("Kim's grandfather, Kim Il Sung")


def _named_near(sentence: str, role: str, asked: str, people_only: bool) -> bool:
    """Whether a name the question lacks stands within a few words of the role ("the Punggye-ri
    test site", "Foreign Minister Sergei Lavrov"), not just somewhere in the sentence."""
    roles = [m.start() for m in TOKEN.finditer(sentence) if stem(m.group(0).casefold()) == role]
    for name in _names(sentence, asked, people_only):
        at = sentence.find(name)
        if at < 0:
            continue
        for r in roles:
            low, high = sorted((r, at))
            if len(sentence[low:high].split()) <= _NAME_REACH + 1:
                return True
    return False


_AHEAD_ASKED = re.compile(
    r"\b(will|would|going to|gonna|expected|anticipated|upcoming|scheduled|planned|supposed|set to|due to|likely)\b", re.I
)


def asks_where(question: str) -> bool:
    """Whether a question asks where something is or happens ("where", "which city") or where
    money goes ("what should it be spent on"), not which seat someone stands for."""
    return (bool(_PLACE_ASKED.search(question)) and not _AREA_ASKED.search(question)) or bool(
        _SPENT_WHAT.search(question)
    )


def _meeting_ahead(question: str) -> bool:
    """Whether a question asks about a meeting still to come ("where will Kim and Putin meet"),
    not how often someone will hold a news conference."""
    return bool(_MEETING_ASKED.search(question) and _AHEAD_ASKED.search(question))


_PAIRED = re.compile(r"(?<=[a-z])-(?=[A-Z])")


def names_two(question: str, sentence: str) -> bool:
    """Whether the sentence names two of those the question names, if it names two or more
    ("the Kim-Putin summit" names two)."""
    groups = name_groups(_PAIRED.sub(" and ", question))
    said = set(terms(sentence))
    return len(groups) < 2 or sum(bool(said.intersection(group)) for group in groups) > 1


_MEETING_ASKED = re.compile(r"\b(meet|meets|meeting|summit|summits|talks)\b", re.I)


def _all_named(question: str, sentence: str) -> bool:
    """Whether the sentence names everyone the question does (places aside)."""
    people = {n for n in question_names(question) if n not in PLACE_KEYS}
    return people <= set(terms(sentence))


def _new(name: str, asked: str) -> bool:
    """Whether a name holds a word (of two letters or more) the question does not. A place the
    question names in another form is not new: "China" when it asks about "Beijing"."""
    words, places = _asked(asked)
    if places is None:
        return any(_bare(part) not in words for part in name.split() if len(_bare(part)) >= 2)
    for part in tokens_with_places(name):
        if part in PLACE_KEYS:
            if part not in places:
                return True
        elif len(_bare(part)) >= 2 and _bare(part) not in words:
            return True
    return False


_CITY_ASKED = re.compile(r"\b(city|cities|town|towns|capital|village)\b")


@lru_cache(maxsize=256)
def _asked(asked: str) -> tuple[frozenset[str], frozenset[str] | None]:
    """A question's words as names compare them, and the places it names in one canonical form:
    once a question, not once for every name of every sentence. In a "which city" question the
    places are None, compared as written: a city is new to a question that names its country
    ("which Vietnamese city": Hanoi)."""
    bare = [_bare(w) for w in asked.split()]
    # chat drops a possessive's apostrophe: "kims grandfather" asks about Kim
    words = frozenset([*bare, *(w[:-1] for w in bare if len(w) >= 4 and w.endswith("s"))])
    if _CITY_ASKED.search(asked):
        return words, None
    return words, frozenset(t for t in tokens_with_places(asked) if t in PLACE_KEYS)


def _org_word(word: str) -> bool:
    """Whether a word names a kind of body ("Council", "Forces", "News"), plural or not."""
    key = _bare(word)
    return key in _ORG_WORDS or (key.endswith("s") and key[:-1] in _ORG_WORDS)


def _bare(word: str) -> str:
    """A word as names compare: case folded, outer punctuation and a possessive dropped."""
    word = word.casefold().strip(".,;:!?()[]\"“”‘’'")
    return re.sub(r"['’]s$", "", word)


# who holds a post: "who is the head of the NAO", "who runs the agency"
_ROLE_NOUNS = (
    "head|boss|chief|leader|director|chairman|chairwoman|chair|president|editor|founder|owner|"
    "governor|commissioner|ambassador|spokesman|spokeswoman|treasurer|executive"
)
_RUNS = re.compile(r"^\W*who (runs|heads|leads|led|ran|headed|chairs|chaired|founded|owns|owned)\b", re.I)
# "which journalist", "what Labour official": one person (not "which ministers", "which
# lawmaker groups", "what lawmaker-level contacts")
_ONE_ROLE_ASKED = re.compile(
    rf"\b(which|what) ((?!{AUXILIARIES}\b)[\w’'-]+ ){{0,2}}?(?P<role>{_HUMAN_ROLE})\b(?!’s|'s|-|\s+[a-z]+s\b)", re.I
)
# the posts that are kinds of the one asked for: "which diplomat" is answered by "the Russian
# ambassador", "which journalist" not by "media chief"
_KINDS_OF = {
    "diplomat": "ambassador envoy consul",
    "envoy": "ambassador diplomat consul",
    "official": "minister secretary ambassador envoy spokesman spokeswoman commissioner officer adviser aide",
    "journalist": "reporter correspondent presenter editor",
    "leader": "president premier chairman king queen chancellor",
}
_KINDS = {role: frozenset(f"{role} {kinds}".split()) for role, kinds in _KINDS_OF.items()}


def gives_post(question: str, sentence: str) -> bool:
    """Whether a question for one person by role ("which Russian diplomat threw a reception")
    is answered by a post of that kind the question does not use ("the Russian ambassador")."""
    one = _ONE_ROLE_ASKED.search(question)
    if not one:
        return False
    role = one["role"].casefold()
    kinds = _KINDS.get(role, frozenset([role])) - set(TOKEN.findall(question.casefold()))
    return any(w in kinds or w[:-1] in kinds for w in TOKEN.findall(sentence.casefold()))


_ROLE_IN_QUESTION = re.compile(rf"^\W*who\b.*\b({_ROLE_NOUNS})s?\b", re.I)
# "which senior Russian official has Kim met": someone given with a title of office
_OFFICE_ASKED = re.compile(r"^\W*(which|what) ([\w-]+ ){0,3}?(official|diplomat|minister)s?\b", re.I)
_OFFICES = "minister|secretary|ambassador|envoy|diplomat|official|consul"
_CAPITALISED = r"(?:(?:Sir|Lord|Lady|Dame|Mr|Mrs|Ms|Dr) [A-Z][\w’'-]+|[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)+)"


def asked_roles(question: str) -> str:
    """The post a "who" question asks who holds, as a pattern of role words ("" if none)."""
    if _RUNS.search(question):
        return _ROLE_NOUNS
    if _OFFICE_ASKED.search(question):
        return _OFFICES
    m = _ROLE_IN_QUESTION.search(question)
    return m.group(1).casefold() if m else ""


def names_in_role(roles: str, sentence: str) -> bool:
    """Whether the sentence gives someone's name next to the post ("NAO head Sir John Bourn",
    "Trevor Beattie, TBWA's boss")."""
    role = rf"\b(?i:{roles})s?\b"
    return bool(
        re.search(rf"{role},? {_CAPITALISED}", sentence)
        or re.search(rf"{_CAPITALISED}, (?:\S+ ){{0,3}}?{role}", sentence)
    )
