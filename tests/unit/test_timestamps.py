"""Timestamps on SQLite are text, compared as text: the app's fast way of writing them must
give exactly SQLAlchemy's text, or a due card could sort or compare wrongly."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import DateTime
from sqlalchemy.dialects import postgresql, sqlite

from quizapp.models import UTCDateTime

MOMENTS = [
    datetime(2026, 11, 28, 14, 30, 26, 123456, tzinfo=UTC),
    datetime(2026, 1, 1, tzinfo=UTC),  # no microseconds: still written with six zeros
    datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
    datetime(2026, 6, 30, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=4))),  # Baku
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_sqlite_text_is_sqlalchemys(moment):
    dialect = sqlite.dialect()
    ours = UTCDateTime().bind_processor(dialect)
    generic = DateTime().dialect_impl(dialect).bind_processor(dialect)
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    assert ours(moment) == generic(utc)
    assert ours(None) is None


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.dialect()],
                         ids=["sqlite", "postgresql"])
def test_naive_times_are_refused_on_every_backend(dialect):
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 11, 28), dialect)
    process = UTCDateTime().bind_processor(dialect)
    if process is not None:
        with pytest.raises(ValueError, match="naive"):
            process(datetime(2026, 11, 28))
