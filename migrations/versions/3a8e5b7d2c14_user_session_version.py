"""users: a session version, so that changing the password logs out other browsers

Revision ID: 3a8e5b7d2c14
Revises: 7d4f2a9c1e36
Create Date: 2026-11-28 11:40:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '3a8e5b7d2c14'
down_revision = '7d4f2a9c1e36'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing user starts at 0, the version their current sessions' bare ids stand
    # for: nobody is logged out by the upgrade.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))


def downgrade():
    # Upgrading again puts every user back at 0: sessions from before any password change
    # would count again until the next one.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
