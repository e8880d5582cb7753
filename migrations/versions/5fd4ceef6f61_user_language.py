"""users: the interface language a user chose (none: follow the browser)

Revision ID: 5fd4ceef6f61
Revises: 7364d0d1a980
Create Date: 2026-12-03 06:21:05.961113

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5fd4ceef6f61'
down_revision = '7364d0d1a980'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')

