"""offers: availability, off-peak and token price detail columns (spec v2 section 4.1)

Revision ID: 5b8e2d7c4a10
Revises: b7d2e4f19a30
Create Date: 2026-12-03 13:30:00

"""
import sqlalchemy as sa
from alembic import op

import catalog.money_type

# revision identifiers, used by Alembic.
revision = '5b8e2d7c4a10'
down_revision = 'b7d2e4f19a30'
branch_labels = None
depends_on = None

NORMALIZED = catalog.money_type.Money(precision=20, scale=6)
LISTED = catalog.money_type.Money(precision=24, scale=10)
RATE = catalog.money_type.Money(precision=5, scale=4)
COLUMNS = (
    ('available_from', sa.DateTime()), ('available_to', sa.DateTime()),
    ('available_hours', sa.String(length=11)), ('off_peak_hours', sa.String(length=11)),
    ('off_peak_rate', RATE), ('batch_rate', RATE), ('long_context_threshold', sa.Integer()),
    ('cache_write_price', NORMALIZED), ('long_input_price', NORMALIZED), ('long_output_price', NORMALIZED),
    ('list_cache_write_amount', LISTED), ('list_long_input_amount', LISTED), ('list_long_output_amount', LISTED),
)


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
