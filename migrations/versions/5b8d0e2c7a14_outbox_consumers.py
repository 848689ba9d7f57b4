"""index outbox read per node: outbox_consumers (a position per search index) replaces the shared indexed flag

Revision ID: 5b8d0e2c7a14
Revises: 5b8e2d4f6a13
Create Date: 2026-12-03 13:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '5b8d0e2c7a14'
down_revision = '5b8e2d4f6a13'
branch_labels = None
depends_on = None


def upgrade():
    # No consumer is registered yet: each node's first drain after the upgrade rebuilds its index
    # from the database and registers it (said in its log, /healthz 503 until then).
    op.create_table(
        'outbox_consumers',
        sa.Column('name', sa.String(length=300), nullable=False),
        sa.Column('position', sa.BigInteger(), nullable=False),
        sa.Column('gaps', sa.Text(), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_index_outbox_pending')
        batch_op.drop_column('indexed')


def downgrade():
    with op.batch_alter_table('index_outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indexed', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.create_index('ix_index_outbox_pending', ['indexed', 'id'], unique=False)
    op.drop_table('outbox_consumers')
