"""import job leases (worker, lease_expires_at) and upload expiry (expired_at)

Revision ID: 3f7c2a9d4e61
Revises: 8ad589d47202
Create Date: 2026-12-03 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f7c2a9d4e61'
down_revision = '8ad589d47202'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('lease_expires_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('sheet_uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expired_at', sa.DateTime(), nullable=True))
    # Jobs left "running" by the old in-process threads have no worker to finish them.
    op.execute("UPDATE import_jobs SET status = 'failed', message = "
               "'处理任务的进程已停止，未做任何更改；请重试 / the worker stopped and nothing was applied. Please retry' "
               "WHERE status IN ('queued', 'running')")


def downgrade():
    with op.batch_alter_table('sheet_uploads', schema=None) as batch_op:
        batch_op.drop_column('expired_at')
    with op.batch_alter_table('import_jobs', schema=None) as batch_op:
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('worker')
