"""One spelling for words British and American English write differently, so that a question
typed in one matches an article written in the other: "neighbour" is "neighbor", "sceptical"
is "skeptical", "organise" is "organize", "centre" is "center", "defence" is "defense".

Applied to lower-case words before stemming, on both sides (articles and questions), so the
form chosen only has to be the same for both; it is never shown to anyone."""

from __future__ import annotations

import re

# "-our" (neighbour, favourite, labourers) but not where "our" is the word's own (hour, four,
# pour, detour, devour, flour, scour)
_OUR = re.compile(r"^([a-z]{2,})our(s|ed|ing|ite|ites|itism|able|ably|ful|less|er|ers|hood|ism)?$")
_OWN_OUR = ("pour", "tour", "hour", "four", "your", "sour", "dour", "flour", "scour", "devour", "velour", "amour")
# "-ise" (organise, criticised, privatisation) and "-yse" (analyse): written with "s"
_IZE = re.compile(r"^([a-z]{3,})([iy])z(e|es|ed|ing|ation|ations|er|ers)$")
# "-tre", "-bre" (centre, theatres, fibre): written "-ter", "-ber"
_TRE = re.compile(r"^([a-z]{3,}[tb])r(e|es|ed|ing)$")
_TRE_ENDINGS = {"e": "er", "es": "ers", "ed": "ered", "ing": "ering"}
# "-ogue" (catalogue, dialogues)
_OGUE = re.compile(r"^([a-z]{3,})ogue(s|d)?$")
_SCEPTIC = re.compile(r"^scep(tic\w*)$")
_WHOLE = {
    "defence": "defense", "defences": "defenses", "offence": "offense", "offences": "offenses",
    "licence": "license", "licences": "licenses", "pretence": "pretense",
    "programme": "program", "programmes": "programs", "grey": "gray", "jewellery": "jewelry",
    "aeroplane": "airplane", "aeroplanes": "airplanes", "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers", "storey": "story", "storeys": "stories",
}


def one_spelling(word: str) -> str:
    """The word as both spellings of it are indexed (lower case in, lower case out)."""
    if word in _WHOLE:
        return _WHOLE[word]
    m = _OUR.match(word)
    if m and not (m.group(1) + "our").endswith(_OWN_OUR):
        return f"{m.group(1)}or{m.group(2) or ''}"
    m = _IZE.match(word)
    if m:
        return f"{m.group(1)}{m.group(2)}s{m.group(3)}"
    m = _TRE.match(word)
    if m:
        return m.group(1) + _TRE_ENDINGS[m.group(2)]
    m = _OGUE.match(word)
    if m:
        return f"{m.group(1)}og{m.group(2) or ''}"
    m = _SCEPTIC.match(word)
    if m:
        return "skep" + m.group(1)
    return word
