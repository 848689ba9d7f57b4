"""Keep what a cart page showed under its checkout token, and read it back at checkout. No Flask.

Kept as long as a cart page's checkout form is worth submitting; older quotes are dropped as new
ones are written, so the table holds about a day of cart views.

Stored as {"lines": [...], "share": {...} | null}. Rows written before the voucher share was kept
hold the bare list of lines: they read as "no share seen", so checkout checks no share for them.
"""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.models import utcnow
from checkout.models import CheckoutQuote
from checkout.price_change import SeenLine, SeenShare

KEPT_FOR = timedelta(days=1)


@dataclass(frozen=True)
class SeenQuote:
    lines: list[SeenLine]
    share: SeenShare | None = None  # None: the page showed no split that checkout would apply


def keep_quote(session: Session, checkout_token: str, lines: list[SeenLine], share: SeenShare | None = None) -> None:
    """Record what the page with this token shows; commits."""
    session.execute(delete(CheckoutQuote).where(CheckoutQuote.created_at < utcnow() - KEPT_FOR))
    session.add(CheckoutQuote(checkout_token=checkout_token, lines={
        "lines": [line.as_json() for line in lines], "share": share.as_json() if share is not None else None}))
    session.commit()


def seen_quote(session: Session, checkout_token: str) -> SeenQuote | None:
    """What the page with this token showed; None when no page showed it (or it is older than KEPT_FOR)."""
    quote = session.scalar(select(CheckoutQuote).where(CheckoutQuote.checkout_token == checkout_token,
                                                       CheckoutQuote.created_at >= utcnow() - KEPT_FOR))
    if quote is None:
        return None
    stored = quote.lines
    if isinstance(stored, list):  # written before the share was kept
        return SeenQuote([SeenLine.from_json(line) for line in stored])
    share = stored.get("share")
    return SeenQuote([SeenLine.from_json(line) for line in stored["lines"]],
                     SeenShare.from_json(share) if share else None)
