"""The coach's word lists, one set per language.

English, Dutch and German. Another language adds a `Words(...)` to `WORDS` under its
code; the rules read every word from here and nothing else, and a language without a
list falls back to English (`words_for`). Dutch and German often put the verb last
("De nieuwe onboarding lanceren"); the lists catch the imperative and infinitive that
open a key result ("Lanceer…", "Lanceren van…", "Einführen…").
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

DUTCH = Words(
    activity_verbs=_words(
        """lanceer lanceren bouw bouwen implementeer implementeren lever leveren
        ontwikkel ontwikkelen maak maken introduceer introduceren organiseer organiseren
        schrijf schrijven rol uitrollen voltooi voltooien ontwerp ontwerpen publiceer
        publiceren houd houden huur aannemen installeer installeren configureer
        configureren herschrijf herschrijven bereid voorbereiden start starten begin
        beginnen voer uitvoeren update updaten integreer integreren automatiseer
        automatiseren stel opstellen definieer definiëren coördineer coördineren stuur
        sturen versturen bezoek bezoeken interview interviewen onderzoek onderzoeken
        verken verkennen migreer migreren analyseer analyseren help helpen
        faciliteer faciliteren regel regelen richt inrichten"""
    ),
    measure_nouns=_words(
        """percentage aandeel ratio score scores tijd tijden frequentie snelheid kwaliteit
        volume aantal kosten duur doorlooptijd tevredenheid conversie dekking fouten"""
    ),
    keep_verbs=_words(
        """behoud behouden handhaaf handhaven houd houden vasthouden blijf blijven
        continueer continueren bestendig bestendigen"""
    ),
    lead_ins=_words(
        """we wij ik ze zij het team gaan zullen moeten succesvol volledig eindelijk eerst
        ook dan laten"""
    ),
    stop_words=_words(
        """een de het van voor in op aan bij met uit naar per en of onze ons hun zijn is
        zijn wordt worden deze die dat dit alle elke elk nieuw nieuwe verhogen verhoogd
        verlagen verlaagd verminderen minder meer groei groeien verbeteren verbeterd
        halen bereiken hoger lager dan boven onder minstens hoogstens blijven tot binnen
        dagelijks wekelijks maandelijks per dag dagen week weken maand maanden kwartaal
        jaar"""
    ),
    plural_endings=("en", "s"),
    abbreviations=_words("bijv. d.w.z. enz. o.a. nr. dhr. mevr. dr. ca. t.o.v. m.b.t. vs."),
)

GERMAN = Words(
    activity_verbs=_words(
        """starte starten baue bauen implementiere implementieren liefere liefern
        entwickle entwickeln erstelle erstellen führe einführen organisiere organisieren
        schreibe schreiben rolle ausrollen schließe abschließen gestalte gestalten
        veröffentliche veröffentlichen halte halten stelle einstellen installiere
        installieren konfiguriere konfigurieren überarbeite überarbeiten bereite
        vorbereiten beginne beginnen durchführen aktualisiere aktualisieren integriere
        integrieren automatisiere automatisieren definiere definieren koordiniere
        koordinieren sende senden versende versenden besuche besuchen interviewe
        interviewen untersuche untersuchen erkunde erkunden migriere migrieren
        analysiere analysieren hilf helfen launche launchen"""
    ),
    measure_nouns=_words(
        """quote rate anteil verhältnis score zeit zeiten häufigkeit geschwindigkeit
        qualität volumen anzahl kosten dauer durchlaufzeit zufriedenheit konversion
        abdeckung fehler"""
    ),
    keep_verbs=_words(
        """halte halten behalte behalten bewahre bewahren erhalte erhalten sichere sichern
        bleibe bleiben"""
    ),
    lead_ins=_words(
        """wir ich sie das team werden wollen sollen müssen erfolgreich vollständig endlich
        zuerst auch dann lass lasst"""
    ),
    stop_words=_words(
        """ein eine einer eines der die das des dem den von für in im auf an am bei mit
        aus nach pro und oder unser unsere ihr ihre sein seine ist sind wird werden
        diese dieser dieses alle jede jeder neu neue neuer erhöhen erhöht senken gesenkt
        reduzieren weniger mehr wachsen steigern verbessern verbessert erreichen höher
        niedriger als über unter mindestens höchstens bleiben bis innerhalb täglich
        wöchentlich monatlich tag tage woche wochen monat monate quartal jahr"""
    ),
    plural_endings=("en", "n", "e", "s"),
    abbreviations=_words("z.b. d.h. usw. bzw. ca. nr. dr. hr. fr. inkl. ggf. evtl. u.a. vs."),
)

WORDS: dict[str, Words] = {"en": ENGLISH, "nl": DUTCH, "de": GERMAN}
DEFAULT_LANGUAGE = "en"


def words_for(language: str | None) -> Words:
    """The word lists of a language ("nl", "de-DE"), English when it has none yet."""
    code = (language or DEFAULT_LANGUAGE).lower()
    return WORDS.get(code) or WORDS.get(code.split("-")[0]) or WORDS[DEFAULT_LANGUAGE]
