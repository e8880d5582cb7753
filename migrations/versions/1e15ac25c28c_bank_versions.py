"""banks: a version that every change raises, so the browser editor saves only over what it
showed

Revision ID: 1e15ac25c28c
Revises: 70a89ba917dc
Create Date: 2026-12-03 05:03:24.200046

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1e15ac25c28c'
down_revision = '70a89ba917dc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))



def downgrade():
    with op.batch_alter_table('banks', schema=None) as batch_op:
        batch_op.drop_column('version')

