"""Item-writing warnings for banks: what a good teacher would not hand out, though the bank
is valid. Warnings never stop an import. A question waives a rule with a reason:

    waive: {absolute-cue: "the article itself says 'only'"}

No Flask here: `lint` takes validated banks and returns, per bank, (location, rule, message)
triples that callers place on a line like any other problem.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from difflib import SequenceMatcher

from ..problems import N_, Words
from .schema import BankFile, Question

RULES = {
    "all-none-of-the-above": "“All/none of the above” among the choices",
    "absolute-cue": "absolute words in a true/false statement give the answer away",
    "key-stands-out": "the right choice is much longer than every distractor",
    "a-an-mismatch": "the stem ends in “a”/“an” and some choices do not fit it",
    "negative-stem": "a negative stem (not, except) without emphasis",
    "answer-in-prompt": "the prompt hands the answer over",
    "near-duplicate": "a near-duplicate of another question",
    "stock-distractor": "the same distractor in many questions",
    "single-common-key": "one accepted answer, and it is a common word",
}
ALL_NONE = re.compile(r"^\s*(all|none|both|neither) of (the )?(above|these|them)\b", re.I)
ABSOLUTES = re.compile(r"\b(only|never|always|nothing|none|every|dismiss(es|ed)?|entirely|"
                       r"completely|solely|no one)\b", re.I)
NEGATIVE = re.compile(r"\b(not|except|least)\b")  # lower case: not emphasised
EMPHASISED = re.compile(r"\b(NOT|EXCEPT|NEVER|LEAST)\b|\*\*?(not|except|never|least)\*\*?")
HINTS = re.compile(r"\b(begins?|beginning|starts?|starting|ending|ends) with\b|"
                   r"\bfirst letter\b|\b\d+ letters?\b|\bone word, ", re.I)
GAP = re.compile(r"\[\[(.+?)\]\]")
STOCK_AT = 4  # a distractor in this many questions of a bank is a stock one
LONGER = 1.6  # the key this many times the longest distractor (and 15 characters more)
SIMILAR = 0.8  # stems this alike, with the same key, are near-duplicates
VOWEL = re.compile(r"^[aeiou]", re.I)
AN_EXCEPTIONS = re.compile(r"^(uni|use|usu|eu|one|once|hour|honest|honou?r|heir)", re.I)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def _stem(q: Question) -> str:
    return getattr(q, "prompt", None) or getattr(q, "front", None) or getattr(q, "text", "")


def _key(q: Question) -> str:
    if q.type == "single_choice":
        return q.answer
    if q.type == "true_false":
        return str(q.answer)
    if q.type in ("short_answer", "multiple_choice"):
        return " | ".join(sorted(q.answers))
    if q.type == "cloze":
        return " | ".join(GAP.findall(q.text))
    if q.type == "flashcard":
        return q.back
    if q.type == "matching":
        return " | ".join(f"{p.left}={p.right}" for p in q.pairs)
    return " | ".join(q.items)


def _wants_an(word: str) -> bool:
    if AN_EXCEPTIONS.match(word):
        return word.lower().startswith(("hour", "honest", "honou", "heir"))
    return bool(VOWEL.match(word))


def _choice_rules(q: Question) -> list[tuple[str, Words]]:
    found = []
    texts = q.choice_texts
    for text in texts:
        if ALL_NONE.match(text):
            found.append(("all-none-of-the-above", Words(N_(
                "the choice “%(text)s”: write a real option instead"), text=text)))
    if q.type == "single_choice":
        others = [len(t) for t in texts if t != q.answer]
        if others and len(q.answer) >= LONGER * max(others) and \
                len(q.answer) - max(others) >= 15:
            found.append(("key-stands-out", Words(N_(
                "the right choice has %(key)s characters, the longest distractor %(longest)s: "
                "test-wise students pick the longest"), key=len(q.answer),
                longest=max(others))))
    last = q.prompt.rstrip(" _.…:").split()[-1:] if q.prompt.strip() else []
    if last and last[0].lower() in ("a", "an"):
        wrong = [t for t in texts if t.split() and
                 _wants_an(t.split()[0]) != (last[0].lower() == "an")]
        if wrong:
            found.append(("a-an-mismatch", Words(N_(
                "the stem ends in “%(article)s”, which does not fit “%(choice)s”: end the stem "
                "before the article"), article=last[0], choice=wrong[0])))
    return found


def _question_rules(q: Question) -> list[tuple[str, Words]]:
    found = []
    stem = _stem(q)
    if q.type in ("single_choice", "multiple_choice"):
        found += _choice_rules(q)
    if q.type == "true_false" and (cue := ABSOLUTES.search(q.prompt)):
        found.append(("absolute-cue", Words(N_(
            "“%(word)s” in a true/false statement gives the answer away; qualify the claim or "
            "ask otherwise"), word=cue.group(0))))
    if q.type in ("single_choice", "multiple_choice", "short_answer", "true_false",
                  "ordering", "matching") and NEGATIVE.search(stem) and \
            not EMPHASISED.search(stem):
        found.append(("negative-stem", Words(N_(
            "a negative stem is easy to misread: write NOT or EXCEPT in capitals, or ask "
            "positively"))))
    if q.type in ("short_answer", "cloze"):
        shown = GAP.sub("___", stem) if q.type == "cloze" else stem
        answers = q.answers if q.type == "short_answer" else \
            [a for gap in GAP.findall(q.text) for a in gap.split("|")]
        if HINTS.search(shown) or any(
                len(a) > 3 and re.search(rf"\b{re.escape(a)}\b", shown, re.I) for a in answers):
            found.append(("answer-in-prompt", Words(N_(
                "the prompt gives the answer (or its first letters) away"))))
        keys = [q.answers] if q.type == "short_answer" else \
            [gap.split("|") for gap in GAP.findall(q.text)]
        for accepted in keys:
            word = accepted[0].strip()
            if len(accepted) == 1 and re.fullmatch(r"[a-z]+", word) and len(word) <= 12:
                found.append(("single-common-key", Words(N_(
                    "only “%(word)s” is accepted: consider accepting more answers (synonyms, "
                    "other forms of the word)"), word=word)))
                break
    return found


def _duplicates(banks: list[BankFile]) -> dict[tuple[str, int], str]:
    """(bank, question index) -> the question it nearly repeats, within and across banks."""
    by_key: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for bank in banks:
        for i, q in enumerate(bank.questions):
            by_key[_plain(_key(q))].append((bank.id, i, q.id, _plain(_stem(q))))
    found = {}
    for group in by_key.values():
        for n, (bank_id, i, _, stem) in enumerate(group):
            for other_bank, _, other_id, other_stem in group[:n]:
                if stem and SequenceMatcher(None, stem, other_stem).ratio() >= SIMILAR:
                    where = other_id if other_bank == bank_id else f"{other_bank}/{other_id}"
                    found[(bank_id, i)] = where
                    break
    return found


def _stock(bank: BankFile) -> tuple[dict[str, int], dict[str, int]]:
    """Distractors repeated word for word in many questions, and words (a theme: "military")
    that only distractors use, never a right answer, a question or an explanation."""
    texts: Counter = Counter()
    words: Counter = Counter()
    elsewhere: set[str] = set()
    for q in bank.questions:
        elsewhere.update(_plain(_stem(q)).split())
        elsewhere.update(_plain(getattr(q, "explanation", None) or "").split())
        if q.type not in ("single_choice", "multiple_choice"):
            elsewhere.update(_plain(_key(q)).split())
            continue
        right = {q.answer} if q.type == "single_choice" else set(q.answers)
        elsewhere.update(w for t in right for w in _plain(t).split())
        wrong = [t for t in q.choice_texts if t not in right]
        texts.update({_plain(t) for t in wrong})
        words.update({w for t in wrong for w in _plain(t).split() if len(w) >= 6})
    return ({t: n for t, n in texts.items() if n >= STOCK_AT},
            {w: n for w, n in words.items() if n >= STOCK_AT and w not in elsewhere})


def _stock_rule(q, stock: dict[str, int], themes: dict[str, int]) -> list[tuple[str, Words]]:
    for text in q.choice_texts:
        if _plain(text) in stock:
            return [("stock-distractor", Words(N_(
                "“%(text)s” is a distractor in %(count)s questions: students learn to discard "
                "it"), text=text, count=stock[_plain(text)]))]
        for word in _plain(text).split():
            if word in themes:
                return [("stock-distractor", Words(N_(
                    "“%(word)s” comes up only in distractors (%(count)s questions), never in a "
                    "question or a right answer: students learn to discard it"), word=word,
                    count=themes[word]))]
    return []


def lint(banks: list[BankFile]) -> dict[str, list[tuple[tuple, str, str]]]:
    """Per bank id: (location, rule, message) for every unwaived warning, in file order."""
    duplicates = _duplicates(banks)
    out: dict[str, list[tuple[tuple, str, str]]] = {}
    for bank in banks:
        stock, themes = _stock(bank)
        warnings = []
        for i, q in enumerate(bank.questions):
            found = _question_rules(q)
            if (bank.id, i) in duplicates:
                found.append(("near-duplicate", Words(N_(
                    "nearly the same question, with the same answer, as %(other)s: they cue "
                    "each other in one quiz"), other=duplicates[(bank.id, i)])))
            if q.type in ("single_choice", "multiple_choice"):
                found += _stock_rule(q, stock, themes)
            waived = q.waive or {}
            warnings += [(("questions", i), rule, message) for rule, message in found
                         if rule not in waived]
        out[bank.id] = warnings
    return out
