"""A SQL column type that stores Decimal money exactly on PostgreSQL and SQLite alike."""

from decimal import Decimal

from sqlalchemy import Numeric
from sqlalchemy.types import TypeDecorator


class Money(TypeDecorator):
    """NUMERIC(precision, scale) that always gives back a Decimal at the column's scale.

    SQLite has no decimal type: it keeps NUMERIC as a double, exact to 15 significant
    digits, which covers every price we store at these scales. We convert at the edge
    ourselves instead of letting SQLAlchemy warn on each read.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 20, scale: int = 6):
        super().__init__(precision=precision, scale=scale)
        self.scale = scale
        self._quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Numeric(self.impl.precision, self.scale, asdecimal=False))
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = Decimal(value).quantize(self._quantum)
        return float(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            value = Decimal(repr(value))
        return Decimal(value).quantize(self._quantum)
