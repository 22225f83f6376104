"""How sure we are that a written name means a known organisation.

People write one school many ways: «Муниципальное бюджетное общеобразовательное
учреждение «Средняя общеобразовательная школа № 5 имени А. С. Пушкина»», «МБОУ СОШ №5 им.
Пушкина», «MБОУ «COШ № 5»» with Latin letters that look Cyrillic, «Нюрбинская СОШ № 1» with
or without the Yakut «ҥ». :func:`match_key` folds every such difference that never tells two
organisations apart; :func:`score` compares what is left with rapidfuzz, and
:func:`best_candidates` ranks the organisations of a territory for one written name.

Official short names are built from initials («ЦТТ» for «Центр технического творчества»,
«МР» for «муниципального района»): a word of one name that is the initials of a run of
words of the other is compared as that run (:func:`_expanded`), by the rule, not a list.

Two rules make a fuzzy match safe to take without asking: the numbers in the names are
equal (№ 5 is never № 15), and the best candidate is clearly ahead of the next one. Where
several remain alike (the words they share are the district's), :class:`Telling` takes the
one organisation holding most of the words that tell the municipality's organisations
apart (a proper name, the initials, the settlement). Everything else is shown to the user
with its candidates before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from analytics.ingest.normalize import fold

# A row the user confirmed as an organisation not known yet («новая организация»).
NEW_ORGANISATION = "new"

# A fuzzy match is taken without asking at this score or above, when the runner-up is at
# least CLEAR_LEAD points behind; below PLAUSIBLE a known organisation is no candidate.
CONFIDENT = 90.0
CLEAR_LEAD = 8.0
PLAUSIBLE = 60.0
CANDIDATES_SHOWN = 3
# Rows of one file described with the registered organisations most like them (see
# Likeness): a person reviews no more one by one, and more would make a misplaced file's
# preview slow (each compares the row with the whole registry of its municipality).
ROWS_DESCRIBED = 100
# Rows of one file offered the organisations of their municipality most like them when
# too few are alike (see Resolver._offered_for): every row a person answers in one review,
# while a misplaced file of thousands of rows is previewed quickly.
ROWS_OFFERED = 2_000

# Latin letters that look like Cyrillic ones, as typed by a keyboard left in English. Case
# matters: a capital H is «Н», while a small h stands for the Yakut «һ».
_LOOKALIKES = str.maketrans(
    "ABCEHKMOPTXYacekopxyh",
    "АВСЕНКМОРТХУасекорхуһ",
)
# Letters of the languages of Russia's republics, often replaced by the Russian letter
# closest in sound when a name is typed on a Russian keyboard.
_NATIONAL = str.maketrans(
    {
        "ҥ": "н",
        "ӈ": "н",
        "ң": "н",
        "ө": "о",
        "ӧ": "о",
        "ү": "у",
        "ӱ": "у",
        "ұ": "у",
        "һ": "х",
        "ҳ": "х",
        "ә": "э",
        "ӓ": "э",
        "ӑ": "а",
        "ӗ": "е",
        "ғ": "г",
        "ҕ": "г",
        "қ": "к",
        "ҡ": "к",
        "ҫ": "с",
        "ҷ": "ч",
        "і": "и",
        "ї": "и",
    }
)
_CYRILLIC = re.compile(r"[а-я]")
_NUMBER_SIGN = re.compile(r"(?:№|\bn|#)\s*(?=\d)")
_PUNCTUATION = re.compile(r"[«»“”„‟\"'`’‘.,;:()\[\]{}/\\!?*_+=|<>-]+")
_NUMBERS = re.compile(r"\d+")
# How long a word written in initials may be («ЦДЮТТ»); a single letter is no abbreviation.
_INITIALS = range(2, 7)
# Conjunctions an abbreviation leaves out: «Центр детского и юношеского технического
# творчества» is «ЦДЮТТ».
_UNINITIALLED = frozenset({"и"})

# Full forms folded to the abbreviation people write instead (longest first).
_PHRASES: tuple[tuple[str, str], ...] = (
    ("средняя общеобразовательная школа", "сош"),
    ("основная общеобразовательная школа", "оош"),
    ("начальная общеобразовательная школа", "нош"),
    ("начальная школа детский сад", "нш дс"),
    ("детско юношеская спортивная школа", "дюсш"),
    ("детская школа искусств", "дши"),
    ("дом детского творчества", "ддт"),
    ("центр детского творчества", "цдт"),
    ("центр развития ребенка", "црр"),
    ("учреждение дополнительного образования детей", "удо"),
    ("учреждение дополнительного образования", "удо"),
    ("детский сад", "дс"),
    ("д с", "дс"),
    ("имени", "им"),
)
# Words of an organisation's legal form («муниципальное бюджетное общеобразовательное
# учреждение»): they change with a change of legal form (МБОУ → МАОУ) and never tell two
# organisations of one territory apart, so they are dropped.
_LEGAL_WORDS = frozenset(
    {
        "муниципальное",
        "государственное",
        "краевое",
        "областное",
        "республиканское",
        "городское",
        "частное",
        "негосударственное",
        "некоммерческое",
        "бюджетное",
        "автономное",
        "казенное",
        "общеобразовательное",
        "дошкольное",
        "образовательное",
        "профессиональное",
        "учреждение",
        "организация",
        "удо",
        "до",
        "дод",
    }
)
# Abbreviated legal forms: МБОУ, МАОУ, МКОУ, ГБОУ, МБДОУ, МАДОУ, МБУДО, ГАПОУ, КГБОУ, ЧОУ…
_LEGAL_ABBREVIATION = re.compile(r"(?:м|г|ч|о|к|р|н|ог|кг)(?:б|а|к)?(?:п|д)?(?:о|н)?у(?:до|дод)?")


@lru_cache(maxsize=131_072)
def match_key(name: str) -> str:
    """An organisation's name with every difference folded that never tells two
    organisations of one territory apart: case, ё, quotes and punctuation, dash kinds,
    Latin look-alike letters in a Cyrillic name, national letters, «№ 5»/«N5», «им.» and
    «имени», full and abbreviated type names, and the legal form (МБОУ, «муниципальное
    бюджетное … учреждение»)."""
    if _CYRILLIC.search(name.casefold()):
        name = name.translate(_LOOKALIKES)
    text = fold(name).translate(_NATIONAL)
    text = _NUMBER_SIGN.sub(" №", text)
    text = _PUNCTUATION.sub(" ", text)
    text = " " + " ".join(text.split()) + " "
    for phrase, short in _PHRASES:
        text = text.replace(f" {phrase} ", f" {short} ")
    words = [
        w for w in text.split() if w not in _LEGAL_WORDS and not _LEGAL_ABBREVIATION.fullmatch(w)
    ]
    # «№5» and «5» are one number: the sign is dropped once numbers are separate words.
    return " ".join(w.removeprefix("№") for w in words if w != "№")


def numbers(key: str) -> tuple[str, ...]:
    """The numbers of a name in order («сош 5 им 40 летия победы» → ("5", "40")): two
    names with different numbers never name one organisation («№ 1.2» is not «№ 2.1»)."""
    return tuple(n.lstrip("0") or "0" for n in _NUMBERS.findall(key))


def score(a: str, b: str) -> float:
    """How alike two match keys are, 0–100; 0 where their numbers differ.

    Equal numbers are required, then the words are compared without them (in short names
    the shared number would otherwise make «сош 5» look like «дс 5»). A short name
    contained in a full one («гимназия 1» in «гимназия 1 им ф г кедрова») scores 100:
    people shorten official names, they do not lengthen them.
    """
    if numbers(a) != numbers(b):
        return 0.0
    if a == b:
        return 100.0
    words_a, words_b = _NUMBERS.sub(" ", a).split(), _NUMBERS.sub(" ", b).split()
    if not words_a or not words_b:
        return 100.0 if words_a == words_b else 0.0
    words_b = _expanded(words_a, words_b)
    words_a = _expanded(words_b, words_a)
    a, b = " ".join(words_a), " ".join(words_b)
    return float(max(fuzz.token_set_ratio(a, b), fuzz.token_sort_ratio(a, b)))


@lru_cache(maxsize=131_072)
def _initials_runs(words: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Every run of two or more words of a name by its initials («центр технического
    творчества» → «цтт»: (0, 3)), the conjunctions left out; a number ends a run."""
    runs: dict[str, tuple[int, int]] = {}
    for start, first in enumerate(words):
        if first in _UNINITIALLED or not first[:1].isalpha():
            continue
        letters = ""
        for end in range(start, len(words)):
            word = words[end]
            if not word[:1].isalpha():
                break
            if word in _UNINITIALLED:
                continue
            letters += word[0]
            if len(letters) > _INITIALS[-1]:
                break
            if end > start:
                runs.setdefault(letters, (start, end + 1))
    return runs


def _abbreviations(words: Iterable[str]) -> set[str]:
    """The words of a name that may be written in initials («цтт», «мр»)."""
    return {w for w in words if len(w) in _INITIALS and w.isalpha()}


def _expanded(short: list[str], full: list[str]) -> list[str]:
    """The words ``full`` with every run whose initials are a word of ``short`` (and not a
    word of ``full`` already) written as that word: «центр технического творчества
    адмиралтейского района» beside «цтт адмиралтейского района» reads «цтт адмиралтейского
    района»."""
    present = set(full)
    wanted = _abbreviations(short) - present
    if not wanted:
        return full
    runs = _initials_runs(tuple(full))
    spans = sorted((*runs[w], w) for w in wanted if w in runs)
    out = list(full)
    # Right to left, so the earlier spans keep their places; overlapping ones are skipped.
    limit = len(full)
    for start, end, word in reversed(spans):
        if end <= limit:
            out[start:end] = [word]
            limit = start
    return out


def _same_word(a: str, b: str) -> bool:
    """Whether two words are one word in different cases («красногорский»,
    «красногорского»): equal, or sharing all but the last three letters of the longer
    (Russian case endings), and at least four."""
    if a == b:
        return True
    shared = next(
        (n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return shared >= 4 and shared >= max(len(a), len(b)) - 3


@dataclass(frozen=True)
class Candidate:
    """A known organisation a written name may mean, with how alike they are (0–100)."""

    org_id: int
    name: str
    score: float
    territory: str = ""
    inn: str | None = None
    district: str = ""

    @property
    def code(self) -> str:
        """How the command line names it (``--org``): its ИНН, else its code."""
        return self.inn or str(self.org_id)

    def described(self) -> str:
        """«МБОУ «СОШ № 5» (г. Глазов, ИНН 1837000010) — 92 %»."""
        label = f"ИНН {self.inn}" if self.inn else f"код {self.org_id}"
        where = f"{self.territory}, {label}" if self.territory else label
        return f"{self.name} ({where}) — {round(self.score)} %"


@dataclass
class Unplaced:
    """A row the engine cannot place with certainty: shown to the user with its best
    candidates before anything is written."""

    sheet: str
    row: int
    name: str
    inn: str | None
    municipality: str | None
    reason: str
    candidates: list[Candidate] = field(default_factory=list)
    # The registered organisations of the row's municipality and type most like it, however
    # unlike: a person who answers «новая организация» is shown them first.
    registered: list[Candidate] = field(default_factory=list)
    # The stored municipality the row names (None where it names a new one or none), whose
    # registry a person may search for the row's organisation.
    municipality_id: int | None = None


@dataclass
class Created:
    """A row the load makes a new organisation of, with the registered organisation of its
    municipality and type most like it (None where there is none)."""

    sheet: str
    row: int
    name: str
    closest: Candidate | None = None


@dataclass
class Move:
    """A row that would move a known organisation to another municipality."""

    sheet: str
    row: int
    org_id: int
    name: str
    from_municipality: str
    to_municipality: str


def ranked(name: str, known: Iterable[tuple[int, str, Iterable[str]]]) -> list[tuple[int, float]]:
    """Organisations ``(org_id, display name, every name it was written with)`` ranked by
    their best score against ``name``, best first: those at PLAUSIBLE or above, and those
    with the same number however unlike their words («Школа № 5» for «СОШ № 5»), which a
    person choosing for the row wants to see."""
    key = match_key(name)
    numbered = bool(numbers(key))
    scored = []
    for org_id, display, aliases in known:
        best = max(score(key, match_key(n)) for n in (display, *aliases))
        if best >= PLAUSIBLE or (numbered and best > 0):
            scored.append((org_id, best))
    scored.sort(key=lambda item: (-item[1], item[0]))
    return scored


class Likeness:
    """Known organisations ``(org_id, display name, every name it was written with)``
    prepared for :meth:`nearest`, which compares a name with all of them at once."""

    def __init__(self, known: Iterable[tuple[int, str, Iterable[str]]]):
        self._owners: list[int] = []
        keys: list[str] = []
        names_of: list[set[str]] = []
        for org_id, display, aliases in known:
            own = {match_key(n) for n in (display, *aliases)}
            names_of.append({w for k in own for w in k.split()})
            for key in sorted(own):
                self._owners.append(org_id)
                keys.append(key)
        counts: dict[str, int] = {}
        for words in names_of:
            for word in words:
                counts[word] = counts.get(word, 0) + 1
        # Words in more than half of the names tell none apart («г челябинска»).
        self._common = {w for w, n in counts.items() if len(names_of) > 2 and n > len(names_of) / 2}
        self._numbers = [numbers(k) for k in keys]
        self._words = [" ".join(_NUMBERS.sub(" ", k).split()) for k in keys]
        self._distinct = [self._distinct_words(k) for k in keys]
        self._keys = keys
        self._runs = [set(_initials_runs(tuple(w.split()))) for w in self._words]
        self._short = [_abbreviations(w.split()) for w in self._words]

    def _distinct_words(self, key: str) -> str:
        return " ".join(w for w in key.split() if w not in self._common)

    def nearest(self, name: str, count: int) -> list[tuple[int, float]]:
        """The ``count`` organisations most like ``name`` however unlike, best first, each
        with its :func:`score`. For a person deciding whether a row is a new organisation,
        not for placing it: ranked by the score plus how alike the words are that tell the
        organisations apart, so «Центр организации отдыха и оздоровления детей «Факел»» is
        found for «ЦОО "Факел" г. Челябинска», whose score is higher for every name that
        shares the city's."""
        if not self._owners:
            return []
        key = match_key(name)
        found = numbers(key)
        words = " ".join(_NUMBERS.sub(" ", key).split())
        same = np.array([n == found for n in self._numbers])
        alike = np.maximum(
            process.cdist([words], self._words, scorer=fuzz.token_set_ratio)[0],
            process.cdist([words], self._words, scorer=fuzz.token_sort_ratio)[0],
        )
        # As :func:`score`: a name of numbers alone is alike only another one.
        empty = np.array([not w for w in self._words])
        alike = np.where(empty, 100.0 if not words else 0.0, alike if words else 0.0)
        full = np.where(same, alike, 0.0)
        # Where one name is written in the other's initials, :func:`score` compares them as
        # expanded: computed pair by pair for those few names.
        runs, short = set(_initials_runs(tuple(words.split()))), _abbreviations(words.split())
        for n, (their_runs, their_short) in enumerate(zip(self._runs, self._short, strict=True)):
            if same[n] and (short & their_runs or their_short & runs):
                full[n] = score(key, self._keys[n])
        told = process.cdist(
            [self._distinct_words(key)], self._distinct, scorer=fuzz.partial_token_set_ratio
        )[0]
        best: dict[int, tuple[float, float]] = {}
        for owner, score_, rank in zip(self._owners, full, full + told, strict=True):
            if owner not in best or rank > best[owner][1]:
                best[owner] = (float(score_), float(rank))
        ordered = sorted(best.items(), key=lambda item: (-item[1][1], item[0]))
        return [(o, s) for o, (s, _) in ordered[:count]]


class Telling:
    """The organisations of one municipality ``(org_id, display name, every name it was
    written with)``, prepared to tell which one a name means by the words that tell them
    apart (see :meth:`choose`)."""

    def __init__(self, known: Iterable[tuple[int, str, Iterable[str]]]):
        # Each organisation's names as (their numbers, their other words).
        self._names: dict[int, list[tuple[tuple[str, ...], list[str]]]] = {}
        counts: dict[str, int] = {}
        for org_id, display, aliases in known:
            keys = sorted({match_key(n) for n in (display, *aliases)})
            self._names[org_id] = [(numbers(k), _NUMBERS.sub(" ", k).split()) for k in keys]
            for word in {w for k in keys for w in k.split()}:
                counts[word] = counts.get(word, 0) + 1
        # Words in more than half of the names tell none apart («адмиралтейского района»).
        total = len(self._names)
        self._common = {w for w, n in counts.items() if total > 2 and n > total / 2}

    def choose(self, name: str, among: Iterable[int]) -> int | None:
        """The one organisation of ``among`` whose names (with equal numbers) hold more
        than half of the written name's telling words — every word but the common ones,
        single letters and numbers, with initials read as the words they abbreviate —
        and more of them than any other; None where two hold as many, or none enough."""
        key = match_key(name)
        found, written = numbers(key), _NUMBERS.sub(" ", key).split()
        held: dict[int, float] = {}
        for org_id in among:
            for their_numbers, theirs in self._names.get(org_id, ()):
                if their_numbers != found:
                    continue
                ours = _expanded(theirs, written)
                theirs = _expanded(ours, theirs)
                told = [w for w in dict.fromkeys(ours) if len(w) > 1 and w not in self._common]
                if not told:
                    continue
                share = sum(any(_same_word(w, t) for t in theirs) for w in told) / len(told)
                held[org_id] = max(held.get(org_id, 0.0), share)
        ordered = sorted(held.items(), key=lambda item: -item[1])
        if not ordered or ordered[0][1] <= 0.5:
            return None
        if len(ordered) > 1 and ordered[1][1] == ordered[0][1]:
            return None
        return ordered[0][0]


def plausible(scored: list[tuple[int, float]]) -> bool:
    """Whether a ranked list holds an organisation the name may well mean."""
    return any(s >= PLAUSIBLE for _, s in scored)


def confident(scored: list[tuple[int, float]]) -> int | None:
    """The organisation a ranked list names with certainty, if any."""
    if not scored or scored[0][1] < CONFIDENT:
        return None
    if len(scored) > 1 and scored[0][1] - scored[1][1] < CLEAR_LEAD:
        return None
    return scored[0][0]
