"""offers.deposit: an offer a vendor deposited as idle capacity (the compute bank, issue #14)

Revision ID: 8c272867a728
Revises: f6661e97f2fa
Create Date: 2026-12-03 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '8c272867a728'
down_revision = 'f6661e97f2fa'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deposit', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('deposit')
