"""Browse queries over the offers table: filters, sort, pagination and facet counts. No Flask."""

from dataclasses import dataclass

from marshmallow import Schema, ValidationError, fields, pre_load, validate
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer, Vendor
from catalog.registry import Registries, UnknownName
from pricing.units import Billing, Kind

SORTS = {
    "unit_price": (Offer.unit_price.asc(), Offer.id.asc()),
    "-unit_price": (Offer.unit_price.desc(), Offer.id.asc()),
    "price_per_tflop_hour": (Offer.price_per_tflop_hour.is_(None), Offer.price_per_tflop_hour.asc(), Offer.id.asc()),
    "updated_at": (Offer.updated_at.desc(), Offer.id.asc()),
}
FACETS = ("kind", "gpu_model", "region", "vendor")
MAX_PER_PAGE = 100


class OfferQuerySchema(Schema):
    """The query parameters of GET /api/v1/offers (spec section 5)."""

    q = fields.String(validate=validate.Length(max=200))
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    vendor = fields.String(validate=validate.Length(max=64))
    gpu_model = fields.String(validate=validate.Length(max=200))
    model = fields.String(validate=validate.Length(max=200))
    region = fields.String(validate=validate.Length(max=200))
    billing = fields.String(validate=validate.OneOf([b.value for b in Billing]))
    min_gpu_count = fields.Decimal(validate=validate.Range(min=0), allow_nan=False)
    min_gpu_memory_gb = fields.Decimal(validate=validate.Range(min=0), allow_nan=False)
    min_vcpus = fields.Decimal(validate=validate.Range(min=0), allow_nan=False)
    max_unit_price = fields.Decimal(validate=validate.Range(min=0), allow_nan=False)
    in_stock = fields.Boolean()
    include_delisted = fields.Boolean()
    sort = fields.String(load_default="unit_price", validate=validate.OneOf(list(SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))

    @pre_load
    def drop_blanks(self, data, **kwargs):
        return {k: v for k, v in data.items() if isinstance(v, str) and v.strip()} if isinstance(data, dict) else data


@dataclass
class OfferPage:
    total: int
    page: int
    per_page: int
    items: list[Offer]
    facets: dict[str, dict[str, int]]


def _filtered(params: dict, registries: Registries) -> Select:
    """:raise ValidationError: a registry name that resolves to nothing."""
    stmt = select(Offer).join(Vendor)
    if not params.get("include_delisted"):
        stmt = stmt.where(Offer.status == "active")
    if "kind" in params:
        stmt = stmt.where(Offer.kind == params["kind"])
    if "vendor" in params:
        stmt = stmt.where(Vendor.slug == params["vendor"].strip().lower())
    try:
        if "gpu_model" in params:
            stmt = stmt.where(Offer.gpu_model == registries.gpus.resolve(params["gpu_model"]).id)
        if "region" in params:
            stmt = stmt.where(Offer.region.in_(_region_ids(params["region"], registries)))
    except UnknownName as exc:
        field = "gpu_model" if "GPU" in exc.message else "region"
        raise ValidationError({field: [exc.message]}) from None
    if "model" in params:
        stmt = stmt.where(Offer.model == registries.token_models.resolve(params["model"]).id)
    if "billing" in params:
        stmt = stmt.where(Offer.billing == params["billing"])
    for name, column in (("min_gpu_count", Offer.gpu_count), ("min_gpu_memory_gb", Offer.gpu_memory_gb),
                         ("min_vcpus", Offer.vcpus)):
        if name in params:
            stmt = stmt.where(column >= params[name])
    if "max_unit_price" in params:
        stmt = stmt.where(Offer.unit_price <= params["max_unit_price"])
    if params.get("in_stock"):
        stmt = stmt.where(or_(Offer.stock.is_(None), Offer.stock > 0))
    if params.get("q"):
        for word in params["q"].split():
            like = f"%{word}%"
            stmt = stmt.where(or_(Offer.title.ilike(like), Offer.description.ilike(like), Offer.sku.ilike(like),
                                  Offer.gpu_model.ilike(like), Offer.model.ilike(like), Offer.region.ilike(like)))
    return stmt


def _region_ids(text: str, registries: Registries) -> list[str]:
    """A region, or every region of a province or area ('浙江', '华东')."""
    area = registries.regions.in_area(text)
    if area:
        return [r.id for r in area]
    return [registries.regions.resolve(text).id]


def search_offers(session: Session, params: dict, registries: Registries) -> OfferPage:
    """Run validated params (OfferQuerySchema().load output). :raise ValidationError: unknown names."""
    stmt = _filtered(params, registries)
    ids = stmt.with_only_columns(Offer.id).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(ids))
    page, per_page = params.get("page", 1), params.get("per_page", 20)
    items = session.scalars(
        stmt.options(joinedload(Offer.vendor)).order_by(*SORTS[params.get("sort", "unit_price")])
        .limit(per_page).offset((page - 1) * per_page)).all()
    facets = {}
    for name in FACETS:
        column = Vendor.slug if name == "vendor" else getattr(Offer, name)
        rows = session.execute(
            select(column, func.count()).select_from(Offer).join(Vendor).where(Offer.id.in_(select(ids.c.id)))
            .where(column.is_not(None)).group_by(column).order_by(func.count().desc())).all()
        facets[name] = {str(value): count for value, count in rows}
    return OfferPage(total=total, page=page, per_page=per_page, items=list(items), facets=facets)


