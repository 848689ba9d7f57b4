"""import_jobs.attempts: how many times a sheet job was put on the task queue

A job whose worker died is queued again from its lease, at most IMPORT_JOB_MAX_ATTEMPTS
times in all; existing jobs count as queued once.

Revision ID: 5b8e2d4f6a13
Revises: 6ef375aa7c6f
Create Date: 2026-12-03 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b8e2d4f6a13'
down_revision = '6ef375aa7c6f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
