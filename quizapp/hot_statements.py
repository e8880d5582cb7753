"""The statements the study loop runs on every card, sent straight to the database driver.

SQLAlchemy builds each statement and compiles it (once per dialect), and it runs on the
session's own connection, inside the request's transaction. What is skipped is SQLAlchemy's
work around each execution: hashing the statement's cache key (a nested tuple as big as the
statement, hashed afresh on every call), an execution context and a result object. For
these statements that cost more than the database's own work: in-process on SQLite, the
queue's counts took 125 µs through `Connection.execute` and 75 µs this way, and the next
card 80 µs and 17 µs before its columns are converted.

What stays as SQLAlchemy does it: the SQL, parameters and columns converted by the same type
processors, the engine's `before_cursor_execute` and `after_cursor_execute` listeners, a
driver error raised as SQLAlchemy's exception for it (a duplicate is still an
IntegrityError), and a dropped connection invalidated. What does not:
- SQL echo logging and `handle_error` listeners;
- listeners that rewrite the statement (`retval=True`) or read the execution context
  (they are given none; Flask-SQLAlchemy's query recorder would, so the app refuses
  SQLALCHEMY_RECORD_QUERIES);
- the statement's execution options;
- column defaults computed in Python: a write must give a value to every column it sets,
  and one that would need such a default is refused when it is compiled;
- anything but the row count from a write (no RETURNING rows, no new primary key).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # parameter names in order (positional drivers), or None
    fixed: dict[str, Any]  # values the statement fixes itself (its LIMIT, its literals)
    to_db: dict[str, Callable]  # per parameter name, as SQLAlchemy would convert it
    columns: tuple  # the statement's columns, for their types
    from_db: tuple[Callable | None, ...] | None = None  # per column, once the driver has
    # described them (PostgreSQL's numeric processors depend on the type the server sends)

    def parameters(self, given: dict[str, Any]):
        values = self.fixed | given
        try:
            for name, process in self.to_db.items():
                values[name] = process(values[name])
            return values if self.order is None else [values[name] for name in self.order]
        except (KeyError, TypeError, ValueError) as exc:  # as SQLAlchemy reports them
            raise StatementError(f"({type(exc).__name__}) {exc}", self.sql, given,
                                 exc) from exc

    def described(self, dialect: Dialect, description) -> _Compiled:
        return replace(self, from_db=tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(self.columns, description, strict=True)))

    def row(self, raw: tuple | None) -> tuple | None:
        if raw is None:
            return None
        return tuple(value if process is None else process(value)
                     for process, value in zip(self.from_db, raw, strict=True))


class HotStatement:
    """A statement compiled once per dialect and run through the driver: `first` for a
    SELECT's first row, `run` for a write's row count."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._by_dialect: dict[Dialect, _Compiled] = {}

    def first(self, connection: Connection, parameters: dict[str, Any]) -> tuple | None:
        return self._execute(connection, parameters, fetch=True)

    def run(self, connection: Connection, parameters: dict[str, Any]) -> int:
        return self._execute(connection, parameters, fetch=False)

    def _execute(self, connection: Connection, parameters: dict[str, Any], fetch: bool):
        dialect = connection.dialect
        compiled = self._by_dialect.get(dialect)
        if compiled is None:
            compiled = self._by_dialect[dialect] = _compile(self.statement, dialect)
        values = compiled.parameters(parameters)
        cursor = connection.connection.cursor()  # the session's connection, in its transaction
        try:
            connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, values,
                                                      None, False)
            cursor.execute(compiled.sql, values)
            connection.dispatch.after_cursor_execute(connection, cursor, compiled.sql, values,
                                                     None, False)
            if not fetch:
                return cursor.rowcount
            if compiled.from_db is None:
                compiled = self._by_dialect[dialect] = compiled.described(
                    dialect, cursor.description)
            return compiled.row(cursor.fetchone())
        except dialect.loaded_dbapi.Error as exc:
            dropped = dialect.is_disconnect(exc, connection.connection.dbapi_connection, cursor)
            if dropped:
                connection.invalidate(exc)
            raise DBAPIError.instance(
                compiled.sql, values, exc, dialect.loaded_dbapi.Error,
                hide_parameters=connection.engine.hide_parameters, dialect=dialect,
                connection_invalidated=dropped) from exc
        finally:
            cursor.close()


def _compile(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    if compiled.literal_execute_params or compiled.post_compile_params or \
            compiled.escaped_bind_names:
        raise ValueError("a hot statement takes plain bound parameters only")
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("a hot statement must set every column it writes: SQLAlchemy would "
                         "compute the defaults of "
                         + ", ".join(c.name for c in compiled.insert_prefetch
                                     + compiled.update_prefetch))
    to_db, fixed = {}, {}
    for bind, name in compiled.bind_names.items():
        if bind.callable is not None:
            raise ValueError("a hot statement takes plain bound parameters only")
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            to_db[name] = process
        if not bind.required:  # a value of the statement's own: a literal, its LIMIT
            fixed[name] = bind.value
    return _Compiled(sql=compiled.string,
                     order=tuple(compiled.positiontup) if compiled.positional else None,
                     fixed=fixed, to_db=to_db,
                     columns=tuple(getattr(statement, "selected_columns", ())))
