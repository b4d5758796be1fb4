"""General news vocabulary that stemming misses: places named several ways, irregular verbs.

News writes "Beijing", "China" and "Chinese" for one actor and "took" for "take"; questions
paraphrase the same way. Both the stored text and the question are matched through these
tables, so nothing here knows about any particular article."""

from __future__ import annotations

import re
from functools import lru_cache

# canonical token: names, demonyms, capitals and abbreviations (case-insensitive unless the
# entry is all capitals, which must match as written so "US" is not "us").
_PLACES: dict[str, tuple[str, ...]] = {
    "usa": ("United States of America", "United States", "U.S.A.", "U.S.", "USA", "US",
            "America", "American", "Americans", "Washington"),
    "uk": ("United Kingdom", "U.K.", "UK", "Britain", "Great Britain", "British", "Briton",
           "Britons", "Westminster", "Whitehall", "London"),
    "un": ("United Nations", "U.N.", "UN"),
    "eu": ("European Union", "E.U.", "EU", "Brussels"),
    "nato": ("NATO", "Nato", "North Atlantic Treaty Organization"),
    "northkorea": ("Democratic People's Republic of Korea", "Democratic People’s Republic of Korea",
                   "North Korea", "North Korean", "North Koreans", "DPRK", "NK", "Pyongyang"),
    "southkorea": ("Republic of Korea", "South Korea", "South Korean", "South Koreans", "Seoul", "ROK"),
    "ussr": ("Soviet Union", "USSR", "Soviet", "Soviets"),
    "russia": ("Russian Federation", "Russia", "Russian", "Russians", "Moscow", "Kremlin"),
    "china": ("People's Republic of China", "People’s Republic of China", "China", "Chinese", "Beijing", "PRC"),
    "japan": ("Japan", "Japanese", "Tokyo"),
    "taiwan": ("Taiwan", "Taiwanese", "Taipei"),
    "india": ("India", "Indian", "Indians", "New Delhi", "Delhi"),
    "pakistan": ("Pakistan", "Pakistani", "Pakistanis", "Islamabad"),
    "afghanistan": ("Afghanistan", "Afghan", "Afghans", "Kabul"),
    "iran": ("Iran", "Iranian", "Iranians", "Tehran"),
    "iraq": ("Iraq", "Iraqi", "Iraqis", "Baghdad"),
    "syria": ("Syria", "Syrian", "Syrians", "Damascus"),
    "israel": ("Israel", "Israeli", "Israelis", "Jerusalem", "Tel Aviv"),
    "palestine": ("Palestine", "Palestinian", "Palestinians"),
    "egypt": ("Egypt", "Egyptian", "Egyptians", "Cairo"),
    "turkey": ("Turkey", "Turkish", "Turks", "Ankara"),
    "saudiarabia": ("Saudi Arabia", "Saudi", "Saudis", "Riyadh"),
    "ukraine": ("Ukraine", "Ukrainian", "Ukrainians", "Kyiv", "Kiev"),
    "france": ("France", "French", "Paris", "Elysee", "Élysée"),
    "germany": ("Germany", "German", "Germans", "Berlin"),
    "italy": ("Italy", "Italian", "Italians", "Rome"),
    "spain": ("Spain", "Spanish", "Madrid"),
    "ireland": ("Republic of Ireland", "Ireland", "Irish", "Dublin"),
    "scotland": ("Scotland", "Scottish", "Scots", "Edinburgh", "Holyrood"),
    "wales": ("Wales", "Welsh", "Cardiff"),
    "poland": ("Poland", "Polish", "Poles", "Warsaw"),
    "netherlands": ("Netherlands", "Dutch", "Holland", "Amsterdam", "The Hague"),
    "belgium": ("Belgium", "Belgian", "Belgians"),
    "sweden": ("Sweden", "Swedish", "Swedes", "Stockholm"),
    "norway": ("Norway", "Norwegian", "Norwegians", "Oslo"),
    "greece": ("Greece", "Greek", "Greeks", "Athens"),
    "canada": ("Canada", "Canadian", "Canadians", "Ottawa"),
    "mexico": ("Mexico", "Mexican", "Mexicans", "Mexico City"),
    "brazil": ("Brazil", "Brazilian", "Brazilians", "Brasilia", "Brasília"),
    "argentina": ("Argentina", "Argentine", "Argentinian", "Buenos Aires"),
    "australia": ("Australia", "Australian", "Australians", "Canberra"),
    "newzealand": ("New Zealand", "New Zealander", "Wellington"),
    "southafrica": ("South Africa", "South African", "South Africans", "Pretoria"),
    "nigeria": ("Nigeria", "Nigerian", "Nigerians", "Abuja"),
    "kenya": ("Kenya", "Kenyan", "Kenyans", "Nairobi"),
    "vietnam": ("Vietnam", "Vietnamese", "Hanoi"),
    "singapore": ("Singapore", "Singaporean"),
    "indonesia": ("Indonesia", "Indonesian", "Jakarta"),
    "philippines": ("Philippines", "Filipino", "Filipinos", "Manila"),
    "thailand": ("Thailand", "Thai", "Bangkok"),
    "cuba": ("Cuba", "Cuban", "Cubans", "Havana"),
    "venezuela": ("Venezuela", "Venezuelan", "Venezuelans", "Caracas"),
}

# Past forms that Snowball leaves apart from their present ("took" vs "take").
_IRREGULAR = """
arose:arise arisen:arise awoke:awake bore:bear borne:bear beat:beat beaten:beat became:become
began:begin begun:begin bent:bend bet:bet bit:bite bitten:bite blew:blow blown:blow broke:break
broken:break bred:breed brought:bring built:build burnt:burn bought:buy caught:catch chose:choose
chosen:choose clung:cling came:come crept:creep dealt:deal dug:dig drew:draw drawn:draw
dreamt:dream drank:drink drunk:drink drove:drive driven:drive ate:eat eaten:eat fell:fall
fallen:fall fed:feed felt:feel fought:fight found:find fled:flee flew:fly flown:fly
forbade:forbid forbidden:forbid forgot:forget forgotten:forget forgave:forgive forgiven:forgive
froze:freeze frozen:freeze got:get gotten:get gave:give given:give went:go gone:go grew:grow
grown:grow hung:hang heard:hear hid:hide hidden:hide held:hold kept:keep knew:know known:know
laid:lay led:lead left:leave lent:lend lost:lose made:make meant:mean met:meet overtook:overtake
overtaken:overtake paid:pay rode:ride ridden:ride rang:ring rung:ring rose:rise risen:rise
ran:run said:say saw:see seen:see sought:seek sold:sell sent:send shook:shake shaken:shake
shone:shine shot:shoot shrank:shrink sang:sing sung:sing sank:sink sunk:sink slept:sleep
slid:slide spoke:speak spoken:speak spent:spend spun:spin sprang:spring sprung:spring stood:stand
stole:steal stolen:steal stuck:stick stung:sting struck:strike strove:strive swore:swear
sworn:swear swept:sweep swam:swim swum:swim swung:swing took:take taken:take taught:teach
tore:tear torn:tear told:tell thought:think threw:throw thrown:throw understood:understand
undertook:undertake undertaken:undertake woke:wake woken:wake wore:wear worn:wear wept:weep
won:win withdrew:withdraw withdrawn:withdraw wrote:write written:write
repaid:repay overpaid:overpay underpaid:underpay prepaid:prepay misled:mislead mistook:mistake
mistaken:mistake oversaw:oversee overseen:oversee overcame:overcome overthrew:overthrow
overthrown:overthrow foresaw:foresee foreseen:foresee rebuilt:rebuild retold:retell resold:resell
rewrote:rewrite rewritten:rewrite upheld:uphold withheld:withhold withstood:withstand undid:undo
undone:undo outgrew:outgrow outgrown:outgrow
"""
# A compass adjective names its direction: "Western countries" are "the west".
_DIRECTIONS = "western:west eastern:east northern:north southern:south"
# what chat calls family ("Conlon's dad", "new mums") and news writes out
_FAMILY = (
    "dad:father dads:fathers daddy:father mum:mother mums:mothers mom:mother moms:mothers "
    "mummy:mother grandad:grandfather granddad:grandfather grandpa:grandfather grandma:grandmother "
    "granny:grandmother"
)
# one act, two words: "How did Fox react?" is answered by "Mr Fox responded by accusing..."
_REPLY = (
    "react:respond reacts:respond reacted:respond reacting:respond reaction:respond reactions:respond "
    "response:respond responses:respond"
)
# chat's short forms of words news writes out ("how many ppl", "last yr", "the govt")
_CHAT = (
    "ppl:people yr:year yrs:years govt:government gov:government mins:minutes hrs:hours "
    "approx:approximately tho:though thru:through convo:conversation info:information "
    "conf:conference confs:conferences presser:conference pressers:conferences mtg:meeting "
    "mtgs:meetings dept:department intl:international natl:national pres:president"
)
# Words news and its readers use for one thing ("How is Kim's rapport with Trump?" for
# "personal ties"; "his New Year's speech" for "address"): each is read as the first word.
_SAME_THING = (
    "rapport:ties relationship:ties relationships:ties relations:ties "
    "deadline:timeline deadlines:timeline speech:address speeches:address "
    "threaten:warn threatens:warn threatened:warn threatening:warn "
    "halt:moratorium pause:moratorium suspension:moratorium "
    "patron:benefactor patrons:benefactor backer:benefactor backers:benefactor sponsor:benefactor "
    "goal:aim goals:aim objective:aim objectives:aim"
)
PLACE_KEYS = frozenset(_PLACES)

# past forms only: "how many died" counts by what happened (bot/answer.py)
PAST_FORMS: frozenset[str] = frozenset(pair.split(":")[0] for pair in _IRREGULAR.split())
IRREGULAR: dict[str, str] = dict(
    pair.split(":") for pair in f"{_IRREGULAR} {_DIRECTIONS} {_FAMILY} {_REPLY} {_CHAT} {_SAME_THING}".split()
)

# Initials news uses for titles and things it writes out in lower case ("the prime minister",
# "ballistic missile"), which no capitalized name in an article spells out: "What did Fox
# accuse the PM of?"
COMMON_INITIALS: dict[str, str] = {
    "pm": "prime minister", "dpm": "deputy prime minister", "ceo": "chief executive",
    "vp": "vice president", "fm": "foreign minister",
    # members of a parliament the article names: "MSPs" are the Scottish Parliament's
    "msp": "scottish parliament", "mep": "european parliament",
    "icbm": "intercontinental ballistic missile", "wmd": "weapons of mass destruction",
    "gdp": "gross domestic product",
}


# initials that are no English word, so chat may type them in lower case ("dprk", "nk")
_ANY_CASE = frozenset(["DPRK", "NK", "PRC", "ROK", "USSR", "NATO", "USA"])


RAW_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:['’][^\W_]+)*")


def _key(token: str) -> str:
    """A token as place tables compare it: possessive dropped ("China’s" is "China")."""
    token = token.replace("’", "'")
    return token[:-2] if token.endswith(("'s", "'S")) else token


@lru_cache(maxsize=1)
def _place_tables() -> tuple[dict[tuple[str, ...], str], dict[tuple[str, ...], str], int, frozenset[str]]:
    exact: dict[tuple[str, ...], str] = {}
    folded: dict[tuple[str, ...], str] = {}
    longest = 1
    for canonical, names in _PLACES.items():
        for name in names:
            tokens = tuple(_key(t) for t in RAW_TOKEN.findall(name))
            longest = max(longest, len(tokens))
            if name.replace(".", "").isupper() and name not in _ANY_CASE:
                exact[tokens] = canonical  # "US" must not match the pronoun "us"
            else:
                folded[tuple(t.casefold() for t in tokens)] = canonical
    starts = frozenset(k[0].casefold() for k in [*exact, *folded])
    return exact, folded, longest, starts


def tokens_with_places(text: str) -> list[str]:
    """Word tokens as written, with every way of naming a place made one canonical token
    ("Beijing’s" -> "china", "U.S." -> "usa"). A dictionary walk: fast on large corpora."""
    exact, folded, longest, starts = _place_tables()
    raw = RAW_TOKEN.findall(text)
    keys = [_key(t) for t in raw]
    out: list[str] = []
    i = 0
    while i < len(raw):
        if keys[i].casefold() not in starts:
            out.append(raw[i])
            i += 1
            continue
        length, found = _place_at(keys, i, exact, folded, longest)
        out.append(found or raw[i])
        i += length
    return out


def place_spans(text: str) -> list[tuple[int, int]]:
    """Where the text names a place: (start, end) character offsets."""
    return [(start, end) for token, start, end in _walk(text) if token in PLACE_KEYS]


def _walk(text: str) -> list[tuple[str, int, int]]:
    """(token, start, end) for each token, places made one canonical token (as above)."""
    exact, folded, longest, starts = _place_tables()
    found_tokens = list(RAW_TOKEN.finditer(text))
    keys = [_key(m.group(0)) for m in found_tokens]
    out: list[tuple[str, int, int]] = []
    i = 0
    while i < len(keys):
        if keys[i].casefold() not in starts:
            out.append((found_tokens[i].group(0), found_tokens[i].start(), found_tokens[i].end()))
            i += 1
            continue
        length, found = _place_at(keys, i, exact, folded, longest)
        token = found or found_tokens[i].group(0)
        out.append((token, found_tokens[i].start(), found_tokens[i + length - 1].end()))
        i += length
    return out


def _place_at(
    keys: list[str], i: int, exact: dict[tuple[str, ...], str],
    folded: dict[tuple[str, ...], str], longest: int,
) -> tuple[int, str | None]:
    """The longest place name starting at token i: (tokens it spans, canonical), or (1, None)."""
    for length in range(min(longest, len(keys) - i), 0, -1):
        window = tuple(keys[i : i + length])
        found = exact.get(window) or folded.get(tuple(t.casefold() for t in window))
        if found:
            return length, found
    return 1, None
