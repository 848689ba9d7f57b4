"""vendors: folded name keys, unique, so no vendor shows itself under another's name

Revision ID: 3c5e1f0a9b21
Revises: 3f7c2a9d4e61
Create Date: 2026-12-03 08:40:00

"""
import unicodedata

import sqlalchemy as sa
from alembic import op


def vendor_name_key(name):
    """catalog.models.vendor_name_key as of this revision (pricing.text.fold), frozen here."""
    return unicodedata.normalize("NFKC", name or "").strip().lower() or None


# revision identifiers, used by Alembic.
revision = '3c5e1f0a9b21'
down_revision = '3f7c2a9d4e61'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('name_en_key', sa.String(length=200), nullable=True))

    # Fill the keys from the names. Where two existing vendors already share a folded name, the
    # older keeps the key and the later one is left NULL (allowed twice by a unique constraint)
    # until its profile is saved again, when the form asks for a name of its own.
    vendors = sa.table('vendors', sa.column('id', sa.Integer), sa.column('name_zh', sa.String),
                       sa.column('name_en', sa.String), sa.column('name_zh_key', sa.String),
                       sa.column('name_en_key', sa.String))
    connection = op.get_bind()
    taken = {'name_zh_key': set(), 'name_en_key': set()}
    for row in connection.execute(sa.select(vendors.c.id, vendors.c.name_zh, vendors.c.name_en)
                                  .order_by(vendors.c.id)).all():
        values = {}
        for column, name in (('name_zh_key', row.name_zh), ('name_en_key', row.name_en)):
            key = vendor_name_key(name)
            if key is not None and key not in taken[column]:
                taken[column].add(key)
                values[column] = key
        if values:
            connection.execute(vendors.update().where(vendors.c.id == row.id).values(**values))

    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_vendors_name_zh_key'), ['name_zh_key'])
        batch_op.create_unique_constraint(batch_op.f('uq_vendors_name_en_key'), ['name_en_key'])


def downgrade():
    with op.batch_alter_table('vendors', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_vendors_name_en_key'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_vendors_name_zh_key'), type_='unique')
        batch_op.drop_column('name_en_key')
        batch_op.drop_column('name_zh_key')
