"""Keep what a cart page showed under its checkout token, and read it back at checkout. No Flask.

Kept as long as a cart page's checkout form is worth submitting; older quotes are dropped as new
ones are written, so the table holds about a day of cart views.
"""

from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.models import utcnow
from checkout.models import CheckoutQuote
from checkout.price_change import SeenLine

KEPT_FOR = timedelta(days=1)


def keep_quote(session: Session, checkout_token: str, lines: list[SeenLine]) -> None:
    """Record what the page with this token shows; commits."""
    session.execute(delete(CheckoutQuote).where(CheckoutQuote.created_at < utcnow() - KEPT_FOR))
    session.add(CheckoutQuote(checkout_token=checkout_token, lines=[line.as_json() for line in lines]))
    session.commit()


def seen_quote(session: Session, checkout_token: str) -> list[SeenLine] | None:
    """What the page with this token showed; None when no page showed it (or it is older than KEPT_FOR)."""
    quote = session.scalar(select(CheckoutQuote).where(CheckoutQuote.checkout_token == checkout_token,
                                                       CheckoutQuote.created_at >= utcnow() - KEPT_FOR))
    return None if quote is None else [SeenLine.from_json(line) for line in quote.lines]
