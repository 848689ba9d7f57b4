"""bookings: capacity held per hour; order and cart lines get their shape (instances × hours | terms)

Stock now counts instances and is never taken by an order (spec v2): a pending order's lines
held `reserved` units of stock, so those units go back to the offer here, and the column goes.
Those few pending orders (they expire within 32 minutes of checkout) hold no booking: they
stay payable, and a vendor sees them as before. Paid orders keep what they took: the vendor
has set stock since, or will. Cart lines are given a shape where their quantity has one
(a month line: 1 machine × that many months; an hourly line: 1 machine × quantity / count
hours when that is whole); a cart line with no such shape is removed: the buyer adds it again
on the new buy page.

Revision ID: 6ef375aa7c6f
Revises: b7d41e9c2a05
Create Date: 2026-12-03 13:30:00

"""
from datetime import UTC, datetime
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '6ef375aa7c6f'
down_revision = 'b7d41e9c2a05'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'bookings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=False),
        sa.Column('order_line_id', sa.Integer(), nullable=True),
        sa.Column('instances', sa.Integer(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id']),
        sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_offer_state_end', ['offer_id', 'state', 'ends_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_order_line_id'), ['order_line_id'], unique=False)

    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instances', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('terms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('instances', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('terms', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('starts_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('ends_at', sa.DateTime(), nullable=True))

    connection = op.get_bind()
    offers = sa.table('offers', sa.column('id', sa.Integer), sa.column('stock', sa.Integer),
                      sa.column('kind', sa.String), sa.column('billing', sa.String),
                      sa.column('gpu_count', sa.Numeric), sa.column('vcpus', sa.Numeric))
    orders = sa.table('orders', sa.column('id', sa.Integer), sa.column('status', sa.String))
    order_lines = sa.table('order_lines', sa.column('order_id', sa.Integer), sa.column('offer_id', sa.Integer),
                           sa.column('reserved', sa.Integer))
    outbox = sa.table('index_outbox', sa.column('offer_id', sa.Integer), sa.column('op', sa.String),
                      sa.column('indexed', sa.Boolean), sa.column('created_at', sa.DateTime))
    given_back = {}
    for offer_id, reserved in connection.execute(
            sa.select(order_lines.c.offer_id, order_lines.c.reserved)
            .join(orders, orders.c.id == order_lines.c.order_id)
            .where(orders.c.status == 'pending', order_lines.c.reserved > 0, order_lines.c.offer_id.is_not(None))):
        given_back[offer_id] = given_back.get(offer_id, 0) + reserved
    for offer_id, units in given_back.items():
        connection.execute(offers.update().where(offers.c.id == offer_id, offers.c.stock.is_not(None))
                           .values(stock=offers.c.stock + units))
    if given_back:
        now = datetime.now(UTC).replace(tzinfo=None)
        # The stock changed outside the app's write path: the search index hears of it here.
        connection.execute(outbox.insert(), [{"offer_id": i, "op": "upsert", "indexed": False,
                                              "created_at": now} for i in given_back])

    cart_lines = sa.table('cart_lines', sa.column('id', sa.Integer), sa.column('offer_id', sa.Integer),
                          sa.column('quantity', sa.Integer), sa.column('instances', sa.Integer),
                          sa.column('hours', sa.Integer), sa.column('terms', sa.Integer))
    for line_id, quantity, kind, billing, gpu_count, vcpus in connection.execute(
            sa.select(cart_lines.c.id, cart_lines.c.quantity, offers.c.kind, offers.c.billing, offers.c.gpu_count,
                      offers.c.vcpus).join(offers, offers.c.id == cart_lines.c.offer_id)).all():
        if kind == 'token':
            continue
        if billing in ('monthly', 'yearly'):
            connection.execute(cart_lines.update().where(cart_lines.c.id == line_id).values(instances=1, terms=quantity))
            continue
        count = gpu_count if kind == 'gpu' else vcpus
        hours = Decimal(quantity) / Decimal(count) if count else None
        if hours is not None and hours == hours.to_integral_value() and hours >= 1:
            connection.execute(cart_lines.update().where(cart_lines.c.id == line_id)
                               .values(instances=1, hours=int(hours)))
        else:
            connection.execute(cart_lines.delete().where(cart_lines.c.id == line_id))

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('reserved')


def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Integer(), nullable=False, server_default='0'))
        batch_op.drop_column('ends_at')
        batch_op.drop_column('starts_at')
        batch_op.drop_column('terms')
        batch_op.drop_column('hours')
        batch_op.drop_column('instances')
    with op.batch_alter_table('cart_lines', schema=None) as batch_op:
        batch_op.drop_column('starts_at')
        batch_op.drop_column('terms')
        batch_op.drop_column('hours')
        batch_op.drop_column('instances')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_order_line_id'))
        batch_op.drop_index('ix_bookings_offer_state_end')
    op.drop_table('bookings')
