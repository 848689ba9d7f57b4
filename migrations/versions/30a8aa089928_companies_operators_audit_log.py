"""companies (credit code, region, verification), their members and vendors, declared affiliations;
the operator flag on users; the insert-only audit log of operator actions

Revision ID: 30a8aa089928
Revises: c4a9e7d2b1f3
Create Date: 2026-12-03 16:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '30a8aa089928'
down_revision = 'c4a9e7d2b1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'companies',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('credit_code', sa.String(length=18), nullable=False),
        sa.Column('region_id', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('verified_at', sa.DateTime(), nullable=True),
        sa.Column('review_note', sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('credit_code'),
    )
    op.create_table(
        'company_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id']),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id'),
    )
    op.create_index('ix_company_members_company_id', 'company_members', ['company_id'])
    op.create_table(
        'company_vendors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('vendor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id']),
        sa.ForeignKeyConstraint(['vendor_id'], ['vendors.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('vendor_id'),
    )
    op.create_index('ix_company_vendors_company_id', 'company_vendors', ['company_id'])
    op.create_table(
        'company_affiliations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('affiliate_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('company_id < affiliate_id', name='ck_company_affiliation_order'),
        sa.ForeignKeyConstraint(['affiliate_id'], ['companies.id']),
        sa.ForeignKeyConstraint(['company_id'], ['companies.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('company_id', 'affiliate_id', name='uq_company_affiliation'),
    )
    op.create_index('ix_company_affiliations_company_id', 'company_affiliations', ['company_id'])
    op.create_index('ix_company_affiliations_affiliate_id', 'company_affiliations', ['affiliate_id'])
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('subject_type', sa.String(length=32), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_log_actor_id', 'audit_log', ['actor_id'])
    op.create_index('ix_audit_log_at', 'audit_log', ['at'])
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('is_operator', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('is_operator')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_index('ix_audit_log_actor_id', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_index('ix_company_affiliations_affiliate_id', table_name='company_affiliations')
    op.drop_index('ix_company_affiliations_company_id', table_name='company_affiliations')
    op.drop_table('company_affiliations')
    op.drop_index('ix_company_vendors_company_id', table_name='company_vendors')
    op.drop_table('company_vendors')
    op.drop_index('ix_company_members_company_id', table_name='company_members')
    op.drop_table('company_members')
    op.drop_table('companies')
