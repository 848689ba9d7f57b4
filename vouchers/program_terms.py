"""A stored programme and a catalog offer as what the pure voucher split reads (pricing.voucher_split)."""

from datetime import date, datetime
from decimal import Decimal

from catalog.models import Offer
from catalog.registry import RegionRegistry, Registries
from pricing.availability import SHANGHAI
from pricing.voucher_split import Rule, Terms, VoucherLine
from vouchers.models import VoucherProgram


def today_in_china(now: datetime | None = None) -> date:
    """The programme's dates are Beijing dates."""
    return (now.astimezone(SHANGHAI) if now else datetime.now(SHANGHAI)).date()


def covered_regions(ids: list[str], regions: RegionRegistry) -> frozenset[str]:
    """Region ids a list covers: each id itself, and for a province-level id (`cn-zhejiang`) every
    region of that province (`cn-hangzhou`, `cn-jiaxing`)."""
    out: set[str] = set()
    for ident in ids:
        out.add(ident)
        region = regions.get(ident)
        if region is not None and region.province_en and region.name_en == region.province_en:
            out |= {r.id for r in regions.regions.values()
                    if r.country == region.country and r.province_en == region.province_en}
    return frozenset(out)


def terms_of(program: VoucherProgram, regions: RegionRegistry) -> Terms:
    return Terms(
        rules=tuple(Rule(Decimal(rule["rate"]), rule.get("when") or {}) for rule in program.rules),
        platform_rate=program.platform_rate, vendors=frozenset(program.vendors),
        offer_regions=covered_regions(program.offer_regions, regions),
        cap_per_company_per_year=program.cap_per_company_per_year,
        valid_from=program.valid_from, valid_to=program.valid_to)


def voucher_line(offer: Offer, total: Decimal, registries: Registries) -> VoucherLine:
    """The offer's facts a rule can match, with the registry's flags (an unknown model has neither)."""
    gpu = registries.gpus.get(offer.gpu_model) if offer.gpu_model else None
    token_model = registries.token_models.get(offer.model) if offer.model else None
    return VoucherLine(total=total, kind=offer.kind, billing=offer.billing, vendor=offer.vendor.slug,
                       region=offer.region, gpu_model=offer.gpu_model, model=offer.model,
                       domestic_chip=bool(gpu and gpu.domestic_chip),
                       filed_model=bool(token_model and token_model.filed_model))
