"""Danish word knowledge the competence reader needs beyond the taxonomy: verb forms, which words are real
Danish words, the small words that decide what a phrase is about, abbreviations and licence categories.

Everything here works on normalised text (`matcher.text.normalise`) except `expand_abbreviations`, which
reads the raw text because the full stop is what marks an abbreviation ("pæd. medhj.").
"""

from __future__ import annotations

import re
from functools import lru_cache

from wordfreq import get_frequency_dict

# ---- letters -----------------------------------------------------------------------------------------

_ASCII_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "é": "e", "è": "e",
                             "ü": "u"})


def ascii_fold(word: str) -> str:
    """The word as typed on a keyboard without æ/ø/å ("køkkenhjælper" → "koekkenhjaelper"): a lookup key,
    so "aeldrepleje", "ældrepleje" and "ældrepleje" written with a Swedish ö all meet."""
    return word.translate(_ASCII_FOLD)


# ---- verb forms --------------------------------------------------------------------------------------

# Strong and irregular verbs whose past forms no suffix rule finds: every form → the present stem.
_IRREGULAR: dict[str, str] = {}
for _stem, _forms in {
    "gør": "gøre gør gjorde gjort", "sæt": "sætte sætter satte sat", "tag": "tage tager tog taget",
    "læg": "lægge lægger lagde lagt", "gå": "gå går gik gået", "skær": "skære skærer skar skåret",
    "slå": "slå slår slog slået", "stå": "stå står stod stået", "hjælp": "hjælpe hjælper hjalp hjulpet",
    "bær": "bære bærer bar båret", "få": "få får fik fået", "giv": "give giver gav givet",
    "skriv": "skrive skriver skrev skrevet", "bring": "bringe bringer bragte bragt",
    "træk": "trække trækker trak trukket", "sid": "sidde sidder sad siddet", "driv": "drive driver drev drevet",
    "riv": "rive river rev revet", "smør": "smøre smører smurte smurt", "sælg": "sælge sælger solgte solgt",
    "tæl": "tælle tæller talte talt", "følg": "følge følger fulgte fulgt", "vælg": "vælge vælger valgte valgt",
    "stryg": "stryge stryger strøg strøget", "sig": "sige siger sagde sagt", "spørg": "spørge spørger spurgte spurgt",
    "ligg": "ligge ligger lå ligget", "hæng": "hænge hænger hængte hang hængt", "bind": "binde binder bandt bundet",
    "find": "finde finder fandt fundet", "sku": "skyde skyder skød skudt", "flyv": "flyve flyver fløj fløjet",
    "gnid": "gnide gnider gned gnedet", "nyd": "nyde nyder nød nydt", "kom": "komme kommer kom kommet",
    "se": "se ser set", "vær": "være er var været", "hav": "have har havde haft",
    "red": "rede reder redte redt", "kør": "køre kører kørte kørt", "tør": "tørre tørrer tørrede tørret",
    "vid": "vide ved vidste vidst", "bed": "bede beder bad bedt", "lad": "lade lader lod ladet",
    "strik": "strikke strikker strikkede strikket", "sy": "sy syr syede syet", "bag": "bage bager bagte bagt",
}.items():
    for _form in _forms.split():
        _IRREGULAR.setdefault(_form, _stem)

# Endings of Danish verbs and nouns, longest first: past tense, participle, present, infinitive, plural and
# definite forms all reduce to one key ("vaskede", "vasket", "vasker", "vaske" → "vask").
_ENDINGS = ("erne", "ende", "ede", "ene", "ets", "en", "et", "er", "te", "e", "t")
_MIN_LEMMA = 3


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """A matching key for the word's inflected forms: irregular verbs by table, the rest by stripping one
    ending and a doubled final consonant ("plukkede" → "pluk", "tømte" → "tøm", "kørt" → "kør"). A key,
    not a dictionary form: only ever compared with other keys."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _MIN_LEMMA:
            word = word[: -len(ending)]
            break
    if len(word) > _MIN_LEMMA and word[-1] == word[-2] and word[-1] not in "aeiouyæøå":
        word = word[:-1]
    return word


_PAST_ENDINGS = ("ede", "te", "et")


def is_verb_form(word: str) -> bool:
    """The word looks like a finite or past verb form ("vaskede", "kørte", "satte", "gjorde"): what starts a
    new clause after "og". Neuter definite nouns ("kontoret") look alike and are taken as verbs."""
    if word in _IRREGULAR and word not in ("har", "er", "se") and not word.endswith("e"):
        return True
    return word.endswith(_PAST_ENDINGS) and lemma(word) != word


def is_participle(word: str) -> bool:
    """A past participle ("vasket", "gjort", "kørt", "smurt"): "har" + the phrase reads as Danish."""
    if word in _IRREGULAR:
        return word.endswith("t")
    return word.endswith("et") and lemma(word) != word


# ---- the small words that decide what a phrase is about ----------------------------------------------

PREPOSITIONS: frozenset[str] = frozenset(
    "på i hos ved for til fra med af om under efter omkring blandt inden udenfor indenfor bag foran mellem".split())
"""A noun after one of these is where, for whom or with what the work was done, not the work itself."""

GOVERNING: frozenset[str] = frozenset(lemma(w) for w in """
    arbejde arbejder arbejdet arbejdede job jobbet ansat ansættelse beskæftiget beskæftigelse erfaring erfaringer
    stod står stå ansvar ansvarlig ansvarlige hjalp hjælpe hjælper hjulpet medhjælper været var vikar vikarieret
    praktik praktikant frivillig deltog
    """.split())
"""Words after which a preposition's noun *is* the work: "arbejdet i kantinen", "stod for opvasken"."""

GOVERNING_HEADS: tuple[str, ...] = ("kursus", "kurset", "uddannelse", "uddannet", "certifikat", "bevis",
                                    "erfaring", "praktik", "job", "stilling", "ansættelse", "fleksjob")
"""Compound heads that govern the same way: "AMU-kursus i erhvervsrengøring" is training in the work (a
course *in* something; a course's own name, "malerkursus", stays a course)."""

ASSOCIATION_HEADS: tuple[str, ...] = ("forening", "foreningen", "bestyrelse", "bestyrelsen", "udvalg", "udvalget",
                                      "råd", "rådet", "klubben", "lauget")
BOARD_ROLES: frozenset[str] = frozenset(
    "kasserer kassereren formand formanden næstformand sekretær sekretæren bestyrelsesmedlem medlem revisor".split())
"""Titles that in an association (a word ending in one of ASSOCIATION_HEADS) are board roles, not trades."""

CARED_FOR: frozenset[str] = frozenset(
    "patient patienter borger borgere syge ældre beboer beboere døgn nat natte dag aflastning handicap demens "
    "alders sygdoms børne barsels".split())
"""First parts of a polysemous compound that name the people cared for: "patientpleje" is care work."""

GENITIVE_ENDINGS: tuple[str, ...] = ("ens", "ets", "ernes", "enes")
"""Definite genitives: "vaskeriets", "kommunens", "borgernes"."""

CRAFT_HEADS: frozenset[str] = frozenset({"mester", "mestre"})
CRAFT_FAMILIES: frozenset[str] = frozenset({"haandvaerk", "produktion", "koekken_kantine", "have_udearealer"})
"""A "-mester" of a craft practises it (tømrermester, bagermester); of anything else it manages."""

REFINING_RELATION = 0.3
"""An object from a family related at least this much to the verb's refines the activity (kørt gaffeltruck)."""

AUXILIARIES: frozenset[str] = frozenset(
    "har havde haft have er var været være blev blive bliver bleven kan kunne skal skulle vil ville må måtte".split())
"""Auxiliary verbs: never an activity ("har haft høns" has nothing to do with a garden, "have")."""

DOMAIN_VERBS: frozenset[str] = frozenset(lemma(w) for w in """
    designede designet designe byggede bygget bygge underviste undervist undervise planlagde planlagt planlægge
    tegnede tegnet tegne producerede produceret producere udviklede udviklet udvikle leverede leveret levere
    konstruerede konstrueret udlejede udlejet udleje forhandlede forhandlet annoncerede inspicerede
    """.split())
"""Verbs that make their object someone else's work: designing kitchens is not kitchen work."""

POLYSEMOUS_ACTIVITIES: frozenset[str] = frozenset(lemma(w) for w in
                                                  "pleje vask klipning pasning service rensning".split())
"""Activities whose object decides the trade: "pleje af heste", "klipning af hunde". Not rengøring: what
comes before or after it is the place cleaned ("kantinerengøring", "rengøring af kontorer")."""

NON_WORK_VERBS: frozenset[str] = frozenset("boede bor boet bo".split())
"""Verbs of private life: "boede i pedelboligen" says where someone lived, not what they did."""

CLAUSE_BREAKS: frozenset[str] = frozenset("og samt men hvor hvis eller hvorefter mens da".split())
"""Words that start a new clause: an activity in one clause says nothing about a place in another."""

PRIVATE_MARKERS: frozenset[str] = frozenset(
    """min mit mine vores familien familie hjemme derhjemme privat privatliv selv egne egen svoger svigerfar
    svigermor barnebarn børnebørn nabo naboen naboens naboer datter datteren døtre søn sønnen sønner
    my own family neighbour neighbours neighbor neighbors friends""".split())
"""A clause with one of these tells of private life or another person's job (rule 4 of the evaluation set):
"min mand var pedel", "vasker tøj for hele familien"."""

ENGLISH_GENERIC_HEADS: frozenset[str] = frozenset(
    "worker workers assistant assistants helper helpers staff employee employees attendant hand associate "
    "operative crew member clerk clerks operator operators person personnel".split())
"""English title words that say "a person who works" ("warehouse worker" → warehouse)."""

ENGLISH_NON_TASK_HEADS: frozenset[str] = frozenset("""
    designer designers design sales seller sellers salesman room rooms class classes course courses fitter fitters
    manager managers management products product repair repairs engineer engineers consultant consultants planner
    planning software supplier suppliers furniture equipment teacher instructor inspector owner director
    supervisor supervisors leader coordinator chief lead
    """.split())
"""Heads of English phrases that make them about something else than the work their first words name."""

GENERIC_VERBS: frozenset[str] = frozenset(lemma(w) for w in
                                          "har havde haft været var er arbejdet arbejdede arbejde år".split())

TRAINING_HEADS: tuple[str, ...] = ("uddannelse", "uddannet", "certifikat", "bevis", "eksamen", "svendebrev")
"""Compound heads saying the first part was learnt for work ("rengøringsassistentuddannelse"): read like a
generic job-title head. A "kursus" may be a hobby (malerkursus) and stays a head of its own."""

AGENT_SUFFIXES: tuple[str, ...] = ("ist", "ister")
"""Suffixes that make a person of what comes before ("lagerist"): read like a generic job-title head, and
never taken for a short word of their own."""

NON_TASK_HEADS: frozenset[str] = frozenset("""
    reparatør reparatører montør montører tekniker teknikere sælger designer design konsulent konsulenter udvalg
    udvalget bestyrelse bestyrelsen fabrik fabrikken producent producenter forhandler forhandlere firma firmaet
    bureau bureauet planlægning planlægger planlægningen leder ledere chef chefen direktør ejer controller
    detektiv indretter indretning inventar byggeri bygning bygningen bolig boligen plade reol reoler vogn
    kursus kurset lærer underviser redaktør ingeniør arkitekt inspektør revisor mægler agent middel midler
    artikler artikel udstyr maskine maskiner automat anlæg hal hallen kontor salg handel udlejning
    administration økonomi regnskab indkøb
    """.split())
"""Heads the word list may lack that make a compound something other than a task of its first part: the
person who repairs, sells, designs or plans the thing, or the thing itself (opvaskemaskinereparatør,
pakkeridesigner, kantineudvalg, lagerbygning). Heads that are taxonomy terms (sælger → salg, kontor →
kontorarbejde) resolve to their own task first; this list only says they are real heads."""


@lru_cache(maxsize=1)
def _danish_words() -> frozenset[str]:
    """wordfreq's Danish word list (about 30,000 words seen in running text), ascii-folded."""
    return frozenset(ascii_fold(w) for w in get_frequency_dict("da") if w.isalpha() and len(w) >= 3)


def is_danish_word(word: str) -> bool:
    """The (normalised) word is a real Danish word of the word list: not a misspelling."""
    return ascii_fold(word) in _danish_words()


def generic_heads_of(word: str, heads: frozenset[str]) -> list[str]:
    """The generic heads (ascii-folded set) the word ends with, longest first, in the word's own letters."""
    folded = ascii_fold(word)
    found = []
    for size in range(len(word) - 1, 2, -1):
        tail = word[-size:]
        if ascii_fold(tail) in heads and folded.endswith(ascii_fold(tail)):
            found.append(tail)
    return found


# ---- abbreviations and licence categories ------------------------------------------------------------

ABBREVIATIONS: dict[str, str] = {
    "pæd": "pædagog", "paed": "pædagog", "medhj": "medhjælper", "mdhj": "medhjælper", "hj": "hjælper",
    "ass": "assistent", "assist": "assistent", "medarb": "medarbejder", "reng": "rengøring",
    "kont": "kontor", "adm": "administrativ", "alm": "almindelig", "prod": "produktion", "bogh": "bogholderi",
    "dagpl": "dagplejer", "ejd": "ejendoms", "funkt": "funktionær", "vedl": "vedligeholdelse",
    "serv": "service", "supp": "support", "sup": "support", "cert": "certifikat", "udd": "uddannet",
    "erf": "erfaring", "lærl": "lærling", "hjemmehj": "hjemmehjælper", "sosu": "sosu", "lagermedarb": "lagermedarbejder",
    "ekspd": "ekspedient", "eksp": "ekspedient", "chauf": "chauffør", "købm": "købmand", "pers": "personlig",
}
"""Short forms consultants and citizens type, as prefixes ("servicemedarb." ends in "medarb."): a word
ending in a key and a full stop gets the long form."""

_ABBREVIATED = re.compile(r"(?<![\w])([^\W\d_]+)\.")
_LICENCE = re.compile(r"\b(?:kørekort|kørekortet|kort)?\s*(?:kat(?:egori)?\.?\s*|kategori\s+)([a-e]{1,2})(?:\s*[/+]\s*([e]))?\b"
                      r"|\bkørekort\s+([a-e])(?:\s*[/+]\s*(e))?\b", re.IGNORECASE)
_IT_SUPPORT = re.compile(r"\bit[\s-]+supp?\b\.?", re.IGNORECASE)


_MORE_CATEGORIES = re.compile(r"\s*(?:,|og|samt)\s*([a-e]{1,2})\b(?:\s*[/+]\s*(e))?", re.IGNORECASE)


def _expand_licence(match: re.Match) -> str:
    category = (match.group(1) or match.group(3) or "").lower()
    trailer = (match.group(2) or match.group(4) or "").lower()
    return f" {category}{trailer}-kørekort "


def _expand_licences(text: str) -> str:
    """Each licence category its own "x-kørekort", lists too ("kørekort kat. B og C", "kat. B, C og CE")."""
    out, at = [], 0
    for match in _LICENCE.finditer(text):
        out.append(text[at:match.start()])
        out.append(_expand_licence(match))
        at = match.end()
        more = _MORE_CATEGORIES.match(text, at)
        while more:
            out.append(f" og {more.group(1).lower()}{(more.group(2) or '').lower()}-kørekort ")
            at = more.end()
            more = _MORE_CATEGORIES.match(text, at)
    out.append(text[at:])
    return "".join(out)


def _expand_word(match: re.Match) -> str:
    word = match.group(1)
    lowered = word.lower()
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        if lowered.endswith(short) and (len(lowered) == len(short) or len(short) >= 3):
            return lowered[: len(lowered) - len(short)] + ABBREVIATIONS[short] + " "
    return word + " "


def expand_abbreviations(text: str) -> str:
    """Licence categories as the taxonomy writes them ("kørekort kat. C", "kat.B", "kørekort C/E" →
    "c-kørekort", "b-kørekort", "ce-kørekort") and abbreviated words written out ("pæd. medhj." →
    "pædagog medhjælper", "reng.ass." → "rengøring assistent"). Text without either comes back unchanged."""
    if "." not in text and not any(k in text.lower() for k in ("kat", "kørekort", "it")):
        return text
    text = _expand_licences(text)
    text = _IT_SUPPORT.sub(" it-support ", text)
    return _ABBREVIATED.sub(_expand_word, text)


__all__ = [
    "ABBREVIATIONS", "AGENT_SUFFIXES", "ASSOCIATION_HEADS", "AUXILIARIES", "CARED_FOR", "BOARD_ROLES", "CLAUSE_BREAKS", "CRAFT_FAMILIES", "CRAFT_HEADS",
    "REFINING_RELATION", "DOMAIN_VERBS", "GENITIVE_ENDINGS", "POLYSEMOUS_ACTIVITIES", "ENGLISH_GENERIC_HEADS", "ENGLISH_NON_TASK_HEADS", "GENERIC_VERBS",
    "GOVERNING", "GOVERNING_HEADS", "NON_TASK_HEADS", "NON_WORK_VERBS", "TRAINING_HEADS",
    "PREPOSITIONS", "PRIVATE_MARKERS", "ascii_fold", "expand_abbreviations", "generic_heads_of", "is_danish_word", "is_participle",
    "is_verb_form",
    "lemma",
]
