"""Book a schedule: one order through checkout, a line per block, each holding its hours. No Flask.

The blocks come back from the page as `offer_id@start@hours` (start in UTC, ISO); what they cost
and whether their hours are still free is decided here and in checkout, never taken from the form.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from catalog.models import Offer
from checkout import Wanted, place_order
from pricing.currency import FxTable
from pricing.line_shape import instances_for

MAX_BLOCKS = 200


class BadBlocks(ValueError):
    """The blocks field cannot be read, or names an offer that is not a GPU offer."""


def block_text(blocks) -> str:
    """The page's hidden field: the schedule's blocks as offer_id@start@hours, comma-separated."""
    return ",".join(f"{b.candidate.offer_id}@{b.start.isoformat()}@{b.hours}" for b in blocks)


def parse_blocks(text: str) -> list[tuple[int, datetime, int]]:
    """:raise BadBlocks: not offer_id@start@hours items, or too many."""
    items = [part for part in (text or "").split(",") if part]
    if not items or len(items) > MAX_BLOCKS:
        raise BadBlocks("no blocks")
    out = []
    for item in items:
        try:
            offer_id, start, hours = item.split("@")
            out.append((int(offer_id), datetime.fromisoformat(start), int(hours)))
        except ValueError:
            raise BadBlocks(item) from None
        if out[-1][1].tzinfo is not None or out[-1][2] < 1:
            raise BadBlocks(item)
    return out


def book_schedule(session: Session, blocks: list[tuple[int, datetime, int]], *, cards: int, email: str,
                  user_id: int | None, checkout_token: str, fx: FxTable):
    """Place one order with a line per block (off-peak hours at the off-peak rate), holding each block's instances.

    :raise checkout.OutOfStock: an hour of a block was taken since the schedule was shown (nothing held).
    :raise checkout.OfferUnavailable: an offer is gone.
    :raise BadBlocks: an offer that is not a GPU offer.
    """
    wanted = []
    for offer_id, start, hours in blocks:
        offer = session.get(Offer, offer_id)
        if offer is None or offer.kind != "gpu" or not offer.gpu_count:
            raise BadBlocks(str(offer_id))
        wanted.append(Wanted(offer_id, instances=instances_for(cards, Decimal(offer.gpu_count)), hours=hours,
                             start=start, off_peak_priced=True))
    return place_order(session, wanted, email=email, user_id=user_id, checkout_token=checkout_token, fx=fx)
