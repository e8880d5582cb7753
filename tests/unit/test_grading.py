"""Grading of every question type, by example and by property."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizapp.grading import correct_response, grade
from quizapp.presenting import localized

SINGLE = {"type": "single_choice", "choices": [{"text": t} for t in "ABCD"], "answer": "C"}
MULTI = {"type": "multiple_choice", "choices": [{"text": t} for t in "ABCDE"],
         "answers": ["A", "C"]}
TF = {"type": "true_false", "answer": False}
SHORT = {"type": "short_answer", "answers": ["Baku", "the capital"]}
CLOZE = {"type": "cloze", "text": "A [[bridge|link]] between [[Europe]] and [[Asia]]."}
MATCH = {"type": "matching", "pairs": [{"left": f"L{i}", "right": f"R{i}"} for i in range(4)]}
ORDER = {"type": "ordering", "items": ["one", "two", "three", "four"]}
CARD = {"type": "flashcard", "front": "F", "back": "B"}
ALL = [SINGLE, MULTI, TF, SHORT, CLOZE, MATCH, ORDER, CARD]


@pytest.mark.parametrize("content", ALL, ids=lambda c: c["type"])
def test_the_correct_answer_scores_one(content):
    assert grade(content, correct_response(content)).score == 1.0


@pytest.mark.parametrize("content", ALL, ids=lambda c: c["type"])
def test_no_answer_scores_zero(content):
    assert grade(content, None).score == 0.0


def test_single_choice():
    assert grade(SINGLE, {"choice": 2}).correct
    assert grade(SINGLE, {"choice": 0}).score == 0


@pytest.mark.parametrize("ticked, score", [
    ([0, 2], 1.0),  # both right
    ([0], 0.5),  # half the right ones
    ([0, 2, 1], 1 - 1 / 3),  # one wrong tick costs a third (3 wrong choices)
    ([1, 3, 4], 0.0),  # only wrong ticks: never below 0
    ([0, 1, 3, 4], 0.0),  # 0.5 - 1.0, floored at 0
    ([], 0.0),
])
def test_multiple_choice_partial_credit(ticked, score):
    assert grade(MULTI, {"choices": ticked}).score == pytest.approx(score)


def test_true_false():
    assert grade(TF, {"answer": False}).correct
    assert not grade(TF, {"answer": True}).correct


@pytest.mark.parametrize("text, right", [
    ("Baku", True), ("  baku. ", True), ("BAKÜ", True), ("The capital!", True),
    ("Bak", False), ("", False), ("...", False)])
def test_short_answer_ignores_case_space_punctuation_diacritics(text, right):
    assert grade(SHORT, {"text": text}).correct is right


def test_cloze_per_gap():
    result = grade(CLOZE, {"gaps": ["link", "europe", "Africa"]})
    assert result.parts == (True, True, False)
    assert result.score == pytest.approx(2 / 3)
    assert grade(CLOZE, {"gaps": ["bridge"]}).score == pytest.approx(1 / 3)


def test_matching_per_pair():
    result = grade(MATCH, {"matches": [0, 1, 3, 2]})
    assert result.parts == (True, True, False, False)
    assert result.score == 0.5


@pytest.mark.parametrize("order, score", [
    ([0, 1, 2, 3], 1.0),
    ([3, 2, 1, 0], 0.0),  # exact reverse
    ([1, 0, 2, 3], 5 / 6),  # one swap of neighbours: 5 of 6 pairs in order
    ([0, 1, 3, 2], 5 / 6),
    ([3, 0, 1, 2], 3 / 6),
    ([0, 1, 2], 0.0),  # not a full ordering
])
def test_ordering_counts_pairs_in_the_right_relative_order(order, score):
    assert grade(ORDER, {"order": order}).score == pytest.approx(score)


def test_flashcard_is_self_graded():
    assert grade(CARD, {"knew": True}).correct
    assert grade(CARD, {"knew": False}).score == 0


# -- Properties --------------------------------------------------------------------------

responses = st.one_of(
    st.none(),
    st.fixed_dictionaries({"choice": st.integers(-3, 8)}),
    st.fixed_dictionaries({"choices": st.lists(st.integers(-2, 8), max_size=8)}),
    st.fixed_dictionaries({"answer": st.booleans()}),
    st.fixed_dictionaries({"text": st.text(max_size=30)}),
    st.fixed_dictionaries({"gaps": st.lists(st.text(max_size=10), max_size=5)}),
    st.fixed_dictionaries({"matches": st.lists(st.one_of(st.none(), st.integers(-1, 6)),
                                               max_size=6)}),
    st.fixed_dictionaries({"order": st.permutations([0, 1, 2, 3])}),
    st.fixed_dictionaries({"order": st.lists(st.integers(-1, 5), max_size=6)}),
    st.fixed_dictionaries({"knew": st.booleans()}),
)


@given(content=st.sampled_from(ALL), response=responses)
def test_a_score_is_always_within_0_and_1(content, response):
    assert 0.0 <= grade(content, response).score <= 1.0


all_or_nothing = st.one_of(
    st.tuples(st.just(SINGLE), st.fixed_dictionaries({"choice": st.integers(-5, 10)})),
    st.tuples(st.just(TF), st.fixed_dictionaries({"answer": st.booleans()})),
    st.tuples(st.just(CARD), st.fixed_dictionaries({"knew": st.booleans()})),
)


@given(case=all_or_nothing)
def test_single_choice_true_false_and_flashcards_are_all_or_nothing(case):
    content, response = case
    expected = 1.0 if response == correct_response(content) else 0.0
    assert grade(content, response).score == expected


@given(order=st.permutations([0, 1, 2, 3]))
def test_ordering_is_one_only_for_the_right_order(order):
    assert (grade(ORDER, {"order": order}).score == 1.0) == (order == [0, 1, 2, 3])


# -- Translations ---------------------------------------------------------------------------

def test_a_translation_keeps_each_choice_in_its_place_so_responses_mean_the_same():
    content = SINGLE | {"translations": {"az": {"choices": [{"text": t} for t in "ƏBCÇ"]}}}
    shown = localized(content, "az")
    assert [c["text"] for c in shown["choices"]] == list("ƏBCÇ")
    assert shown["answer"] == "C" and "translations" not in shown
    assert correct_response(shown) == correct_response(content) == {"choice": 2}
    assert localized(content, "ur") is content  # no translation: the bank's own texts


def test_a_translated_multiple_choice_names_its_answers_in_the_translation():
    content = MULTI | {"translations": {"ur": {"choices": [{"text": f"ur{t}"} for t in "ABCDE"],
                                               "prompt": "سوال"}}}
    shown = localized(content, "ur")
    assert shown["answers"] == ["urA", "urC"] and shown["prompt"] == "سوال"


def test_a_choice_feedback_left_untranslated_is_still_shown():
    content = {"type": "single_choice", "answer": "A", "choices": [
        {"text": "A"}, {"text": "B", "feedback": "Not B."}],
        "translations": {"az": {"choices": [{"text": "Ə"}, {"text": "Bə"}]}}}
    assert localized(content, "az")["choices"][1] == {"text": "Bə", "feedback": "Not B."}


def test_typed_answers_are_accepted_in_any_of_the_question_languages():
    short = SHORT | {"translations": {"az": {"answers": ["Bakı"]}, "ur": {"answers": ["باکو"]}}}
    assert [grade(short, {"text": t}).score for t in ("Bakı", "باکو", "baku", "Gəncə")] == \
        [1.0, 1.0, 1.0, 0.0]
    cloze = CLOZE | {"translations": {"az": {"text": "[[körpü]] [[Avropa]] və [[Asiya]]."}}}
    assert grade(cloze, {"gaps": ["körpü", "Europe", "Asiya"]}).parts == (True, True, True)
    # A gap accepts its own answers, not another gap's.
    assert grade(cloze, {"gaps": ["Avropa", "Asiya", "Europe"]}).score == 0.0
