"""Danish text normalisation and stemming: the one place that decides when two spellings are "the same".

Every comparison of competence terms, wishes and CV text goes through `normalise` first, so the taxonomy
and the citizens' free text meet on equal terms: lower case, Unicode NFC (so a decomposed "å" equals "å"),
æ/ø/å kept as letters, hyphens inside a compound joined ("rengørings-assistent" → "rengøringsassistent"),
every other punctuation mark a word break.
"""

from __future__ import annotations

import re
from functools import lru_cache

from models.danish import danish_stemmer, fold

# A hyphen (or dash) between two letters glues a compound; elsewhere it separates ("aften- og natarbejde").
_COMPOUND_HYPHEN = re.compile(r"(?<=[^\W\d_])[-‐‑–](?=[^\W\d_])")
_NON_WORD = re.compile(r"[^\w]+")
_UNDERSCORE = re.compile(r"_+")

# Words that carry no competence on their own; dropped when CV text is cut into phrases.
STOPWORDS: frozenset[str] = frozenset(
    """
    og i jeg det at en den til er som på de med han af for ikke der var mig sig men et har om vi min havde
    ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal selv her alle vil blev kunne ind
    når være dog noget ville jo deres efter ned skulle denne end dette mit også under have dig anden hende
    mine alt meget sit sine vor mod disse hvis din nogle hos blive mange ad bliver hendes været thi jer sådan
    år års gerne godt lidt flere mere meget samt både bl andet andre kan kun ved sammen cirka ca fx mv osv
    """.split()
)


def normalise(text: str) -> str:
    """`models.danish.fold` (NFC, case-folded, white space collapsed), then compounds joined and punctuation
    to single spaces, trimmed."""
    text = _COMPOUND_HYPHEN.sub("", fold(text))
    text = _NON_WORD.sub(" ", text)
    text = _UNDERSCORE.sub(" ", text)
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """Words of the normalised text, in order."""
    return normalise(text).split()


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Danish Snowball stem of one normalised word ("rengøringen" → "rengøring")."""
    return danish_stemmer().stemWord(word)


def stem_text(text: str) -> str:
    """The normalised text with every word stemmed: the form used for lookups and n-gram similarity."""
    return " ".join(stem_word(word) for word in tokens(text))


# Generic heads of Danish job-title compounds: they say "a person who works", not at what. Stripped before
# n-gram comparison so "lagermedarbejder" and "kantinemedarbejder" are compared on "lager" vs "kantine".
GENERIC_HEADS: tuple[str, ...] = tuple(sorted(
    """medarbejder medarbejd medhjælper medhjælp hjælper hjælp assistent arbejder arbejd arbejde elev
    lærling svend vikar vikarer operatør entreprenør ansat ansvarlig mand kone dame pige dreng""".split(),
    key=len, reverse=True))
MIN_CORE = 4


def strip_generic_head(word: str) -> str:
    """The word without a generic job-title head ("rengøringsassistent" → "rengøring"); unchanged when that
    would leave fewer than MIN_CORE letters (the word is only the head, or too short to be a compound)."""
    for head in GENERIC_HEADS:
        if word.endswith(head) and len(word) - len(head) >= MIN_CORE:
            core = word[: -len(head)]
            # The Danish linking -s- ("rengørings|assistent") belongs to neither part.
            return core[:-1] if core.endswith("s") and len(core) > MIN_CORE else core
    return word


def core_word(word: str) -> str:
    """Stem of the word's non-generic part; heads are looked for before and after stemming, because the
    stemmer may cut into a head ("kassedame" → "kassedam")."""
    core = strip_generic_head(word)
    if core != word:
        return stem_word(core)
    return strip_generic_head(stem_word(word))


def core_text(text: str) -> str:
    """Stemmed words with generic heads removed: what character n-gram similarity compares."""
    return " ".join(core_word(word) for word in tokens(text))


def content_words(text: str) -> list[str]:
    """Normalised words that can carry a competence: no stop words, no numbers, at least three letters."""
    return [w for w in tokens(text) if len(w) >= 3 and w not in STOPWORDS and not w.isdigit()]


def phrases(text: str, max_words: int = 2) -> list[str]:
    """Distinct word n-grams (1..max_words) of the content words, first occurrence order.

    Used to cut a CV into candidate competence phrases ("gjort rent", "skole"): a phrase of two adjacent
    content words lets a multi-word taxonomy synonym be found in running text.
    """
    words = content_words(text)
    seen: dict[str, None] = {}
    for size in range(1, max_words + 1):
        for start in range(len(words) - size + 1):
            seen.setdefault(" ".join(words[start:start + size]), None)
    return list(seen)
