"""The coach's word lists, one set per language.

Only English exists today. A second language adds a `Words(...)` to `WORDS` under its
code (`"nl"`, `"de"`); the rules read every word from here and nothing else, and a
language without a list falls back to English (`words_for`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Words:
    # A key result that opens with one of these describes work to do, not an outcome.
    activity_verbs: frozenset[str]
    # ... unless the next word makes it a noun: "Launch rate", "Release frequency".
    measure_nouns: frozenset[str]
    # An objective that opens with one of these is about keeping things as they are.
    keep_verbs: frozenset[str]
    # Words that may come before the verb: "We will launch", "Successfully ship".
    lead_ins: frozenset[str]
    # Ignored when two titles are compared for saying the same thing.
    stop_words: frozenset[str]
    # Endings dropped when two titles are compared ("customers" is "customer").
    plural_endings: tuple[str, ...]
    # Abbreviations whose full stop ends no sentence.
    abbreviations: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ENGLISH = Words(
    activity_verbs=_words(
        """launch build implement ship release create hold run migrate consult help
        analyse analyze participate deliver develop introduce organise organize write
        roll set complete finish conduct design deploy publish attend host hire
        install configure rebuild redesign refactor rewrite prepare start begin do
        execute perform review update upgrade integrate automate establish define
        draft produce coordinate facilitate arrange send visit interview research
        investigate explore map"""
    ),
    measure_nouns=_words(
        """rate rates time times frequency cadence success failure failures cost costs
        duration speed velocity quality volume count size lead cycle desk centre center
        readiness ratio share percentage score scores satisfaction adoption coverage
        throughput latency errors error backlog queue volume yield"""
    ),
    keep_verbs=_words(
        """keep keeps keeping maintain maintains maintaining continue continues
        continuing sustain sustains sustaining preserve preserving retain retaining"""
    ),
    lead_ins=_words(
        """we i they team will shall should must to successfully fully finally first
        also then please let's lets us"""
    ),
    stop_words=_words(
        """a an the of to for in on at by with from into per and or our their its
        is are be been being we our us this that these those all every each new
        increase increases increased decrease decreases decreased reduce reduced
        raise raised grow grown improve improved lower lowered cut boost get reach
        more less fewer higher lower than than over under above below least most
        stay stays remain remains keep keeps at until till within daily weekly
        monthly quarterly yearly day days week weeks month months quarter year"""
    ),
    plural_endings=("s",),
    abbreviations=_words("e.g. i.e. etc. vs. approx. incl. no. nr. mr. mrs. ms. dr. st."),
)

WORDS: dict[str, Words] = {"en": ENGLISH}
DEFAULT_LANGUAGE = "en"


def words_for(language: str | None) -> Words:
    """The word lists of a language ("nl", "de-DE"), English when it has none yet."""
    code = (language or DEFAULT_LANGUAGE).lower()
    return WORDS.get(code) or WORDS.get(code.split("-")[0]) or WORDS[DEFAULT_LANGUAGE]
