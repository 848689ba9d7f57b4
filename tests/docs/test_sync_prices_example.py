"""docs/examples/sync_prices.py, run as a vendor would run it, against the app served on a local port."""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from catalog.models import Offer
from catalog.offer_query import OfferQuerySchema, search_offers
from catalog.registry import default_registries
from extensions import db
from tests.vendor_api_support import GPU_COLUMNS, bearer, served, vendor_with_key

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sync_prices.py"


def test_the_example_syncs_prices_and_reports_what_it_could_not(app, client, tmp_path):
    _, _, secret = vendor_with_key("acme@example.com", "acme")
    for sku in ("g-1", "g-2"):
        client.put(f"/api/v1/vendor/offers/{sku}", json=GPU_COLUMNS, headers=bearer(secret))
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps([{"sku": "g-1", "price": "1.20", "stock": 7}, {"sku": "g-2", "price": "1.90"},
                                  {"sku": "gone", "price": "3"}, {"sku": "g-2", "price": "-1"}]), encoding="utf-8")
    with served(app) as base:
        done = subprocess.run([sys.executable, str(EXAMPLE), str(prices), "--base", base], capture_output=True,
                              text=True, timeout=120, env={"MARKET_API_KEY": secret, "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert (summary["updated"], summary["unchanged"]) == (1, 1)
    assert [(e["sku"], e["status"]) for e in summary["errors"]] == [("gone", 404), ("g-2", 400)]
    db.session.expire_all()
    assert db.session.scalar(select(Offer.unit_price).where(Offer.sku == "g-1")) == Decimal("1.2")
    found = search_offers(db.session, OfferQuerySchema().load({"q": "4090", "sort": "unit_price"}),
                          default_registries())
    assert [(o.sku, o.stock) for o in found.items] == [("g-1", 7), ("g-2", 5)]


def test_the_example_refuses_to_run_without_a_key(tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLE), "x.json"], capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 2 and "MARKET_API_KEY" in done.stderr
