"""review logs: the day's counts read only the index

Revision ID: 2e07a697c574
Revises: 1caf693c2723
Create Date: 2026-11-28 04:46:37.346634

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '2e07a697c574'
down_revision = '1caf693c2723'
branch_labels = None
depends_on = None


OLD, NEW = "ix_review_logs_user_reviewed", "ix_review_logs_user_day"
NEW_COLUMNS = ["user_id", "reviewed_at", "source", "state_before"]


def _swap(drop: str, create: str, columns: list[str]) -> None:
    if op.get_context().dialect.name == "postgresql":
        # review_logs is the largest table: build the index without blocking writes.
        with op.get_context().autocommit_block():
            op.create_index(create, "review_logs", columns, postgresql_concurrently=True)
            op.drop_index(drop, table_name="review_logs", postgresql_concurrently=True)
        return
    with op.batch_alter_table("review_logs", schema=None) as batch_op:
        batch_op.drop_index(drop)
        batch_op.create_index(create, columns, unique=False)


def upgrade():
    _swap(OLD, NEW, NEW_COLUMNS)


def downgrade():
    _swap(NEW, OLD, ["user_id", "reviewed_at"])
