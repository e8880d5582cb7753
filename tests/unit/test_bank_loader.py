"""The loader refuses every kind of bad bank file with a message and a place to look."""

import textwrap

import pytest

from quizapp.banks import BankErrors, load_bank_bytes
from quizapp.banks.schema import cloze_gaps, normalise_answer

GOOD = """\
id: energy
title: Energy
questions:
  - id: hub
    type: single_choice
    prompt: What has Azerbaijan positioned itself as, according to the article?
    choices: [A regional energy hub, A shipping centre]
    answer: A regional energy hub
    explanation: Paragraph 5.
    source: {paragraphs: [5]}
    tags: [theme:energy]
"""


def errors_of(text: str | bytes, max_bytes=None) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(BankErrors) as caught:
        load_bank_bytes(data, "bank.yaml", max_bytes)
    return [str(e) for e in caught.value.errors]


def test_a_good_bank_loads():
    bank = load_bank_bytes(GOOD.encode(), "bank.yaml")
    assert bank.id == "energy"
    assert bank.questions[0].answer == "A regional energy hub"
    assert bank.questions[0].source.paragraphs == [5]


def test_answer_not_among_choices_names_the_question_and_line():
    text = GOOD.replace("answer: A regional energy hub", "answer: Baku")
    assert errors_of(text) == [
        "bank.yaml:8:13: questions[0].answer: 'Baku' is not one of the choices"]


def test_every_problem_is_reported_not_only_the_first():
    text = GOOD + textwrap.indent(textwrap.dedent("""\
        - id: hub
          type: true_false
          prompt: Is it?
          answer: maybe
          explanation: x
        - id: third
          type: riddle
        """), "  ")
    found = errors_of(GOOD.replace("title: Energy", "title: yes") + text[len(GOOD):])
    assert any(":2:8: title: expected text" in e and "quotes" in e for e in found)
    assert any(":12:9: questions[1].id: duplicate id 'hub'" in e for e in found)
    assert any(":15:13: questions[1].answer: expected true or false" in e for e in found)
    assert any("questions[2]: 'riddle' is not a question type" in e for e in found)
    assert len(found) == 4


@pytest.mark.parametrize("data, line, needle", [
    ("id: a\ntitle: caf\xe9\n".encode("latin-1"), 2, "not UTF-8"),
    (b"id: abc\ntitle: T\nquestions:\n\t- id: x\n", 4, "a tab is used for indentation"),
    (b"id: abc\ntitle: [T\nquestions: []\n", 3, "YAML syntax error"),
    (b"id: abc\ntitle: T\ntitle: U\nquestions: []\n", 3, "duplicate key 'title' (the first is "
                                                         "on line 2)"),
    (b"id: abc\ntitle: !!python/object:os.system T\n", 2, "YAML tags such as "
                                                          "!!python/object:os.system"),
    (b"id: abc\ntitle: !custom T\n", 2, "YAML tags such as !custom"),
    (b"id: abc\n---\nid: def\n", 2, "more than one YAML document"),
    (b"", 1, "the file is empty"),
    (b"# only a comment\n", 1, "the file is empty"),
    (b"- id: abc\n- id: def\n", 1, "the top level must be a mapping"),
    (b"id: abc\ntitle: T\nlanguage: en\nquestions:\n  - id: q\n    type: short_answer\n"
     b"    prompt: P\n    answers: [No, 12]\n    explanation: E\n", 8,
     "expected text, but YAML read this as false"),
    (b"id: abc\ntitle: T\n<<: {x: 1}\n", 3, "merge keys"),
])
def test_bad_input_is_refused_with_its_line(data, line, needle):
    found = errors_of(data)
    assert any(f"bank.yaml:{line}:" in e and needle in e for e in found), found


def test_alias_bomb_is_refused_with_bounded_work():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 9):
        prev = chr(ord("a") + n - 1)
        lines.append(f"{chr(ord('a') + n)}: &{chr(ord('a') + n)} [" + ",".join(
            [f"*{prev}"] * 10) + "]")
    found = errors_of("\n".join(lines))  # would expand to 10^9 strings
    assert any("expands to too many values" in e for e in found)


def test_deep_nesting_is_refused():
    found = errors_of("id: " + "[" * 200 + "]" * 200)
    assert any("nesting is deeper than" in e or "YAML syntax error" in e for e in found)


def test_size_limit_is_checked_before_parsing():
    found = errors_of(b"\xff" * 2000, max_bytes=1000)  # not even UTF-8: never parsed
    assert found == ["bank.yaml:0:0: the file is 2 KB, over the limit of 1000 bytes; "
                     "split it into smaller banks"]


@pytest.mark.parametrize("question, needle", [
    ("type: single_choice\n    prompt: P\n    choices: [A, A]\n    answer: A\n"
     "    explanation: E", "choice 'A' appears twice"),
    ("type: multiple_choice\n    prompt: P\n    choices: [A, B]\n    answers: [A, C]\n"
     "    explanation: E", "'C' is not one of the choices"),
    ("type: cloze\n    text: No gaps at all\n    explanation: E", "the text has no gaps"),
    ("type: matching\n    prompt: P\n    pairs: [{left: a, right: b}]\n    explanation: E",
     "needs at least 2 item(s)"),
    ("type: ordering\n    prompt: P\n    items: [a, b, a]\n    explanation: E",
     "item 'a' appears twice"),
    ("type: flashcard\n    front: F", "missing field 'back'"),
    ("type: true_false\n    prompt: P\n    answer: true\n    explanation: E\n    anwser: x",
     "unknown field 'anwser' (did you mean 'answer'?)"),
    ("type: single_choice\n    prompt: P\n    choices: [A, B]\n    answer: B\n    explanation: ''",
     "must not be empty"),
])
def test_type_rules(question, needle):
    text = f"id: abc\ntitle: T\nquestions:\n  - id: q1\n    {question}\n"
    found = errors_of(text)
    assert any(needle in e for e in found), found


def test_typed_answers_ignore_case_space_punctuation_and_diacritics():
    assert normalise_answer("  Bakü! ") == normalise_answer("baku") == "baku"
    assert normalise_answer("China–Pakistan  Economic Corridor.") == \
        normalise_answer("china pakistan economic corridor")


def test_cloze_gaps_and_alternatives():
    assert cloze_gaps("A [[bridge|link]] between [[Europe]] and Asia") == [
        ["bridge", "link"], ["Europe"]]


def test_a_bank_of_many_unknown_keys_lists_a_bounded_number_of_problems():
    """One upload of 150,000 unknown keys once ran a worker for minutes: the listing stops
    at 100 problems and says how many more there were, last."""
    head = "id: b\ntitle: T\nquestions:\n  - id: q\n    type: flashcard\n    front: F\n" \
           "    back: B\n"
    errors = errors_of(head + "".join(f"    extra{i}: x\n" for i in range(5000)))
    assert len(errors) == 101
    assert errors[0].startswith("bank.yaml:8:13: questions[0].extra0: unknown field")
    assert "4900 more problem(s)" in errors[-1] and "first 100" in errors[-1]


def test_a_key_too_long_to_be_a_typo_is_shown_shortened():
    errors = errors_of(GOOD + "    " + "k" * 5000 + ": x\n")
    assert len(errors[0]) < 200 and "did you mean" not in errors[0]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_a_control_character_is_a_problem_with_its_place_not_a_traceback(char):
    errors = errors_of(GOOD.replace("title: Energy", f"title: En{char}ergy"))
    assert len(errors) == 1
    assert errors[0].startswith("bank.yaml:2:10: the file holds a character YAML does not "
                                "allow")


@pytest.mark.parametrize(("translation", "needle"), [
    ("{choices: [Bir, İki]}", "translation 'az' must translate each of the choices in the "
                              "same order: it has 2, the question 3"),
    ("{back: Arxa}", "translation 'az' has 'back', which a single_choice question does not "
                     "have"),
    ("{choices: [Bir, Bir, Üç]}", "translation 'az': choice 'Bir' appears twice"),
])
def test_a_translation_that_does_not_fit_the_question_is_refused(translation, needle):
    text = textwrap.dedent(f"""\
        id: t
        title: T
        questions:
          - id: q
            type: single_choice
            prompt: One?
            choices: [One, Two, Three]
            answer: One
            translations:
              az: {translation}
        """)
    [error] = errors_of(text)
    assert error.startswith("bank.yaml:4:") and needle in error


def test_a_translation_into_the_bank_s_own_language_is_refused():
    text = textwrap.dedent("""\
        id: t
        title: T
        questions:
          - {id: q, type: true_false, prompt: Yes?, answer: true,
             translations: {en: {prompt: Really?}}}
        """)
    assert any("translation into 'en', the bank's own language" in e for e in errors_of(text))
