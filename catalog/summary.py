"""The catalog's shape at a glance, for the home page: counts and today's cheapest card-hour per popular GPU."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import distinct, func, or_, select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer

POPULAR_GPU_MODELS = 8


@dataclass(frozen=True)
class CheapestGpu:
    gpu_model: str
    offer_count: int
    offer: Offer  # the cheapest active, not-sold-out offer of this model

    @property
    def unit_price(self) -> Decimal:
        return self.offer.unit_price


@dataclass(frozen=True)
class CatalogSummary:
    offer_count: int
    vendor_count: int
    gpu_model_count: int
    token_model_count: int
    kind_counts: dict[str, int]
    cheapest_gpus: list[CheapestGpu]


def _buyable():
    return (Offer.status == "active", or_(Offer.stock.is_(None), Offer.stock > 0))


def catalog_summary(session: Session, popular: int = POPULAR_GPU_MODELS) -> CatalogSummary:
    """Count active offers and find the cheapest card-hour of the `popular` most-offered GPU models."""
    active = Offer.status == "active"
    offer_count, vendor_count, gpu_models, token_models = session.execute(
        select(func.count(Offer.id), func.count(distinct(Offer.vendor_id)), func.count(distinct(Offer.gpu_model)),
               func.count(distinct(Offer.model))).where(active)).one()
    kind_counts = dict(session.execute(
        select(Offer.kind, func.count()).where(active).group_by(Offer.kind)).all())
    popular_rows = session.execute(
        select(Offer.gpu_model, func.count().label("n")).where(*_buyable(), Offer.gpu_model.is_not(None))
        .group_by(Offer.gpu_model).order_by(func.count().desc(), Offer.gpu_model).limit(popular)).all()
    cheapest = []
    for gpu_model, count in popular_rows:
        offer = session.scalars(
            select(Offer).options(joinedload(Offer.vendor)).where(*_buyable(), Offer.gpu_model == gpu_model)
            .order_by(Offer.unit_price, Offer.id).limit(1)).first()
        cheapest.append(CheapestGpu(gpu_model=gpu_model, offer_count=count, offer=offer))
    return CatalogSummary(offer_count=offer_count, vendor_count=vendor_count, gpu_model_count=gpu_models,
                          token_model_count=token_models, kind_counts=kind_counts, cheapest_gpus=cheapest)
