"""Browse queries: free text, filters, sort, pagination and facet counts. No Flask.

Two paths give the same answer. The fast path asks the text engine for the offers matching
the words and answers filters, sort and facets from the in-memory snapshot
(catalog.snapshot). The SQL path answers everything from the offers table; it is the
fallback when no search service is set up and the yardstick the tests hold the fast path to.
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from itertools import combinations

import numpy as np
from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema
from sqlalchemy import BigInteger, Select, and_, bindparam, case, cast, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer, Vendor
from catalog.question import Question, understand
from catalog.registry import Registries, UnknownName
from catalog.search_service import SearchService, service_for
from catalog.search_text import TextBuilder
from catalog.snapshot import NULL, SCALES, from_micros
from pricing.availability import AvailabilityError, parse_local_time
from pricing.available_span import always_covers, covers_an_hour
from pricing.capacity import Availability, parse_daily
from pricing.duration_price import MAX_DURATION_HOURS, MIN_DURATION_HOURS, rank_multiplier
from pricing.units import Billing, Kind
from web import caches

SORTS = {
    "unit_price": (Offer.unit_price.asc(), Offer.id.asc()),
    "-unit_price": (Offer.unit_price.desc(), Offer.id.asc()),
    "price_per_tflop_hour": (Offer.price_per_tflop_hour.is_(None), Offer.price_per_tflop_hour.asc(), Offer.id.asc()),
    "-price_per_tflop_hour": (Offer.price_per_tflop_hour.is_(None), Offer.price_per_tflop_hour.desc(),
                              Offer.id.asc()),
    "updated_at": (Offer.updated_at.desc(), Offer.id.asc()),
    # The price per card-hour (core-hour) a job of `duration_hours` really pays: see sql_order.
    "effective_price": (),
    "-effective_price": (),
}
EFFECTIVE = "effective_price"
EFFECTIVE_SORTS = (EFFECTIVE, f"-{EFFECTIVE}")
# spec §5's keys, plus "model": counts per token model (only token offers carry one).
FACETS = ("kind", "gpu_model", "region", "vendor", "billing", "model")
MAX_PER_PAGE = 100
# Bounds beyond any real offer; also keeps "1e999999" out of integer maths.
MAX_NUMBER = Decimal(10) ** 12


# Beyond any offer's span, and far from datetime's limits (the span check steps 48 hours either way).
SPAN_YEARS = (1970, 9000)


class LocalTime(fields.Field):
    """An ISO date or date-time, Asia/Shanghai unless it names an offset, as naive UTC (spec §4.1's
    reading); `end_of_day`: a date alone is the end of that day."""

    def __init__(self, end_of_day: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = parse_local_time(str(value), end_of_day=self.end_of_day)
        except AvailabilityError as exc:
            raise ValidationError(str(exc)) from None
        except OverflowError:  # 0001-01-01 or 9999-12-31 moved to UTC
            moment = None
        if moment is None or not SPAN_YEARS[0] <= moment.year <= SPAN_YEARS[1]:
            raise ValidationError(f"须在 {SPAN_YEARS[0]} 至 {SPAN_YEARS[1]} 年之间：{value!r} / "
                                  f"must be between the years {SPAN_YEARS[0]} and {SPAN_YEARS[1]}: {value!r}")
        return moment


class OfferQuerySchema(Schema):
    """The query parameters of GET /api/v1/offers (spec section 5)."""

    q = fields.String(validate=validate.Length(max=200))
    kind = fields.String(validate=validate.OneOf([k.value for k in Kind]))
    vendor = fields.String(validate=validate.Length(max=64))
    gpu_model = fields.String(validate=validate.Length(max=200))
    model = fields.String(validate=validate.Length(max=200))
    region = fields.String(validate=validate.Length(max=200))
    billing = fields.String(validate=validate.OneOf([b.value for b in Billing]))
    min_gpu_count = fields.Decimal(validate=validate.Range(min=0, max=MAX_NUMBER), allow_nan=False)
    min_gpu_memory_gb = fields.Decimal(validate=validate.Range(min=0, max=MAX_NUMBER), allow_nan=False)
    min_vcpus = fields.Decimal(validate=validate.Range(min=0, max=MAX_NUMBER), allow_nan=False)
    min_unit_price = fields.Decimal(validate=validate.Range(min=0, max=MAX_NUMBER), allow_nan=False)
    max_unit_price = fields.Decimal(validate=validate.Range(min=0, max=MAX_NUMBER), allow_nan=False)
    in_stock = fields.Boolean()
    # Extensions of spec §5: offers usable for at least one whole hour between the two (either may be
    # left open; pricing/available_span.py), and offers with an off-peak price.
    available_from = LocalTime()
    available_to = LocalTime(end_of_day=True)
    off_peak = fields.Boolean()
    # An extension of spec §5: only the offers a voucher programme pays for (spec §7). The view adds
    # its query (`program_select`, the SQL path) and ids (`program_ids`, the snapshot path) from
    # catalog.program_scope; without them it matches none.
    program = fields.String(validate=validate.Length(max=64))
    include_delisted = fields.Boolean()
    sort = fields.String(load_default="unit_price", validate=validate.OneOf(list(SORTS)))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    # An extension of spec §5: the job's length in hours; prices then include the billing term.
    duration_hours = fields.Integer(validate=validate.Range(min=MIN_DURATION_HOURS, max=MAX_DURATION_HOURS))

    @pre_load
    def drop_blanks(self, data, **kwargs):
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if isinstance(v, str) and v.strip()}
        if "duration_hours" in data and "sort" not in data:
            data["sort"] = EFFECTIVE  # a job's length ranks by what the job really pays
        return data

    @validates_schema
    def effective_needs_duration(self, data, **kwargs):
        if data.get("sort") in EFFECTIVE_SORTS and "duration_hours" not in data:
            raise ValidationError(["sorting by effective_price needs duration_hours"], "duration_hours")

    @validates_schema
    def span_in_order(self, data, **kwargs):
        start, end = data.get("available_from"), data.get("available_to")
        if start is not None and end is not None and end <= start:
            raise ValidationError("可用结束须晚于可用开始 / available_to must be after available_from", "available_to")


# Built once: a Schema deep-copies its fields when made (~0.3 ms), and load() keeps no state.
caches.register(
    "query-schemas", __name__, holds="the browse/API query schemas, built once (marshmallow)",
    key="strict or lenient", bound="2 schema objects", invalidated_by=caches.Invalidation.NEVER,
    catalog_facts=False)
QUERY_SCHEMA = OfferQuerySchema()
QUERY_SCHEMA_LENIENT = OfferQuerySchema(unknown=EXCLUDE)  # pages: other URL parameters are not filters


@dataclass
class OfferPage:
    total: int
    page: int
    per_page: int
    items: list[Offer]
    facets: dict[str, dict[str, int]]
    corrected: dict[str, str] = field(default_factory=dict)  # typed word -> the word searched for
    understood: Question | None = None  # how the search box's text was read (catalog.question)
    relaxed: tuple[str, ...] = ()  # what was left out (as typed) because nothing matched it all
    # Where a buyer can go when even the relaxed search finds nothing: GPU model ids like a typed word.
    similar_gpus: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextPart:
    """One thing the text must match: a word, or an either-of group of names.

    `members`: per name, its index-term groups (every group must match: "deepseek-v3" is two);
    an offer matches the part when it matches any member. `words`: the members as typed, for the
    SQL path without a text engine (substring match).
    """

    label: str
    members: tuple[tuple[tuple[str, ...], ...], ...]
    words: tuple[str, ...]
    names: bool = False  # names a GPU or model: the last thing relaxation leaves out


def _resolved(params: dict, registries: Registries) -> dict:
    """Registry names in params as ids. :raise ValidationError: a name that resolves to nothing."""
    out = {}
    try:
        if "gpu_model" in params:
            out["gpu_model"] = registries.gpus.resolve(params["gpu_model"]).id
        if "region" in params:
            out["region"] = _region_ids(params["region"], registries)
    except UnknownName as exc:
        field_name = "gpu_model" if "GPU" in exc.message else "region"
        raise ValidationError({field_name: [exc.message]}) from None
    if "model" in params:
        try:
            out["model"] = registries.token_models.resolve(params["model"]).id
        except UnknownName as exc:
            raise ValidationError({"model": [exc.message]}) from None
    return out


SPAN_PARAMS = ("available_from", "available_to")
# What catalog.program_scope adds to params for `program`: its query and ids stand for its fingerprint.
PROGRAM_DERIVED = ("program_select", "program_ids")


def in_span(params: dict, starts, ends, daily: str | None) -> bool:
    """Whether an offer with this availability matches the params' "available between" (both paths ask this)."""
    window = Availability(starts=starts, ends=ends, daily=parse_daily(daily) if daily else None)
    return covers_an_hour(window, params.get("available_from"), params.get("available_to"))


def _span_ids(session: Session, params: dict) -> list[int] | None:
    """The offers with availability limits that match the span (those without match unless the span is
    under an hour); None when the params ask no span."""
    if not any(p in params for p in SPAN_PARAMS):
        return None
    rows = session.execute(select(Offer.id, Offer.available_from, Offer.available_to, Offer.available_hours).where(
        or_(Offer.available_from.is_not(None), Offer.available_to.is_not(None), Offer.available_hours.is_not(None))))
    return [i for i, starts, ends, daily in rows if in_span(params, starts, ends, daily)]


def _filtered(params: dict, registries: Registries, text_ids: np.ndarray | None = None,
              parts: tuple[TextPart, ...] = (), span_ids: list[int] | None = None) -> Select:
    """:raise ValidationError: a registry name that resolves to nothing."""
    stmt = select(Offer).join(Vendor)
    if not params.get("include_delisted"):
        stmt = stmt.where(Offer.status == "active")
    if "kind" in params:
        stmt = stmt.where(Offer.kind == params["kind"])
    if "vendor" in params:
        stmt = stmt.where(Vendor.slug == params["vendor"].strip().lower())
    names = _resolved(params, registries)
    if "gpu_model" in names:
        stmt = stmt.where(Offer.gpu_model == names["gpu_model"])
    if "region" in names:
        stmt = stmt.where(Offer.region.in_(names["region"]))
    if "model" in names:
        stmt = stmt.where(Offer.model == names["model"])
    if "billing" in params:
        stmt = stmt.where(Offer.billing == params["billing"])
    for name, column in (("min_gpu_count", Offer.gpu_count), ("min_gpu_memory_gb", Offer.gpu_memory_gb),
                         ("min_vcpus", Offer.vcpus)):
        if name in params:
            stmt = stmt.where(column >= params[name])
    if "min_unit_price" in params:
        stmt = stmt.where(Offer.unit_price >= params["min_unit_price"])
    if "max_unit_price" in params:
        stmt = stmt.where(Offer.unit_price <= params["max_unit_price"])
    if params.get("in_stock"):
        stmt = stmt.where(or_(Offer.stock.is_(None), Offer.stock > 0))
    if params.get("off_peak"):
        stmt = stmt.where(Offer.off_peak_rate.is_not(None))
    if span_ids is not None:
        limited = Offer.id.in_(bindparam("span_ids", span_ids, expanding=True, literal_execute=True))
        if always_covers(params.get("available_from"), params.get("available_to")):
            limited = or_(and_(Offer.available_from.is_(None), Offer.available_to.is_(None),
                               Offer.available_hours.is_(None)), limited)
        stmt = stmt.where(limited)
    if "program" in params:
        eligible = params.get("program_select")
        stmt = stmt.where(false() if eligible is None else Offer.id.in_(eligible))
    if text_ids is not None:
        ids = [int(i) for i in text_ids]
        stmt = stmt.where(Offer.id.in_(bindparam("text_ids", ids, expanding=True, literal_execute=True)))
    else:
        for part in parts:
            stmt = stmt.where(or_(*(_like(word) for word in part.words)))
    return stmt


def _like(word: str):
    like = f"%{word}%"
    return or_(Offer.title.ilike(like), Offer.description.ilike(like), Offer.sku.ilike(like),
               Offer.gpu_model.ilike(like), Offer.model.ilike(like), Offer.region.ilike(like))


def _region_ids(text: str, registries: Registries) -> list[str]:
    """A region, or every region of a province or area ('浙江', '华东')."""
    area = registries.regions.in_area(text)
    if area:
        return [r.id for r in area]
    return [registries.regions.resolve(text).id]


def search_offers(session: Session, params: dict, registries: Registries, *, use_sql: bool = False) -> OfferPage:
    """Run validated params (OfferQuerySchema().load output). :raise ValidationError: unknown names.

    The free text `q` is read as a question first (catalog.question); when nothing matches all it
    asks, the closest search that finds something is answered instead, saying what it left out.
    """
    service = None if use_sql else service_for(session)
    return _search(session, params, registries, service, fast=service is not None)


def offers_by_id(session: Session, ids: list[int]) -> list[Offer]:
    """These offers, in this order, read-only: from the search service's offer cache when it runs
    (catalog/offer_records.py), else straight from the database. Unknown ids are left out."""
    service = service_for(session)
    if service is not None:
        return service.offers(ids, session.connection)
    found = {o.id: o for o in session.scalars(
        select(Offer).options(joinedload(Offer.vendor)).where(Offer.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def sql_search(session: Session, params: dict, registries: Registries,
               service: SearchService | None = None) -> OfferPage:
    """The SQL path; with a service, free text still comes from its engine (so both paths agree)."""
    return _search(session, params, registries, service or service_for(session), fast=False)


caches.register(
    "text-builders", __name__, holds="the registry-derived word -> concept table (TextBuilder) for searches "
    "with no search service (the SQL fallback)", key="the Registries object (weakly)",
    bound="one per loaded registries (~1 MB)", invalidated_by=caches.Invalidation.NEVER, catalog_facts=False)
_builders: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# Relaxation tries leaving out pairs of conditions only up to this many (28 counts).
RELAX_PAIRS_UP_TO = 8


def _builder(service: SearchService | None, registries: Registries) -> TextBuilder:
    if service is not None:
        return service.builder
    builder = _builders.get(registries)
    if builder is None:
        builder = _builders[registries] = TextBuilder(registries)
    return builder


@dataclass
class _Read:
    """A search's params with the question's filters merged in and its text as parts."""

    params: dict
    parts: tuple[TextPart, ...]
    question: Question | None = None
    corrected: dict[str, str] = field(default_factory=dict)
    from_question: tuple[str, ...] = ()  # params keys that came from the question (relaxable)


def _read(params: dict, registries: Registries, service: SearchService | None) -> _Read:
    if not params.get("q"):
        return _Read(params, ())
    question = understand(params["q"], _builder(service, registries))
    merged = {k: v for k, v in params.items() if k != "q"}
    words = list(question.words)
    taken = []
    for key, value in question.filters.items():
        if key == "sort":
            if merged.get("sort", "unit_price") == "unit_price":  # only over the default order
                merged["sort"] = value
        elif key in merged:
            # The URL's filter wins; a different place or bound typed still has to match as words.
            if key != "kind" and merged[key] != value:
                words.append(question.typed(key))
        else:
            merged[key] = value
            taken.append(key)
    corrected: dict[str, str] = {}
    parts: list[TextPart] = []
    for word in dict.fromkeys(words):
        part = _part(word, (word,), service, corrected)
        if part is not None:
            parts.append(part)
    for group in question.either:
        part = _part(" / ".join(group), group, service, corrected, names=True)
        if part is not None:
            parts.append(part)
    return _Read(merged, tuple(parts), question, corrected, tuple(taken))


def _part(label: str, words: tuple[str, ...], service: SearchService | None, corrected: dict,
          names: bool = False) -> TextPart | None:
    if service is None:
        return TextPart(label, tuple(((w,),) for w in words), words, names)
    members = []
    for word in words:
        parsed = service.parse(word)
        corrected.update(parsed.corrected)
        names = names or any(t.startswith(("g:", "m:")) for g in parsed.groups for t in g[1:])
        if parsed.groups:
            members.append(parsed.groups)
    return TextPart(label, tuple(members), words, names) if members else None


def _search(session: Session, params: dict, registries: Registries, service: SearchService | None,
            fast: bool) -> OfferPage:
    read = _read(params, registries, service)
    if fast:
        def run(p, parts):
            return _fast_search(session, service, p, registries, parts)

        def counts(conditions, drops):
            return _fast_counts(service, read, registries, conditions, drops)
    else:
        def run(p, parts):
            return _sql_page(session, p, registries, service, parts)

        def counts(conditions, drops):
            return [_sql_count(session, *_without(read, conditions, drop), registries, service) for drop in drops]

    page = run(read.params, read.parts)
    relaxed: tuple[str, ...] = ()
    if page.total == 0 and read.question is not None:
        found = _relax(read, counts)
        if found is not None:
            params, parts, relaxed = found
            page = run(params, parts)
    page.corrected, page.understood, page.relaxed = read.corrected, read.question, relaxed
    if page.total == 0 and read.question is not None:
        page.similar_gpus = _similar_gpus(read.question, registries)
    return page


@dataclass(frozen=True)
class _Condition:
    """A part of the question relaxation may leave out: a text part, or a params key read from it."""

    label: str  # as typed
    names: bool  # names a GPU or model
    part: TextPart | None = None
    key: str | None = None


def _conditions(read: _Read) -> list[_Condition]:
    out = [_Condition(p.label, p.names, part=p) for p in read.parts]
    return out + [_Condition(read.question.typed(k), False, key=k) for k in read.from_question]


def _without(read: _Read, conditions: list[_Condition], drop: tuple[int, ...]) -> tuple[dict, tuple[TextPart, ...]]:
    """The params and text parts of the search with these conditions left out."""
    keys = {conditions[i].key for i in drop}
    parts = [conditions[i].part for i in drop]
    return ({k: v for k, v in read.params.items() if k not in keys},
            tuple(p for p in read.parts if all(p is not q for q in parts)))


def _relax(read: _Read, counts: Callable[[list[_Condition], list[tuple[int, ...]]], list[int]]
           ) -> tuple[dict, tuple[TextPart, ...], tuple[str, ...]] | None:
    """The closest search that finds something, leaving out one condition of the question (or two).

    Conditions are its words and either-of groups and the filters read from it. Of the ways that
    find something, the one that leaves out no GPU or model name wins, then the one finding the
    fewest offers: it drops the condition that mattered least to what was asked.
    """
    conditions = _conditions(read)
    if not conditions:
        return None
    # Leaving out everything typed is no longer an answer to it, unless filters of the URL remain.
    others = set(read.params) - set(read.from_question) - {"sort", "page", "per_page", "include_delisted"}
    sizes = (1, 2) if len(conditions) <= RELAX_PAIRS_UP_TO else (1,)
    for size in sizes:
        if size >= len(conditions) and not others:
            break
        drops = list(combinations(range(len(conditions)), size))
        found = [(sum(conditions[i].names for i in drop), n, drop)
                 for drop, n in zip(drops, counts(conditions, drops), strict=True) if n]
        if found:
            drop = min(found)[2]
            return (*_without(read, conditions, drop), tuple(conditions[i].label for i in drop))
    return None


def _similar_gpus(question: Question, registries: Registries) -> tuple[str, ...]:
    out: list[str] = []
    for word in (*question.words, *(w for group in question.either for w in group)):
        if not any(ch.isdigit() for ch in word):
            continue
        try:
            out.append(registries.gpus.resolve(word).id)
        except UnknownName as exc:
            out.extend(exc.candidates)
    return tuple(dict.fromkeys(out))[:5]


def _text_ids(service: SearchService, parts: tuple[TextPart, ...]) -> np.ndarray | None:
    """Ids of the offers matching every part (any member of each), or None for no text."""
    found = None
    for part in parts:
        hits = None
        for member in part.members:
            ids = service.text.query(member)
            hits = ids if hits is None else np.union1d(hits, ids)
        found = hits if found is None else np.intersect1d(found, hits)
    return found


def _sql_count(session: Session, params: dict, parts: tuple[TextPart, ...], registries: Registries,
               service: SearchService | None) -> int:
    text_ids = _text_ids(service, parts) if service is not None else None
    stmt = _filtered(params, registries, text_ids, () if service is not None else parts, _span_ids(session, params))
    return session.scalar(select(func.count()).select_from(stmt.with_only_columns(Offer.id).order_by(None).subquery()))


def _sql_page(session: Session, params: dict, registries: Registries, service: SearchService | None,
              parts: tuple[TextPart, ...]) -> OfferPage:
    text_ids = _text_ids(service, parts) if service is not None else None
    stmt = _filtered(params, registries, text_ids, () if service is not None else parts, _span_ids(session, params))
    ids = stmt.with_only_columns(Offer.id).order_by(None).subquery()
    total = session.scalar(select(func.count()).select_from(ids))
    page, per_page = params.get("page", 1), params.get("per_page", 20)
    items = session.scalars(
        stmt.options(joinedload(Offer.vendor)).order_by(*sql_order(params))
        .limit(per_page).offset((page - 1) * per_page)).all()
    facets = {}
    for name in FACETS:
        column = Vendor.slug if name == "vendor" else getattr(Offer, name)
        rows = session.execute(
            select(column, func.count()).select_from(Offer).join(Vendor).where(Offer.id.in_(select(ids.c.id)))
            .where(column.is_not(None)).group_by(column).order_by(func.count().desc())).all()
        facets[name] = dict(sorted(((str(value), count) for value, count in rows), key=lambda p: (-p[1], p[0])))
    return OfferPage(total=total, page=page, per_page=per_page, items=list(items), facets=facets)


def sql_order(params: dict) -> tuple:
    """ORDER BY of the SQL path. Effective price ranks by the normalized price in millionths (as the
    snapshot holds it) × the billing mode's rank multiplier: the same integers, so the same order."""
    sort = params.get("sort", "unit_price")
    if sort not in EFFECTIVE_SORTS:
        return SORTS[sort]
    hours = params["duration_hours"]
    multiplier = case({b.value: rank_multiplier(b.value, hours) for b in (Billing.MONTHLY, Billing.YEARLY)},
                      value=Offer.billing, else_=hours)
    millionths = cast(func.round(Offer.unit_price * 1_000_000), BigInteger)
    key = millionths * multiplier
    return (key.desc() if sort.startswith("-") else key.asc()), Offer.id.asc()


def snapshot_sort_key(params: dict) -> str:
    """The snapshot's sort key: effective price carries its hours ('effective_price:72')."""
    sort = params.get("sort", "unit_price")
    return f"{sort}:{params['duration_hours']}" if sort in EFFECTIVE_SORTS else sort


def _bound(value: Decimal, scale: int, rounding: str) -> int:
    return int(value.scaleb(scale).to_integral_value(rounding=rounding))


CONCEPT_COLUMNS = {"g": "gpu_model", "r": "region", "m": "model", "k": "kind", "b": "billing"}


def _group_mask(service: SearchService, group: tuple[str, ...], n: int) -> np.ndarray:
    """Offers matching one query word: the word in their text (engine), or a registry entry it names (snapshot)."""
    snap = service.snapshot
    hit = np.zeros(n, dtype=bool)
    ids = service.text.query([group[:1]])
    rows = snap.row_of[ids[ids < len(snap.row_of)]]
    hit[rows[(rows != NULL) & (rows < n)]] = True
    codes: dict[str, list[int]] = {}
    for concept in group[1:]:
        prefix, ident = concept.split(":", 1)
        column = CONCEPT_COLUMNS[prefix]
        code = snap.books[column].codes.get(ident)
        if code is not None:
            codes.setdefault(column, []).append(code)
    for column, wanted in codes.items():
        values = snap.cols[column][:n]
        hit |= values == wanted[0] if len(wanted) == 1 else np.isin(values, wanted)
    return hit


def _fast_search(session: Session, service: SearchService, params: dict, registries: Registries,
                 parts: tuple[TextPart, ...]) -> OfferPage:
    names = _resolved(params, registries)
    snap = service.snapshot
    snap.refresh()
    page, per_page = params.get("page", 1), params.get("per_page", 20)
    with snap.lock:
        if not parts:
            # Filter-only answers are kept until the snapshot next changes: the same popular
            # filters are asked again and again. Free text is not kept: the text index is
            # drained on its own schedule, so its answers may change without the snapshot. A
            # programme's offers change with it and the Beijing date too: its fingerprint says so.
            key = tuple(sorted((k, str(v)) for k, v in params.items() if k not in PROGRAM_DERIVED))
            total, ids, facets = snap.cached_answer(key, lambda: _answer(service, params, names, ()))
        else:
            total, ids, facets = _answer(service, params, names, parts)
    items = service.offers(ids, session.connection)
    return OfferPage(total=total, page=page, per_page=per_page, items=items, facets=facets)


def _fast_counts(service: SearchService, read: _Read, registries: Registries, conditions: list[_Condition],
                 drops: list[tuple[int, ...]]) -> list[int]:
    """How many offers each relaxed search finds: every condition's rows computed once, then combined."""
    base_params = {k: v for k, v in read.params.items() if k not in read.from_question}
    with service.snapshot.lock:
        n = service.snapshot.n
        base = _mask(service, base_params, _resolved(base_params, registries), ())
        masks = []
        for condition in conditions:
            if condition.part is not None:
                masks.append(_parts_mask(service, (condition.part,), n))
            else:
                one = {condition.key: read.params[condition.key], "include_delisted": True}
                masks.append(_mask(service, one, _resolved(one, registries), ()))
    out = []
    for drop in drops:
        mask = base.copy()
        for i, condition_mask in enumerate(masks):
            if i not in drop:
                mask &= condition_mask
        out.append(int(np.count_nonzero(mask)))
    return out


def _span_mask(snap, params: dict, mask: np.ndarray) -> np.ndarray:
    """The rows matching "available between": the same in_span as the SQL path, asked only of the
    rows still in `mask` that carry availability limits (deposits: few)."""
    n, cols = snap.n, snap.cols
    starts, ends, daily = cols["available_from"][:n], cols["available_to"][:n], cols["available_hours"][:n]
    plain = (starts == NULL) & (ends == NULL) & (daily == NULL)
    out = plain & always_covers(params.get("available_from"), params.get("available_to"))
    windows = snap.books["available_hours"].values
    for row in np.flatnonzero(mask & ~plain):
        out[row] = in_span(params, from_micros(starts[row]), from_micros(ends[row]),
                           None if daily[row] == NULL else windows[daily[row]])
    return out


def _mask(service: SearchService, params: dict, names: dict, parts: tuple[TextPart, ...]) -> np.ndarray:
    """The snapshot rows these params and text parts select (caller holds the snapshot's lock)."""
    snap = service.snapshot
    n, cols, books = snap.n, snap.cols, snap.books

    def equals(column: str, value: str | None) -> np.ndarray:
        code = books[column].codes.get(value)
        return cols[column][:n] == code if code is not None else np.zeros(n, dtype=bool)

    mask = snap.alive[:n].copy()
    if not params.get("include_delisted"):
        mask &= equals("status", "active")
    if "kind" in params:
        mask &= equals("kind", params["kind"])
    if "vendor" in params:
        mask &= equals("vendor", params["vendor"].strip().lower())
    if "gpu_model" in names:
        mask &= equals("gpu_model", names["gpu_model"])
    if "model" in names:
        mask &= equals("model", names["model"])
    if "region" in names:
        codes = [books["region"].codes[r] for r in names["region"] if r in books["region"].codes]
        mask &= np.isin(cols["region"][:n], codes)
    if "billing" in params:
        mask &= equals("billing", params["billing"])
    for name, column in (("min_gpu_count", "gpu_count"), ("min_gpu_memory_gb", "gpu_memory_gb"),
                         ("min_vcpus", "vcpus"), ("min_unit_price", "unit_price")):
        if name in params:
            mask &= cols[column][:n] >= _bound(params[name], SCALES[column], ROUND_CEILING)
    if "max_unit_price" in params:
        mask &= (cols["unit_price"][:n] <= _bound(params["max_unit_price"], 6, ROUND_FLOOR)) & (
            cols["unit_price"][:n] != NULL)
    if params.get("in_stock"):
        stock = cols["stock"][:n]
        mask &= (stock == NULL) | (stock > 0)
    if params.get("off_peak"):
        mask &= cols["off_peak"][:n] == 1
    if any(p in params for p in SPAN_PARAMS):
        mask &= _span_mask(snap, params, mask)
    if "program" in params:
        eligible = params.get("program_ids")
        mask &= np.zeros(n, dtype=bool) if eligible is None else np.isin(cols["id"][:n], eligible)
    if parts:
        mask &= _parts_mask(service, parts, n)
    return mask


def _parts_mask(service: SearchService, parts: tuple[TextPart, ...], n: int) -> np.ndarray:
    """Rows matching every part: any member of it, each member all of its term groups."""
    mask = np.ones(n, dtype=bool)
    for part in parts:
        hit = np.zeros(n, dtype=bool)
        for member in part.members:
            one = np.ones(n, dtype=bool)
            for group in member:
                one &= _group_mask(service, group, n)
            hit |= one
        mask &= hit
    return mask


def _answer(service: SearchService, params: dict, names: dict, parts: tuple[TextPart, ...]) -> tuple[int, list[int], dict]:
    """(total, this page's offer ids in order, facet counts) from the snapshot (caller holds its lock)."""
    snap = service.snapshot
    page, per_page = params.get("page", 1), params.get("per_page", 20)
    mask = _mask(service, params, names, parts)
    matched = np.flatnonzero(mask)
    rows = snap.sorted_page(mask, matched, snapshot_sort_key(params), (page - 1) * per_page, per_page)
    ids = [int(i) for i in snap.cols["id"][rows]]
    facets = {name: snap.facet(name, matched) for name in FACETS}
    return len(matched), ids, facets
