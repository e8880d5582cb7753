"""Facility and discrimination against a hand-computed example."""

import math

import pytest

from quizapp.classes.stats import ItemSums, item_stats


def sums(xs, ys) -> ItemSums:
    return ItemSums(len(xs), sum(xs), sum(x * x for x in xs), sum(ys), sum(y * y for y in ys),
                    sum(x * y for x, y in zip(xs, ys, strict=True)))


# Four students, three questions; y is the score on the rest of the quiz.
#            S1 S2 S3 S4
# q1          1  1  0  0    totals: 3, 2, 1, 1
# q2          1  0  1  0
# q3          1  1  0  1
@pytest.mark.parametrize("xs, ys, facility, r", [
    ([1, 1, 0, 0], [2, 1, 1, 1], 0.5, 1 / math.sqrt(3)),  # 0.5774
    ([1, 0, 1, 0], [2, 2, 0, 1], 0.5, -0.125 / math.sqrt(0.25 * 0.6875)),  # -0.3015
    ([1, 1, 0, 1], [2, 1, 1, 0], 0.75, 0.0),
])
def test_hand_computed_example(xs, ys, facility, r):
    stats = item_stats(sums(xs, ys))
    assert stats.facility == pytest.approx(facility)
    assert stats.discrimination == pytest.approx(r)


def test_flags():
    # The four-student example, twice over: negative discrimination, on enough attempts.
    assert item_stats(sums([1, 0, 1, 0] * 2, [2, 2, 0, 1] * 2)).flags == [
        "negative discrimination: stronger students do worse on it"]
    hard = item_stats(sums([0, 0, 0, 0, 0, 1], [1, 2, 0, 1, 2, 3]))
    assert "very low facility" in str(hard.flags[0])
    assert item_stats(sums([1, 1, 0, 0], [2, 1, 1, 1])).flags == []


def test_undefined_when_everyone_scores_the_same():
    stats = item_stats(sums([1, 1, 1], [0, 1, 2]))
    assert stats.facility == 1.0 and stats.discrimination is None
    assert item_stats(ItemSums(0, 0, 0, 0, 0, 0)).facility is None


def test_an_item_is_flagged_only_once_enough_students_answered_it():
    from quizapp.classes.stats import MIN_ATTEMPTS, ItemSums, item_stats

    # Everyone got it wrong: facility 0, flagged once there are enough answers.
    few = item_stats(ItemSums(MIN_ATTEMPTS - 1, 0, 0, 8, 20, 0))
    enough = item_stats(ItemSums(MIN_ATTEMPTS, 0, 0, 10, 26, 0))
    assert few.facility == enough.facility == 0
    assert few.flags == [] and not few.enough
    assert enough.flags == ["very low facility: almost nobody gets it right"]
