"""The study loop: queue order, daily limits, exactly-once ratings, privacy, progress."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import CardState, Question, ReviewLog, Role
from quizapp.scheduling import CardStatus, Rating
from quizapp.study import service, tokens
from quizapp.study.progress import progress_for
from tests.helpers import flashcards, import_banks

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)


def q(key: str, bank_slug: str | None = None) -> Question:
    return db.session.scalar(select(Question).where(Question.key == key))


def put_card(user, question, state, due, reps=1):
    card = CardState(user_id=user.id, question_id=question.id, state=int(state), step=0,
                     stability=3.0, difficulty=5.0, due=due, last_review=due - timedelta(days=3),
                     reps=reps)
    db.session.add(card)
    db.session.commit()
    return card


@pytest.fixture
def student(users):
    return users.login_as(Role.STUDENT)


def rate(student, question, rating, now=NOW):
    card = db.session.scalar(select(CardState).where(CardState.user_id == student.id,
                                                     CardState.question_id == question.id))
    shown = tokens.new_presentation(student.id, question.id, service.snapshot_of(card), now)
    result = service.apply_rating(db.session, service.learner_of(student), shown, rating, now)
    db.session.commit()
    return result


def test_queue_order_learning_then_most_overdue_review_then_new(student):
    import_banks(flashcards("deck", 6))
    put_card(student, q("c3"), CardStatus.REVIEW, NOW - timedelta(days=1))
    put_card(student, q("c4"), CardStatus.REVIEW, NOW - timedelta(days=5))
    put_card(student, q("c5"), CardStatus.LEARNING, NOW - timedelta(minutes=1))
    order = []
    for _ in range(6):
        item = service.next_card(db.session, student, service.Scope(), NOW)
        order.append((item.question.key, item.queue))
        rate(student, item.question, Rating.EASY)
    assert order[:3] == [("c5", "learning"), ("c4", "review"), ("c3", "review")]
    assert order[3:] == [("c0", "new"), ("c1", "new"), ("c2", "new")]


def test_new_card_limit_counts_the_students_day(student):
    student.new_cards_per_day = 2
    student.timezone = "Asia/Baku"
    db.session.commit()
    import_banks(flashcards("deck", 5))
    evening = datetime(2026, 5, 10, 19, 0, tzinfo=UTC)  # 23:00 in Baku
    for _ in range(2):
        item = service.next_card(db.session, student, service.Scope(), evening)
        rate(student, item.question, Rating.EASY, now=evening)
    assert service.next_card(db.session, student, service.Scope(), evening) is None
    still_same_day = evening + timedelta(hours=4, minutes=30)  # 03:30 local
    assert service.next_card(db.session, student, service.Scope(), still_same_day) is None
    next_day = evening + timedelta(hours=5, minutes=30)  # 04:30 local: a new day
    assert service.next_card(db.session, student, service.Scope(), next_day).queue == "new"


def test_review_limit(student):
    student.max_reviews_per_day = 1
    student.new_cards_per_day = 0
    db.session.commit()
    import_banks(flashcards("deck", 3))
    for key in ("c0", "c1"):
        put_card(student, q(key), CardStatus.REVIEW, NOW - timedelta(days=1))
    first = service.next_card(db.session, student, service.Scope(), NOW)
    rate(student, first.question, Rating.GOOD)
    assert service.next_card(db.session, student, service.Scope(), NOW) is None


def test_scope_by_bank_and_tag(student):
    import_banks(flashcards("alpha", 2, tags=("theme:energy",)),
                 flashcards("beta", 2, tags=("project:cpec",)))
    by_bank = service.next_card(db.session, student, service.Scope.parse("bank:beta"), NOW)
    assert db.session.get(Question, by_bank.question.id).bank.slug == "beta"
    by_tag = service.next_card(db.session, student, service.Scope.parse("tag:theme:energy"),
                               NOW)
    assert db.session.get(Question, by_tag.question.id).bank.slug == "alpha"


def test_a_rating_is_applied_exactly_once(student):
    import_banks(flashcards("deck", 1))
    question = q("c0")
    shown = tokens.new_presentation(student.id, question.id, None, NOW)
    first = service.apply_rating(db.session, service.learner_of(student), shown, Rating.GOOD, NOW)
    db.session.commit()
    assert first.applied
    # The same presentation again (double click, reload) or a second tab that showed the same
    # new card before the first rating: refused by the unique (user, question) card.
    for again in (shown, tokens.new_presentation(student.id, question.id, None, NOW)):
        with pytest.raises(IntegrityError):
            service.apply_rating(db.session, service.learner_of(student), again, Rating.AGAIN, NOW)
        db.session.rollback()
    # Once the card exists, a stale presentation is simply not applied.
    card = db.session.scalar(select(CardState))
    seen = tokens.new_presentation(student.id, question.id, service.snapshot_of(card), NOW)
    learner = service.learner_of(student)
    assert service.apply_rating(db.session, learner, seen, Rating.GOOD, NOW).applied
    db.session.commit()
    assert not service.apply_rating(db.session, learner, seen, Rating.EASY, NOW).applied
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 2


def test_a_rating_writes_its_card_and_its_log_or_neither(student):
    import_banks(flashcards("deck", 1))
    question = q("c0")
    assert rate(student, question, Rating.GOOD).applied
    card = db.session.scalar(select(CardState))
    reps, due = card.reps, card.due
    logged = db.session.scalar(select(ReviewLog.token))
    # A presentation of the card as it now is, whose log cannot be written (its token is
    # taken): the card must not move either.
    clash = tokens.Presentation(student.id, question.id, reps, logged, NOW,
                                service.snapshot_of(card))
    with pytest.raises(IntegrityError):
        service.apply_rating(db.session, service.learner_of(student), clash, Rating.EASY, NOW)
    db.session.rollback()
    db.session.expire_all()
    card = db.session.scalar(select(CardState))
    assert (card.reps, card.due) == (reps, due)
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1


def study_page_token(client, scope="all"):
    page = client.get(f"/study/session?scope={scope}").get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def test_double_post_and_reload_do_not_rate_twice(client, student):
    import_banks(flashcards("deck", 2))
    token = study_page_token(client)
    client.post("/study/answer", data={"token": token, "scope": "all"})
    first = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    second = client.post("/study/rate", data={"token": token, "rating": "1", "scope": "all"},
                         follow_redirects=True)
    assert first.status_code == 302
    assert "already rated" in second.get_data(as_text=True)
    logs = db.session.scalars(select(ReviewLog)).all()
    assert [log.rating for log in logs] == [3]


def test_the_interval_on_the_button_is_the_one_applied(client, student):
    import_banks(flashcards("deck", 1))
    card = put_card(student, q("c0"), CardStatus.REVIEW, datetime.now(UTC) - timedelta(days=2),
                    reps=3)
    token = study_page_token(client)
    page = client.post("/study/answer", data={"token": token, "scope": "all"}).get_data(
        as_text=True)
    shown = re.search(r'value="3"[^>]*>\s*<span class="rating-name">Good</span>\s*'
                      r'<span class="rating-interval">(\w+)</span>', page).group(1)
    client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    db.session.refresh(card)
    log = db.session.scalar(select(ReviewLog))
    days = round((card.due - log.reviewed_at).total_seconds() / 86400)
    assert shown == f"{days}d"


def test_one_student_cannot_rate_or_see_anothers_cards(client, users):
    import_banks(flashcards("deck", 1))
    owner = users.login_as(Role.STUDENT, email="owner@example.org")
    token = study_page_token(client)
    intruder = users.login_as(Role.STUDENT, email="intruder@example.org")
    response = client.post("/study/rate", data={"token": token, "rating": "4", "scope": "all"})
    assert response.status_code == 400
    forged = tokens.encode(tokens.new_presentation(owner.id, q("c0").id, None, NOW),
                           "wrong key")
    assert client.post("/study/rate", data={"token": forged, "rating": "4"}).status_code == 400
    assert client.post("/study/answer", data={"token": token}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 0
    rate(owner, q("c0"), Rating.GOOD)
    page = client.get("/progress").get_data(as_text=True)
    assert "0 of 0 reviews" in page and intruder.id != owner.id
    assert db.session.scalar(select(func.count()).select_from(CardState).where(
        CardState.user_id == intruder.id)) == 0


def test_nothing_due_shows_when_the_next_card_is_due(client, student):
    import_banks(flashcards("deck", 1))
    put_card(student, q("c0"), CardStatus.REVIEW, datetime.now(UTC) + timedelta(hours=3))
    page = client.get("/study/session?scope=all").get_data(as_text=True)
    assert "Nothing due right now" in page and "3 h" in page
    assert "Today: 0 new cards and 0 reviews." in page
    assert "Cards left in this session" not in page  # no queue of empty labels
    ahead = client.get("/study/session?scope=all&ahead=1").get_data(as_text=True)
    assert "Front 0" in ahead


def test_nothing_due_says_why(client, student):
    done = client.get("/study/session?scope=all").get_data(as_text=True)
    assert "There are no cards here yet." in done
    student.new_cards_per_day = 1
    student.max_reviews_per_day = 1
    db.session.commit()
    import_banks(flashcards("deck", 4))
    for key in ("c2", "c3"):
        put_card(student, q(key), CardStatus.REVIEW, datetime.now(UTC) - timedelta(days=1))
    for _ in range(2):  # one review, one new card (Easy: out for days): both daily limits
        token = study_page_token(client)
        client.post("/study/rate", data={"token": token, "rating": "4", "scope": "all"})
    done = client.get("/study/session?scope=all").get_data(as_text=True)
    assert "Nothing due right now" in done
    assert "You have studied today's 1 new card" in done
    assert "You have done today's 1 review" in done and "your daily limit" in done
    assert "Today: 1 new card and 1 review." in done
    assert "There are no cards here yet." not in done


def test_objective_answer_is_graded_and_suggests_a_rating(client, student):
    import_banks({"id": "mc", "title": "MC", "questions": [{
        "id": "tf", "type": "true_false", "prompt": "Is the sky green?", "answer": False,
        "explanation": "It is not.", "source": {"paragraphs": [3]}}]})
    token = study_page_token(client)
    wrong = client.post("/study/answer", data={"token": token, "answer": "true"}).get_data(
        as_text=True)
    assert "Not right" in wrong and "suggested: Again" in wrong and "paragraph 3" in wrong
    right = client.post("/study/answer", data={"token": token, "answer": "false"}).get_data(
        as_text=True)
    assert "✓ Right" in right and "suggested: Good" in right


def _plan(statement, params: dict) -> str:
    """The database's own plan for a statement as the app sends it."""
    conn = db.session.connection()
    compiled = statement.compile(conn)
    values = compiled.construct_params(params)
    cursor = conn.connection.cursor()
    if conn.dialect.name == "sqlite":
        cursor.execute("EXPLAIN QUERY PLAN " + str(compiled),
                       [values[name] for name in compiled.positiontup])
        return "\n".join(str(row[-1]) for row in cursor.fetchall())
    cursor.execute("EXPLAIN " + str(compiled), values)
    return "\n".join(row[0] for row in cursor.fetchall())


def test_the_days_counts_seek_only_the_reviews_they_count(app, student):
    """A student who did 2,000 learning steps today must not make every card page read them
    all: each of the day's counts (new cards, reviews) is an index search on (user, source,
    state before, time), never a walk through the day's reviews with a filter."""
    from quizapp.study.queue import _queue_state_statement

    import_banks(flashcards("deck", 1))
    steps = [{"user_id": student.id, "question_id": q("c0").id, "rating": 1, "token": f"t{n}",
              "reviewed_at": NOW + timedelta(seconds=n), "state_before": 1, "state_after": 1,
              "due_after": NOW, "source": "study"} for n in range(2000)]
    db.session.execute(insert(ReviewLog), steps)
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE review_logs")  # the table as it is
    plan = _plan(_queue_state_statement("all"), {"uid": student.id, "now": NOW,
                                                 "day_start": NOW, "today": NOW.date(),
                                                 "scope_value": ""})
    if db.engine.dialect.name == "sqlite":
        searches = [line for line in plan.splitlines() if "review_logs" in line]
        assert len(searches) == 2 and all(
            "ix_review_logs_day_counts (user_id=? AND source=? AND state_before=? AND "
            "reviewed_at>?)" in line for line in searches), plan
    else:
        counts = [part for part in plan.split("InitPlan") if "review_logs" in part]
        assert len(counts) == 2 and all(
            "using ix_review_logs_day_counts" in part and "Filter" not in part
            for part in counts), plan


def test_the_due_counts_read_only_the_card_index(app, student):
    """The card page counts the learning and review cards due on every view: each is a
    search of the (user, due) index that finds each card's state and question in the index
    itself, where reading every due card's row made the count grow with the table."""
    from quizapp.study.queue import _queue_state_statement

    import_banks(flashcards("deck", 300))
    ids = db.session.scalars(select(Question.id).order_by(Question.position))
    db.session.execute(insert(CardState), [
        {"user_id": student.id, "question_id": qid, "state": 1 + n % 3, "stability": 3.0,
         "difficulty": 5.0, "due": NOW + timedelta(hours=n - 150), "last_review": NOW,
         "reps": 1} for n, qid in enumerate(ids)])
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    plan = _plan(_queue_state_statement("all"), {"uid": student.id, "now": NOW,
                                                 "day_start": NOW, "today": NOW.date(),
                                                 "scope_value": ""})
    if db.engine.dialect.name == "sqlite":  # PostgreSQL picks its plan by the table's size
        due_counts = [line for line in plan.splitlines() if "due<?" in line]
        assert len(due_counts) == 2 and all(
            "COVERING INDEX ix_card_states_user_due_state (user_id=? AND due<?)" in line
            for line in due_counts), plan
    state = service.queue_state(db.session, student, service.Scope(), NOW)
    assert (state.learning_due, state.review_due) == (101, 50)  # n <= 150: 1 and 3, or 2


def test_the_next_new_card_walks_the_bank_in_order_without_sorting(app, student):
    """A student with 500 questions in their banks, 400 of them seen: the next new card
    comes from an index in bank order, stopping at the first unseen question, where sorting
    every question of the scope first grew with the bank (2.4 ms at 3,000 questions)."""
    from quizapp.study.queue import _new_question_statement

    import_banks(flashcards("deck", 500))
    seen = db.session.scalars(select(Question.id).order_by(Question.position).limit(400))
    db.session.execute(insert(CardState), [
        {"user_id": student.id, "question_id": qid, "state": 2, "stability": 3.0,
         "difficulty": 5.0, "due": NOW, "last_review": NOW, "reps": 1} for qid in seen])
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    plan = _plan(_new_question_statement("all"), {"uid": student.id})
    assert "ix_questions_bank_position" in plan, plan
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan
    found = service.next_card(db.session, student, service.Scope(), NOW - timedelta(days=1))
    assert found.queue == "new" and found.question.key == "c400"


def test_new_card_counts_leave_out_retired_questions_in_every_scope(student):
    """Two banks; the student has cards on c0-c2 of "deck". Retired: c0 (has a card) and c4
    (has none) of "deck", and o0 of "other" (no card). New cards are the live questions the
    student has no card for: deck c3, c5 and other o1, o2."""
    other = flashcards("other", 3, tags=("theme:b",))
    other["questions"] = [{**card, "id": f"o{n}"} for n, card in enumerate(other["questions"])]
    import_banks(flashcards("deck", 6, tags=("theme:a",)), other)
    for key in ("c0", "c1", "c2"):
        put_card(student, q(key), CardStatus.REVIEW, NOW + timedelta(days=3))
    for key in ("c0", "c4", "o0"):
        q(key).retired = True
    db.session.commit()
    unseen = {str(scope): service.queue_state(db.session, student, scope, NOW).unseen
              for scope in (service.Scope(), service.Scope("bank", "deck"),
                            service.Scope("bank", "other"), service.Scope("tag", "theme:a"),
                            service.Scope("tag", "theme:b"))}
    assert unseen == {"all": 4, "bank:deck": 2, "bank:other": 2, "tag:theme:a": 2,
                      "tag:theme:b": 2}


def test_the_new_card_count_reads_no_question_rows(app, student):
    """The card page counts the new cards on every view. For everything a student studies,
    that is the live questions less the student's cards on them: both from indexes, so a
    student with thousands of cards does not make each card page read every question row
    (1.8 ms at 2,500 cards when each card was joined to its question)."""
    from quizapp.study.queue import _queue_state_statement

    import_banks(flashcards("deck", 500))
    db.session.execute(insert(CardState), [
        {"user_id": student.id, "question_id": qid, "state": 2, "stability": 3.0,
         "difficulty": 5.0, "due": NOW + timedelta(days=9), "last_review": NOW, "reps": 1}
        for qid in db.session.scalars(select(Question.id).limit(400))])
    db.session.commit()
    db.session.connection().exec_driver_sql("ANALYZE")
    plan = _plan(_queue_state_statement("all"), {"uid": student.id, "now": NOW,
                                                 "day_start": NOW, "today": NOW.date(),
                                                 "scope_value": ""})
    if db.engine.dialect.name == "sqlite":
        questions = [line for line in plan.splitlines() if "questions" in line]
        # The learning and review counts join only the student's due cards to their
        # questions; the other two reads of questions are the index alone.
        assert sum("USING COVERING INDEX ix_questions_live" in line for line in questions) == 2
        assert not any("SCAN questions" in line for line in questions), plan
    else:  # a table this small and not yet vacuumed is cheaper to scan: only the probe
        # of retired questions is asked of the index here
        assert "Index Cond: (retired = true)" in plan, plan
    assert service.queue_state(db.session, student, service.Scope(), NOW).unseen == 100


def test_progress_figures_on_a_hand_made_history(student):
    import_banks(flashcards("deck", 4))
    c0, c1, c2 = q("c0"), q("c1"), q("c2")
    day = timedelta(days=1)

    def log(question, at, rating, before):
        db.session.add(ReviewLog(user_id=student.id, question_id=question.id, rating=rating,
                                 reviewed_at=at, state_before=before, state_after=2,
                                 due_after=at + day))

    # Day -2: c0 passed, c1 failed then passed again (only the first of the day counts).
    log(c0, NOW - 2 * day, 3, CardStatus.REVIEW)
    log(c1, NOW - 2 * day, 1, CardStatus.REVIEW)
    log(c1, NOW - 2 * day + timedelta(minutes=10), 3, CardStatus.RELEARNING)
    # Day -1: c1 passed; c2 was new (not a recall test).
    log(c1, NOW - day, 4, CardStatus.REVIEW)
    log(c2, NOW - day, 3, 0)
    # Long ago: c0 failed (counts for all time only).
    log(c0, NOW - 90 * day, 1, CardStatus.REVIEW)
    put_card(student, c0, CardStatus.REVIEW, NOW + 2 * day)
    put_card(student, c1, CardStatus.REVIEW, NOW - day)  # overdue: due today
    put_card(student, c2, CardStatus.LEARNING, NOW + timedelta(minutes=5))
    db.session.commit()
    p = progress_for(db.session, student, NOW)
    assert (p.retention_month.passed, p.retention_month.total) == (2, 3)
    assert (p.retention_all.passed, p.retention_all.total) == (2, 4)
    assert p.forecast[0][1] == 2 and p.forecast[2][1] == 1 and sum(n for _, n in p.forecast) == 3
    history = dict(p.history)
    assert history[(NOW - 2 * day).date()] == 3 and history[(NOW - day).date()] == 2
    assert sum(history.values()) == 6  # the 90-day-old review is within the year too
    assert (p.by_state.new, p.by_state.learning, p.by_state.review) == (1, 1, 2)


def test_study_settings_are_saved_and_bad_values_explained(client, student):
    ok = client.post("/study/settings", data={
        "timezone": "Asia/Karachi", "desired_retention": "0.85", "new_cards_per_day": "5",
        "max_reviews_per_day": "50", "learning_steps": "2m  15m"}, follow_redirects=True)
    assert "Your study settings are saved." in ok.get_data(as_text=True)
    db.session.refresh(student)
    assert (student.timezone, student.desired_retention, student.new_cards_per_day,
            student.max_reviews_per_day, student.learning_steps) == (
        "Asia/Karachi", 0.85, 5, 50, "2m 15m")
    bad = client.post("/study/settings", data={
        "timezone": "Mars/Olympus", "desired_retention": "0.99", "new_cards_per_day": "-1",
        "max_reviews_per_day": "50", "learning_steps": "soon"}).get_data(as_text=True)
    assert "Choose between 0.80 and 0.97." in bad
    assert "Choose between 0 and 500." in bad
    assert "&#39;soon&#39; is not a step" in bad
    assert "Not a valid choice" in bad
    db.session.refresh(student)
    assert student.desired_retention == 0.85


def test_choice_feedback_is_shown_for_the_picked_choice(client, student):
    import_banks({"id": "fb", "title": "FB", "questions": [{
        "id": "sc", "type": "single_choice", "prompt": "Which corridor?",
        "choices": ["CPEC", {"text": "Southern Gas Corridor",
                             "feedback": "That one carries gas, not trade."}],
        "answer": "CPEC", "explanation": "Paragraph 6.", "source": {"paragraphs": [6]}}]})
    card = client.get("/study/session?scope=all").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', card).group(1)
    value = {text: v for v, text in re.findall(r'value="(\d+)"[^>]*> <span>([^<]+)<', card)}
    page = client.post("/study/answer", data={
        "token": token, "choice": value["Southern Gas Corridor"]}).get_data(as_text=True)
    assert "That one carries gas, not trade." in page
    other = client.post("/study/answer", data={"token": token, "choice": value["CPEC"]}
                        ).get_data(as_text=True)
    assert "That one carries gas" not in other and "✓ Right" in other


FRAGMENT = {"X-Study-Fragment": "1"}


def test_a_flashcard_page_carries_its_back_and_ratings_for_the_script(client, student):
    import_banks(flashcards("deck", 1))
    page = client.get("/study/session?scope=all").get_data(as_text=True)
    hidden = page.split("data-reveal hidden>")[1].split("</article>")[0]
    assert "Back 0" in hidden and 'name="rating" value="3"' in hidden
    assert "Show answer" in page  # and the form that works without the script


def test_with_the_fragment_header_a_rating_answers_with_the_next_card(client, student):
    import_banks(flashcards("deck", 2))
    token = study_page_token(client)
    answer = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"},
                         headers=FRAGMENT)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert html.lstrip().startswith('<div id="study"') and "<html" not in html
    assert "Front 1" in html and 'data-url="/study/session?scope=all"' in html
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1
    again = client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"},
                        headers=FRAGMENT).get_data(as_text=True)
    assert "That card was already rated" in again and "Front 1" in again
    assert db.session.scalar(select(func.count()).select_from(ReviewLog)) == 1


def test_with_the_fragment_header_checking_an_answer_answers_with_the_ratings(client, student):
    import_banks({"id": "tf", "title": "TF", "questions": [
        {"id": "t", "type": "true_false", "prompt": "True?", "answer": True,
         "explanation": "Yes."}]})
    token = study_page_token(client)
    html = client.post("/study/answer", data={"token": token, "answer": "true", "scope": "all"},
                       headers=FRAGMENT).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="study"') and "✓ Right" in html
    assert 'data-key="3"' in html and "<html" not in html


def test_the_last_rating_answers_with_the_done_page(client, student):
    import_banks(flashcards("deck", 1))
    token = study_page_token(client)
    html = client.post("/study/rate", data={"token": token, "rating": "4", "scope": "all"},
                       headers=FRAGMENT).get_data(as_text=True)
    assert "Nothing due right now" in html and "<html" not in html


@pytest.mark.parametrize("field, value, message", [
    ("desired_retention", "sNaN", "Enter a number such as 0.90."),
    ("desired_retention", "Infinity", "Enter a number such as 0.90."),
    ("learning_steps", "99999999999999999999999d", "far too long"),
])
def test_settings_refuse_numbers_nobody_means(client, student, field, value, message):
    form = {"timezone": "UTC", "desired_retention": "0.9", "new_cards_per_day": "20",
            "max_reviews_per_day": "200", "learning_steps": "1m 10m"} | {field: value}
    page = client.post("/study/settings", data=form)
    assert page.status_code == 200 and message in page.get_data(as_text=True)


def test_a_token_says_whether_target_days_were_read_and_older_tokens_still_work(app):
    now = datetime.now(UTC)
    shown = tokens.new_presentation(1, 2, None, now, targets=False)
    assert tokens.decode(tokens.encode(shown, "k"), "k").targets is False
    # A token from before target days (six fields) reads them, to be safe.
    old = tokens._serializer("k").dumps([1, 2, 0, "ab" * 8, round(now.timestamp() * 1e6),
                                         None])
    assert tokens.decode(old, "k").targets is True
