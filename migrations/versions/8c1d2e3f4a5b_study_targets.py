"""study targets (a day and a recall per scope) and days off

Revision ID: 8c1d2e3f4a5b
Revises: 2f507ddb704e
Create Date: 2026-12-03 11:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8c1d2e3f4a5b'
down_revision = '2f507ddb704e'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'study_targets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('class_id', sa.Integer(), nullable=True),
        sa.Column('scope', sa.String(length=200), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('recall', sa.Float(), nullable=True),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(user_id IS NULL) <> (class_id IS NULL)',
                           name='ck_study_targets_one_owner'),
        sa.ForeignKeyConstraint(['class_id'], ['classes.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('class_id', 'scope', name='uq_study_targets_class_scope'),
        sa.UniqueConstraint('user_id', 'scope', name='uq_study_targets_user_scope'),
    )
    with op.batch_alter_table('study_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_study_targets_class_id'), ['class_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_study_targets_user_id'), ['user_id'],
                              unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('days_off', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('days_off')
    with op.batch_alter_table('study_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_study_targets_user_id'))
        batch_op.drop_index(batch_op.f('ix_study_targets_class_id'))
    op.drop_table('study_targets')
