"""vouchers: applications (with uploaded documents) to a programme, the ledger of government shares; an
order's voucher programme, company and three shares, per line too, and the line's invoice for write-off

Revision ID: f24d751fd4f0
Revises: ad775dbba29d
Create Date: 2026-12-03 18:51:14.981520

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'f24d751fd4f0'
down_revision = 'ad775dbba29d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('voucher_applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('submitted_by_user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('expected_spend', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('quota', sa.Numeric(precision=20, scale=2), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('decided_by_user_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['decided_by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['voucher_programs.id'], ),
    sa.ForeignKeyConstraint(['submitted_by_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('program_id', 'company_id', name='uq_voucher_application')
    )
    with op.batch_alter_table('voucher_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_applications_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_applications_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_applications_status'), ['status'], unique=False)

    op.create_table('voucher_application_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('uploaded_by_user_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['voucher_applications.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('voucher_application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_application_documents_application_id'), ['application_id'], unique=False)

    op.create_table('voucher_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('movement', sa.String(length=8), nullable=False),
    sa.Column('amount', sa.Numeric(precision=20, scale=2), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], ),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], ),
    sa.ForeignKeyConstraint(['program_id'], ['voucher_programs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_id', 'movement', name='uq_voucher_ledger_order_movement')
    )
    with op.batch_alter_table('voucher_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voucher_ledger_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_voucher_ledger_program_company_year', ['program_id', 'company_id', 'year'], unique=False)
        batch_op.create_index(batch_op.f('ix_voucher_ledger_program_id'), ['program_id'], unique=False)

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('government_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('platform_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('company_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('voucher_rate', sa.Numeric(precision=5, scale=4), nullable=True))
        batch_op.add_column(sa.Column('invoice_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('invoice_recorded_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('invoice_recorded_by_user_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_order_lines_invoice_recorded_by', 'users', ['invoice_recorded_by_user_id'], ['id'])

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voucher_program_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('government_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('platform_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('company_share', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.create_index(batch_op.f('ix_orders_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_voucher_program_id'), ['voucher_program_id'], unique=False)
        batch_op.create_foreign_key('fk_orders_company_id', 'companies', ['company_id'], ['id'])
        batch_op.create_foreign_key('fk_orders_voucher_program_id', 'voucher_programs', ['voucher_program_id'], ['id'])



def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_orders_voucher_program_id', type_='foreignkey')
        batch_op.drop_constraint('fk_orders_company_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_orders_voucher_program_id'))
        batch_op.drop_index(batch_op.f('ix_orders_company_id'))
        batch_op.drop_column('company_share')
        batch_op.drop_column('platform_share')
        batch_op.drop_column('government_share')
        batch_op.drop_column('company_id')
        batch_op.drop_column('voucher_program_id')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_constraint('fk_order_lines_invoice_recorded_by', type_='foreignkey')
        batch_op.drop_column('invoice_recorded_by_user_id')
        batch_op.drop_column('invoice_recorded_at')
        batch_op.drop_column('invoice_number')
        batch_op.drop_column('voucher_rate')
        batch_op.drop_column('company_share')
        batch_op.drop_column('platform_share')
        batch_op.drop_column('government_share')

    with op.batch_alter_table('voucher_ledger', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_ledger_program_id'))
        batch_op.drop_index('ix_voucher_ledger_program_company_year')
        batch_op.drop_index(batch_op.f('ix_voucher_ledger_order_id'))

    op.drop_table('voucher_ledger')
    with op.batch_alter_table('voucher_application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_application_documents_application_id'))

    op.drop_table('voucher_application_documents')
    with op.batch_alter_table('voucher_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voucher_applications_status'))
        batch_op.drop_index(batch_op.f('ix_voucher_applications_program_id'))
        batch_op.drop_index(batch_op.f('ix_voucher_applications_company_id'))

    op.drop_table('voucher_applications')
