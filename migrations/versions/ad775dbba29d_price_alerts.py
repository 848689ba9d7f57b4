"""price alerts: price_alerts (a buyer's threshold per GPU or token model, with its crossing state) and
alert_notifications (one per crossing, unique per alert and crossing)

Revision ID: ad775dbba29d
Revises: 8c272867a728
Create Date: 2026-12-03 16:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'ad775dbba29d'
down_revision = '8c272867a728'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'price_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('model', sa.String(length=120), nullable=False),
        sa.Column('region', sa.String(length=64), nullable=True),
        sa.Column('billing', sa.String(length=16), nullable=True),
        sa.Column('threshold', sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('below', sa.Boolean(), nullable=False),
        sa.Column('crossings', sa.Integer(), nullable=False),
        sa.Column('last_price', sa.Numeric(precision=20, scale=6), nullable=True),
        sa.Column('checked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('price_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_alerts_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_alerts_model'), ['model'], unique=False)
    op.create_table(
        'alert_notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('crossing', sa.Integer(), nullable=False),
        sa.Column('price', sa.Numeric(precision=20, scale=6), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('emailed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['alert_id'], ['price_alerts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('alert_id', 'crossing', name='uq_alert_notification_crossing'),
    )
    with op.batch_alter_table('alert_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_notifications_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('alert_notifications')
    op.drop_table('price_alerts')
