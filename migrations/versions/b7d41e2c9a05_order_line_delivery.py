"""order line delivery: delivery_state, the deliveries record and the buyer's access notes

Revision ID: b7d41e2c9a05
Revises: 3c5e1f0a9b21
Create Date: 2026-12-03 13:20:00

"""
import sqlalchemy as sa
from alembic import op

import catalog.money_type

# revision identifiers, used by Alembic.
revision = 'b7d41e2c9a05'
down_revision = '3c5e1f0a9b21'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_state', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_order_lines_delivery_state'), ['delivery_state'], unique=False)
    # Lines of orders paid before delivery existed wait for their vendor like new ones.
    op.execute("UPDATE order_lines SET delivery_state = 'paid' "
               "WHERE order_id IN (SELECT id FROM orders WHERE status = 'paid')")
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('amount', catalog.money_type.Money(precision=24, scale=10), nullable=True),
    sa.Column('unit', sa.String(length=16), nullable=True),
    sa.Column('by_user_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], ),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('order_line_id', 'state', name='uq_delivery_line_state')
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_order_line_id'), ['order_line_id'], unique=False)
    op.create_table('delivery_access_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('shown_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['deliveries.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('delivery_id')
    )


def downgrade():
    op.drop_table('delivery_access_notes')
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deliveries_order_line_id'))
    op.drop_table('deliveries')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_delivery_state'))
        batch_op.drop_column('delivery_state')
