"""Names people and topics are known by: which characters they may hold, and when two names are one too many.

The rules follow Unicode's security mechanisms (UTS #39). Two names collide
when their skeletons are equal: the skeleton maps every character to the
prototype of its look-alikes in Unicode's confusables.txt (shipped in
forum/unicode/, with its version in the file's header). Which characters are
invisible (Default_Ignorable_Code_Point) and which script a character belongs
to (Script_Extensions) come from the `regex` module's Unicode tables.
"""

from __future__ import annotations

import functools
import unicodedata
from enum import Enum
from importlib.resources import files

import regex

from forum import text

CONFUSABLES = files("forum") / "unicode" / "confusables.txt"

# UTS #31 table 5, the scripts "in modern customary use": a name's letters must
# belong to one of them (Common and Inherited characters, such as ASCII digits
# and combining accents, go with any script).
RECOMMENDED_SCRIPTS = (
    "Arab", "Armn", "Beng", "Bopo", "Cyrl", "Deva", "Ethi", "Geor", "Grek", "Gujr", "Guru", "Hang", "Hani", "Hebr",
    "Hira", "Kana", "Khmr", "Knda", "Laoo", "Latn", "Mlym", "Mymr", "Orya", "Sinh", "Taml", "Telu", "Thaa", "Thai",
    "Tibt",
)  # fmt: skip
# UTS #39 section 5.1: a Han character is also Japanese, Korean and Han-with-Bopomofo
# writing, and so on, so that a Japanese name mixing kanji and kana is one script.
_AUGMENTED = {
    "Hani": {"Hanb", "Jpan", "Kore"},
    "Hira": {"Jpan"},
    "Kana": {"Jpan"},
    "Hang": {"Kore"},
    "Bopo": {"Hanb"},
}
# UTS #39 section 5.2, "highly restrictive": besides a single script, only Latin
# beside one of the writing systems of East Asia that use Latin letters too.
_WITH_LATIN = ({"Latn", "Jpan"}, {"Latn", "Hanb"}, {"Latn", "Kore"})
_SCRIPT_PATTERNS = {code: regex.compile(rf"\p{{scx={code}}}") for code in RECOMMENDED_SCRIPTS}
_ANY_SCRIPT = regex.compile(r"[\p{scx=Zyyy}\p{scx=Zinh}]")

# UTS #31 A1: a zero-width non-joiner is meant where it stops two letters from
# joining (Persian writes می‌خواهم with one); anywhere else it is only invisible.
_JOINING_ZWNJ = regex.compile(
    r"(?<=[\p{Joining_Type=Dual_Joining}\p{Joining_Type=Left_Joining}]\p{Joining_Type=Transparent}*)"
    r"\u200c"
    r"(?=\p{Joining_Type=Transparent}*[\p{Joining_Type=Right_Joining}\p{Joining_Type=Dual_Joining}])"
)
# A variation selector after an emoji picks its colour form (❤️); a title may hold one.
_EMOJI_PRESENTATION = regex.compile(r"(?<=\p{Extended_Pictographic})\ufe0f")
_DEFAULT_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")

# Harakat, hamza above and below and madda (left apart by NFD from أ إ آ ؤ ئ ۀ),
# and the superscript alef: readers skim past them.
_ARABIC_MARKS = regex.compile(r"[\u064b-\u065f\u0670]")
# The forum's own rule: a name with a separator more or less is the same name.
_SEPARATORS = str.maketrans(dict.fromkeys("_-."))
# Names are compared without case, and confusables.txt takes capital I for small l:
# so small i must go with l as well, or "ADMIN" and "ADMlN" would part.
_CASE_FOLDS = str.maketrans({"i": "l"})
# A prototype can decompose, case-fold or lose an Arabic mark into something that
# maps again: rounds go on until nothing changes, which takes at most three for any
# character (tests/test_identity.py checks that the skeleton is stable).
_ROUNDS = 3


def _load_confusables() -> dict[str, str]:
    """{source character: prototype} from confusables.txt (lines "0430 ;\t0061 ;\tMA\t# …")."""
    prototypes: dict[str, str] = {}
    for line in CONFUSABLES.read_text(encoding="utf-8-sig").splitlines():
        data = line.split("#", 1)[0].strip()
        if data:
            source, target, _ = (field.strip() for field in data.split(";"))
            prototypes[chr(int(source, 16))] = "".join(chr(int(code, 16)) for code in target.split())
    return prototypes


PROTOTYPES = _load_confusables()
_PROTOTYPE_TABLE = str.maketrans(PROTOTYPES)
# Arabic and Persian spellings a reader takes for one name, which confusables.txt
# leaves apart (it already joins ي ی ى, ك ک and the forms of heh): teh marbuta
# and heh, alef wasla and alef, and the Arabic-Indic and Persian digits with the
# digits they stand for, where the data gives them no look-alike of their own
# (٠ ١ ٥ ٧ ٨ pass for . l o V Λ). Tatweel only stretches a word.
_ARABIC_FOLDS = str.maketrans(
    {"ة": "ه", "ٱ": "ا", "ـ": None}
    | {chr(zero + d): str(d) for zero in (0x0660, 0x06F0) for d in range(10) if chr(0x0660 + d) not in PROTOTYPES}
)


def _nfd(value: str) -> str:
    return unicodedata.normalize("NFD", value)


def _nfkd(value: str) -> str:
    # The full-width, bold or circled forms of a letter are the letter.
    return unicodedata.normalize("NFKD", value)


def _round(value: str) -> str:
    value = _nfd(_DEFAULT_IGNORABLE.sub("", value).translate(_ARABIC_FOLDS))
    value = _ARABIC_MARKS.sub("", value)
    # Mapped in canonical form, as UTS #39 has it; compatibility forms are folded after.
    return _nfkd(_nfkd(value.translate(_PROTOTYPE_TABLE)).casefold())


def skeleton(name: str) -> str:
    """A form equal for two names a reader could take for each other: the UTS #39 skeleton
    (decomposed, without default-ignorables, each character mapped to its prototype, decomposed
    again), computed without regard to case, compatibility forms, Arabic spelling variants or separators."""
    folded = _round(name)
    for _ in range(_ROUNDS):
        again = _round(folded)
        if again == folded:
            break
        folded = again
    return folded.translate(_CASE_FOLDS).translate(_SEPARATORS)


def hidden_characters(value: str) -> bool:
    """True when value holds characters that show nothing or turn the text around: default-ignorables
    (zero-width and direction marks, variation selectors, tags, fillers), format and control characters.
    A zero-width non-joiner between two letters it keeps apart, and an emoji's colour selector, are fine."""
    visible = _EMOJI_PRESENTATION.sub("", _JOINING_ZWNJ.sub("", value))
    return text.has_format_controls(visible)


class ScriptProblem(Enum):
    """Why the letters of a name do not belong together (UTS #39, "highly restrictive")."""

    UNCOMMON_SCRIPT = "uncommon-script"
    MIXED_SCRIPTS = "mixed-scripts"
    MIXED_DIGITS = "mixed-digits"


@functools.cache
def _scripts(ch: str) -> frozenset[str] | None:
    """The recommended scripts ch is written in (augmented), or None when it goes with any script."""
    if _ANY_SCRIPT.match(ch):
        return None
    scripts = {code for code, pattern in _SCRIPT_PATTERNS.items() if pattern.match(ch)}
    return frozenset(scripts.union(*(_AUGMENTED.get(code, set()) for code in scripts)))


def script_problem(name: str) -> ScriptProblem | None:
    """Whether the name's letters mix scripts (or digit systems) beyond what one writing system does."""
    letters = [scripts for ch in name if (scripts := _scripts(ch)) is not None]
    if any(not scripts for scripts in letters):
        return ScriptProblem.UNCOMMON_SCRIPT
    single = frozenset.intersection(*letters) if letters else frozenset({"Zyyy"})
    if not single and not any(all(scripts & allowed for scripts in letters) for allowed in _WITH_LATIN):
        return ScriptProblem.MIXED_SCRIPTS
    # UTS #39 section 5.3: 1 and ۱, or ۴ and ٤, in one name.
    zeros = {ord(ch) - unicodedata.decimal(ch) for ch in name if unicodedata.category(ch) == "Nd"}
    if len(zeros) > 1:
        return ScriptProblem.MIXED_DIGITS
    return None
