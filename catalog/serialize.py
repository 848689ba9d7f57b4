"""Offers as JSON in the spec's shape (section 3): decimals as strings, never floats."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from catalog.models import Offer, PriceHistory
from pricing.availability import local
from pricing.duration_price import DurationPrice
from pricing.line_total import purchase_unit

if TYPE_CHECKING:  # the scope module needs Flask and the search service; serializing does not
    from catalog.program_scope import ProgramScope


def dec(value: Decimal | None) -> str | None:
    """A normalized price at its stored scale: '12.345600'."""
    return None if value is None else format(value, "f")


def plain(value: Decimal | None) -> str | None:
    """A listed amount or a count as the vendor wrote it, without padding zeros: '1.98', '8'."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def when(value: datetime | None) -> str | None:
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def local_when(value: datetime | None) -> str | None:
    """A stored naive-UTC time in Asia/Shanghai with its offset: '2026-12-01T08:00:00+08:00'."""
    shown = local(value)
    return None if shown is None else shown.replace(microsecond=0).isoformat()


def job_json(job: DurationPrice | None) -> dict | None:
    """A job of duration_hours on an offer (GET /api/v1/offers?duration_hours=…); None for tokens."""
    if job is None:
        return None
    return {"hours": job.hours, "billed_hours": job.billed_hours, "terms": job.terms,
            "effective_price": dec(job.effective), "total": dec(job.total)}


def offer_json(offer: Offer) -> dict:
    data = {
        "id": offer.id,
        "vendor": offer.vendor.slug,
        "sku": offer.sku,
        "kind": offer.kind,
        "title": offer.title,
        "description": offer.description,
        "region": offer.region,
        "billing": offer.billing,
        "stock": offer.stock,
        "status": offer.status,
        "list_price": {
            "amount": plain(offer.list_amount),
            "currency": offer.list_currency,
            "unit": offer.list_unit,
        },
        "unit_price": dec(offer.unit_price),
        "currency": "CNY",
        "updated_at": when(offer.updated_at),
        "price_updated_at": when(offer.price_updated_at),
        # Spec 4.1, every kind: null = no limit / not offered.
        "available_from": local_when(offer.available_from),
        "available_to": local_when(offer.available_to),
        "available_hours": offer.available_hours,
        "off_peak_hours": offer.off_peak_hours,
        "off_peak_rate": plain(offer.off_peak_rate),
        "purchase_unit": purchase_unit(offer.kind, offer.billing).value,
    }
    if offer.kind == "gpu":
        data.update(gpu_model=offer.gpu_model, gpu_count=plain(offer.gpu_count),
                    gpu_memory_gb=plain(offer.gpu_memory_gb), vcpus=plain(offer.vcpus), ram_gb=plain(offer.ram_gb),
                    price_per_tflop_hour=dec(offer.price_per_tflop_hour),
                    price_per_gb_hour=dec(offer.price_per_gb_hour))
    elif offer.kind == "cpu":
        data.update(vcpus=plain(offer.vcpus), ram_gb=plain(offer.ram_gb), cpu_arch=offer.cpu_arch)
    else:
        data["list_price"].update(input_amount=plain(offer.list_input_amount),
                                  output_amount=plain(offer.list_output_amount),
                                  cached_input_amount=plain(offer.list_cached_input_amount),
                                  cache_write_amount=plain(offer.list_cache_write_amount),
                                  long_input_amount=plain(offer.list_long_input_amount),
                                  long_output_amount=plain(offer.list_long_output_amount))
        data.update(model=offer.model, context_window=offer.context_window, input_price=dec(offer.input_price),
                    output_price=dec(offer.output_price), cached_input_price=dec(offer.cached_input_price),
                    cache_write_price=dec(offer.cache_write_price), batch_rate=plain(offer.batch_rate),
                    long_context_threshold=offer.long_context_threshold,
                    long_input_price=dec(offer.long_input_price), long_output_price=dec(offer.long_output_price))
    return data


def history_json(entry: PriceHistory) -> dict:
    data = {"at": when(entry.at), "unit_price": dec(entry.unit_price)}
    if entry.input_price is not None:
        data.update(input_price=dec(entry.input_price), output_price=dec(entry.output_price))
    return data


def availability_json(runs: list[tuple[datetime, datetime, int | None]]) -> list[dict]:
    """Free instances per run of hours: [{"from", "to", "free"}], free null where stock is unknown."""
    return [{"from": when(start), "to": when(end), "free": free} for start, end, free in runs]


def program_json(program: "ProgramScope") -> dict:
    """The `program=` filter's programme (an extension of spec §5): the shares are before any company-level limit."""
    return {"code": program.code, "name": {"zh": program.name_zh, "en": program.name_en},
            "in_force": program.in_force, "platform_rate": plain(program.platform_rate),
            "before_company_limits": True}


def voucher_json(program: "ProgramScope", offer: Offer) -> dict | None:
    """An item's rate and normalized price after the government's and the platform's shares, at most."""
    rate = program.rates.get(offer.id)
    if rate is None:
        return None
    return {"program": program.code, "rate": plain(rate), "platform_rate": plain(program.platform_rate),
            "unit_price_after": plain(program.after(offer.id, offer.unit_price))}
