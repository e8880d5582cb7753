"""card states: the queue's due counts read only the (user, due) index

Revision ID: b81c5e3f0a47
Revises: 3a8e5b7d2c14
Create Date: 2026-11-28 18:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b81c5e3f0a47'
down_revision = '3a8e5b7d2c14'
branch_labels = None
depends_on = None


OLD, NEW = "ix_card_states_user_due", "ix_card_states_user_due_state"
NEW_COLUMNS = ["user_id", "due", "state", "question_id"]


def _swap(drop: str, create: str, columns: list[str]) -> None:
    if op.get_context().dialect.name == "postgresql":
        # Every rating writes card_states: build the index without blocking writes.
        with op.get_context().autocommit_block():
            op.create_index(create, "card_states", columns, postgresql_concurrently=True)
            op.drop_index(drop, table_name="card_states", postgresql_concurrently=True)
        return
    with op.batch_alter_table("card_states", schema=None) as batch_op:
        batch_op.drop_index(drop)
        batch_op.create_index(create, columns, unique=False)


def upgrade():
    _swap(OLD, NEW, NEW_COLUMNS)


def downgrade():
    _swap(NEW, OLD, ["user_id", "due"])
