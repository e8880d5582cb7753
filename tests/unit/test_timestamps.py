"""Timestamps go in UTC-aware, in any zone, and come back as the same instant in UTC; a naive
time (whose zone nobody knows) is refused rather than guessed."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.models import UTCDateTime

MOMENTS = [
    datetime(2026, 11, 28, 14, 30, 26, 123456, tzinfo=UTC),
    datetime(2026, 1, 1, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=4))),  # Baku
]


def test_times_round_trip_as_the_same_instant_in_utc():
    engine = sa.create_engine("sqlite://")
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime()))
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"at": m} for m in MOMENTS])
        back = conn.scalars(sa.select(table.c.at)).all()
    assert back == MOMENTS
    assert all(value.tzinfo is UTC for value in back)
    engine.dispose()


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()],
                         ids=["sqlite", "postgresql"])
def test_naive_times_are_refused_on_every_backend(dialect):
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 11, 28), dialect)
