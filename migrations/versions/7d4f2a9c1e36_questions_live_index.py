"""questions: an index of live questions per bank, for the study queue's counts

Revision ID: 7d4f2a9c1e36
Revises: 5c2e8d4a9f10
Create Date: 2026-11-28 11:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7d4f2a9c1e36'
down_revision = '5c2e8d4a9f10'
branch_labels = None
depends_on = None


NAME, COLUMNS = "ix_questions_live", ["retired", "bank_id"]


def upgrade():
    if op.get_context().dialect.name == "postgresql":
        # Without blocking writes; a build that failed halfway leaves an INVALID index, so a
        # second run drops any leftover first.
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="questions", postgresql_concurrently=True,
                          if_exists=True)
            op.create_index(NAME, "questions", COLUMNS, postgresql_concurrently=True)
        return
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.create_index(NAME, COLUMNS, unique=False)


def downgrade():
    if op.get_context().dialect.name == "postgresql":
        with op.get_context().autocommit_block():
            op.drop_index(NAME, table_name="questions", postgresql_concurrently=True,
                          if_exists=True)
        return
    with op.batch_alter_table("questions", schema=None) as batch_op:
        batch_op.drop_index(NAME)
