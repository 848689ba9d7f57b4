"""voucher_programs: compute-voucher programmes (算力券, spec §7) loaded from their JSON files

Revision ID: f6661e97f2fa
Revises: 30a8aa089928
Create Date: 2026-12-03 16:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'f6661e97f2fa'
down_revision = '30a8aa089928'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'voucher_programs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name_zh', sa.String(length=200), nullable=False),
        sa.Column('name_en', sa.String(length=200), nullable=False),
        sa.Column('issuer_zh', sa.String(length=200), nullable=False),
        sa.Column('issuer_en', sa.String(length=200), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('budget', sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column('cap_per_company_per_year', sa.Numeric(precision=20, scale=2), nullable=True),
        sa.Column('company_regions', sa.JSON(), nullable=False),
        sa.Column('vendors', sa.JSON(), nullable=False),
        sa.Column('offer_regions', sa.JSON(), nullable=False),
        sa.Column('platform_rate', sa.Numeric(precision=5, scale=4), nullable=False),
        sa.Column('rules', sa.JSON(), nullable=False),
        sa.Column('example', sa.Boolean(), nullable=False),
        sa.Column('how_to_apply_zh', sa.Text(), nullable=True),
        sa.Column('how_to_apply_en', sa.Text(), nullable=True),
        sa.Column('source_url', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )


def downgrade():
    op.drop_table('voucher_programs')
