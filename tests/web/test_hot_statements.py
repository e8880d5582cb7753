"""The study loop's statements go straight to the driver (quizapp/hot_statements.py): they
must give exactly what SQLAlchemy's own execution gives, in the request's transaction, and
fail as SQLAlchemy's errors do. The ratings' writes are also tested through the study loop
(tests/web/test_study.py: exactly once, a duplicate's IntegrityError)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, column, event, select, table, text
from sqlalchemy.exc import DBAPIError, StatementError

from quizapp.extensions import db
from quizapp.hot_statements import HotStatement
from quizapp.models import CardState, Question, Role
from quizapp.scheduling import CardStatus
from quizapp.study import queue
from tests.helpers import flashcards, import_banks

NOW = datetime(2026, 5, 10, 12, 0, 0, 250_000, tzinfo=UTC)


@pytest.fixture
def student(users):
    user = users.login_as(Role.STUDENT)
    import_banks(flashcards("deck", 4))
    first = db.session.scalar(select(Question).where(Question.key == "c1"))
    db.session.add(CardState(user_id=user.id, question_id=first.id,
                             state=int(CardStatus.LEARNING), step=1, stability=2.5,
                             difficulty=6.25, due=NOW - timedelta(minutes=3),
                             last_review=NOW - timedelta(minutes=13), reps=2, lapses=1))
    db.session.commit()
    return user


def _both_ways(statement, parameters):
    """The row both ways, checked to be the same values of the same types (2.5 == Decimal
    ("2.5") and 1 == True, so equality alone would not tell)."""
    connection = db.session.connection()
    expected = connection.execute(statement, parameters).first()
    expected = None if expected is None else tuple(expected)
    ours = HotStatement(statement).first(connection, parameters)
    assert ours == expected
    if ours is not None:
        assert [type(v) for v in ours] == [type(v) for v in expected]
        assert all(v.tzinfo is UTC for v in ours if isinstance(v, datetime))
    return ours, expected


@pytest.mark.parametrize("states", [queue.LEARNING_STATES, queue.REVIEW_STATES])
def test_the_next_card_reads_as_sqlalchemy_reads_it(student, states):
    for until in (NOW, NOW - timedelta(days=1)):  # a card, and none
        ours, theirs = _both_ways(queue._due_card_statement("all", states).statement,
                                  {"uid": student.id, "until": until, "scope_value": ""})
        assert ours == theirs
    if states == queue.LEARNING_STATES:
        assert ours is None and theirs is None
        ours, _ = _both_ways(queue._due_card_statement("all", states).statement,
                             {"uid": student.id, "until": NOW, "scope_value": ""})
        content, due = ours[4], ours[10]
        assert isinstance(content, dict) and content["type"] == "flashcard"
        assert due == NOW - timedelta(minutes=3) and due.tzinfo is UTC
        assert ours[8:10] == (2.5, 6.25)  # floats as floats, on PostgreSQL too


def test_times_go_in_as_sqlalchemy_writes_them(student):
    """Two hours before the card is due, written in Baku's time (UTC+4): converted to UTC
    on the way in, it finds nothing; sent as it is, SQLite would compare the local hour, and
    PostgreSQL would read it in the server's time zone (here Tokyo's)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
    baku = timezone(timedelta(hours=4))
    ours, theirs = _both_ways(queue._due_card_statement("all", queue.LEARNING_STATES).statement,
                              {"uid": student.id, "until": (NOW - timedelta(hours=2))
                               .astimezone(baku), "scope_value": ""})
    assert ours is None and theirs is None


def test_the_next_new_card_reads_as_sqlalchemy_reads_it(student):
    ours, _ = _both_ways(queue._new_question_statement("all").statement, {"uid": student.id})
    assert ours[1] == "c0" and isinstance(ours[4], dict)


def test_a_time_written_into_the_statement_is_converted_too(student):
    statement = select(CardState.due).where(CardState.due <= NOW, CardState.reps > 0)
    ours, _ = _both_ways(statement, {})
    assert ours == (NOW - timedelta(minutes=3),)


def test_the_engines_statement_listeners_see_hot_reads(app, student):
    """Tests (and tracing) watch statements through them."""
    seen, uid = [], student.id

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        queue._new_question_statement("all").first(db.session.connection(), {"uid": uid})
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(seen) == 1 and "questions" in seen[0]


def test_a_naive_time_is_refused_as_sqlalchemy_refuses_it(student):
    with pytest.raises(StatementError, match="naive"):
        queue._due_card_statement("all", queue.LEARNING_STATES).first(
            db.session.connection(), {"uid": student.id, "until": datetime(2026, 5, 10),
                                      "scope_value": ""})


@pytest.mark.parametrize("kind", ["all", "bank", "tag"])
def test_the_queue_counts_read_as_sqlalchemy_reads_them(student, kind):
    parameters = {"uid": student.id, "now": NOW, "day_start": NOW - timedelta(hours=12),
                  "scope_value": "deck" if kind == "bank" else "nothing-tagged"}
    ours, theirs = _both_ways(queue._queue_state_statement(kind).statement, parameters)
    assert ours == theirs
    if kind == "all":
        assert ours[:3] == (1, 0, 3)  # one learning card due, three questions unseen


def test_a_read_sees_the_requests_own_uncommitted_writes(student):
    """Same connection, same transaction: not a connection of its own."""
    unseen = db.session.scalar(select(Question).where(Question.key == "c2"))
    db.session.add(CardState(user_id=student.id, question_id=unseen.id,
                             state=int(CardStatus.LEARNING), due=NOW, reps=1))
    db.session.flush()
    row = queue._queue_state_statement("all").first(db.session.connection(), {
        "uid": student.id, "now": NOW, "day_start": NOW, "scope_value": ""})
    assert row[0] == 2
    db.session.rollback()


def test_a_driver_error_is_sqlalchemys_error(app):
    missing = HotStatement(select(column("id")).select_from(table("no_such_table")))
    with pytest.raises(DBAPIError, match="no_such_table"):
        missing.first(db.session.connection(), {})
    db.session.rollback()


def test_an_expanding_list_is_refused_plainly(app):
    statement = select(Question.id).where(Question.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="plain bound parameters only"):
        HotStatement(statement).first(db.session.connection(), {"ids": [1, 2]})


def test_a_write_that_would_need_a_python_default_is_refused(app):
    """The hot path computes no column defaults, so it refuses a write that leaves out a
    column with one (a review's source defaults to "study"), rather than store NULL."""
    from sqlalchemy import insert

    from quizapp.models import ReviewLog

    partial = insert(ReviewLog.__table__).values(user_id=bindparam("uid"))
    with pytest.raises(ValueError, match="source"):
        HotStatement(partial).run(db.session.connection(), {"uid": 1})


def test_an_update_that_would_need_a_python_default_is_refused(app):
    from sqlalchemy import Column, DateTime, Integer, MetaData, Table, update

    stamped = Table("stamped", MetaData(), Column("id", Integer, primary_key=True),
                    Column("n", Integer), Column("at", DateTime, onupdate=datetime.now))
    with pytest.raises(ValueError, match="at"):
        HotStatement(update(stamped).values(n=bindparam("n"))).run(
            db.session.connection(), {"n": 1})


def test_a_new_card_is_stored_as_sqlalchemy_stores_it(student):
    """The same card written both ways, read back without any conversion: the same text
    (SQLite's timestamps are text) or values, and a row count of one each way."""
    from quizapp.study import service

    connection = db.session.connection()
    ids = db.session.scalars(select(Question.id).where(Question.key.in_(["c2", "c3"]))
                             .order_by(Question.key)).all()
    card = {"uid": student.id, "new_state": 1, "new_step": 0, "new_stability": 1.5,
            "new_difficulty": 5.25, "new_due": NOW, "new_last_review": NOW, "new_reps": 1,
            "new_lapses": 0}
    theirs = connection.execute(service._INSERT_CARD.execution_options(preserve_rowcount=True),
                                card | {"qid": ids[0]}).rowcount
    ours = service._HOT_INSERT_CARD.run(connection, card | {"qid": ids[1]})
    assert ours == theirs == 1
    rows = connection.exec_driver_sql(
        "SELECT state, step, stability, difficulty, due, last_review, reps, lapses "
        f"FROM card_states WHERE question_id IN ({ids[0]}, {ids[1]}) ORDER BY question_id"
    ).all()
    assert rows[0] == rows[1]
    db.session.rollback()
