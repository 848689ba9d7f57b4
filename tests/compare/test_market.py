"""Market figures: spreads by billing mode and a trend that carries prices forward."""

from datetime import datetime
from decimal import Decimal as D

from catalog.models import PriceHistory
from compare.market import daily_medians, gpu_offers, spread_by_billing
from extensions import db


def test_spread_by_billing(catalog):
    spreads = {s.label: s for s in spread_by_billing(gpu_offers(db.session, "h100-sxm"))}
    # on demand: ¥17.12 (alpha) and ¥10 (beta, out of stock): min 10, median 13.56, max 17.12
    assert (spreads["on_demand"].low, spreads["on_demand"].mid, spreads["on_demand"].high) == \
        (D(10), D("13.56"), D("17.12"))
    assert spreads["on_demand"].vendors == 2
    assert list(spreads) == ["spot", "on_demand", "monthly", "yearly"]


def test_trend_carries_each_price_forward(catalog):
    card, short = catalog["h100_card"], catalog["h100_short"]
    db.session.add(PriceHistory(offer=card, at=datetime(2026, 3, 1), unit_price=D(16), list_currency="CNY",
                                list_unit="card_hour"))
    db.session.commit()
    trend = daily_medians(db.session, [card.id, short.id], "unit_price", group_by_billing=True)
    # 1 Jan: 17.12 and 10 -> 13.56; 1 Mar: card re-priced to 16, the other still 10 -> 13
    assert trend["on_demand"] == [(datetime(2026, 1, 1).date(), D("13.56")), (datetime(2026, 3, 1).date(), D(13))]
