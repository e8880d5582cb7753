"""review logs: the day's counts seek their rows instead of scanning the day

Revision ID: 9b3d1f0c7a21
Revises: 2e07a697c574
Create Date: 2026-11-28 08:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9b3d1f0c7a21'
down_revision = '2e07a697c574'
branch_labels = None
depends_on = None


DAY = ("ix_review_logs_user_day", ["user_id", "reviewed_at", "source", "state_before"])
BY_TIME = ("ix_review_logs_user_reviewed", ["user_id", "reviewed_at"])
COUNTS = ("ix_review_logs_day_counts", ["user_id", "source", "state_before", "reviewed_at"])


def _swap(drop: list[str], create: list[tuple[str, list[str]]]) -> None:
    if op.get_context().dialect.name == "postgresql":
        # review_logs is the largest table: build the indexes without blocking writes. Each
        # step commits on its own, so a run that failed halfway (an INVALID index left by a
        # failed build, say) can be run again: leftovers go first, nothing is assumed.
        with op.get_context().autocommit_block():
            for name, columns in create:
                op.drop_index(name, table_name="review_logs", postgresql_concurrently=True,
                              if_exists=True)
                op.create_index(name, "review_logs", columns, postgresql_concurrently=True)
            for name in drop:
                op.drop_index(name, table_name="review_logs", postgresql_concurrently=True,
                              if_exists=True)
        return
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        for name in drop:
            batch_op.drop_index(name)
        for name, columns in create:
            batch_op.create_index(name, columns, unique=False)


def upgrade():
    _swap([DAY[0]], [BY_TIME, COUNTS])


def downgrade():
    _swap([BY_TIME[0], COUNTS[0]], [DAY])
