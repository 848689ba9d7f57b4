"""Offers for page and summary tests, written straight to the database (the importer has its own tests)."""

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from catalog.models import Offer, PriceHistory, Vendor, utcnow
from extensions import db

_skus = iter(range(1, 1_000_000))


def vendor(slug="acme", name_zh=None, name_en=None) -> Vendor:
    found = db.session.scalar(select(Vendor).where(Vendor.slug == slug))
    if found:
        return found
    found = Vendor(slug=slug, name_zh=name_zh or f"{slug}云", name_en=name_en or f"{slug.title()} Cloud")
    db.session.add(found)
    return found


def gpu_offer(price="1.90", gpu_model="rtx-4090", vendor_slug="acme", title=None, region="cn-hangzhou",
              billing="on_demand", stock=None, count="1", updated: datetime | None = None, **extra) -> Offer:
    offer = Offer(vendor=vendor(vendor_slug), sku=f"sku-{next(_skus)}", kind="gpu",
                  title=title or f"{gpu_model} x{count}", region=region, billing=billing, stock=stock,
                  list_amount=Decimal(price), list_currency="CNY", list_unit="card_hour", unit_price=Decimal(price),
                  gpu_model=gpu_model, gpu_count=Decimal(count), gpu_memory_gb=Decimal(24),
                  price_updated_at=updated or utcnow(), **extra)
    offer.price_history.append(PriceHistory(at=offer.price_updated_at, unit_price=offer.unit_price,
                                            list_amount=offer.list_amount, list_currency="CNY", list_unit="card_hour"))
    db.session.add(offer)
    return offer


def token_offer(input_usd="2.5", output_usd="10", vendor_slug="openai", model="gpt-4o") -> Offer:
    rate = Decimal("7.2")
    cny_in, cny_out = Decimal(input_usd) * rate, Decimal(output_usd) * rate
    offer = Offer(vendor=vendor(vendor_slug, "OpenAI", "OpenAI"), sku=f"sku-{next(_skus)}", kind="token",
                  title="GPT-4o", region="us-east", billing="on_demand", list_input_amount=Decimal(input_usd),
                  list_output_amount=Decimal(output_usd), list_currency="USD", list_unit="1m_tokens",
                  input_price=cny_in, output_price=cny_out, unit_price=(3 * cny_in + cny_out) / 4,
                  model=model, context_window=128000)
    offer.price_history.append(PriceHistory(at=utcnow(), unit_price=offer.unit_price, input_price=cny_in,
                                            output_price=cny_out, list_currency="USD", list_unit="1m_tokens"))
    db.session.add(offer)
    return offer


def reprice(offer: Offer, price: str, days_ago: int) -> None:
    """Give an offer an older price in its history, as a re-import would have left it."""
    at = utcnow() - timedelta(days=days_ago)
    offer.price_history.insert(0, PriceHistory(at=at, unit_price=Decimal(price), list_amount=Decimal(price),
                                               list_currency=offer.list_currency, list_unit=offer.list_unit))
