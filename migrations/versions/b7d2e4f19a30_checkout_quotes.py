"""checkout_quotes: what each cart page showed, so checkout can stop when a price changed since

Revision ID: b7d2e4f19a30
Revises: b7d41e2c9a05
Create Date: 2026-12-03 13:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b7d2e4f19a30'
down_revision = 'b7d41e2c9a05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkout_quotes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checkout_token', sa.String(length=64), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('checkout_token')
    )
    with op.batch_alter_table('checkout_quotes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkout_quotes_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('checkout_quotes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkout_quotes_created_at'))
    op.drop_table('checkout_quotes')
