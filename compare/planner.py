"""Rank every matching offer by what the buyer's job would cost on it. No Flask.

Candidates come from the offers table; the cost of each is pricing.job_cost (GPU, CPU) or
pricing.token_cost (tokens). The plan carries its assumptions so the page and the JSON can
say what was taken for granted.
"""

from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer
from catalog.registry import Registries, UnknownName
from compare.token_prices import off_peak_window, token_prices
from pricing.currency import FxTable, UnknownCurrency
from pricing.display import Phrase, phrase, phrase_n
from pricing.job_cost import Job, JobCost, OfferTerms, job_cost, num, units
from pricing.off_peak import SHARE_PLACES, ProfileError, off_peak_share
from pricing.performance import PerfPrice, perf_price
from pricing.token_cost import TokenCost, TokenCostError, TokenWorkload, token_cost
from pricing.units import Billing, Kind, PriceUnit

UNIT_PLACES = Decimal("0.0001")


@dataclass
class PlanItem:
    offer: Offer
    job: JobCost | None = None
    tokens: TokenCost | None = None
    perf: PerfPrice | None = None
    effective_unit_price: Decimal | None = None  # what the job really pays per card-/core-hour

    @property
    def total(self) -> Decimal | None:
        return self.tokens.total if self.tokens else self.job.total


@dataclass
class Excluded:
    offer: Offer
    reason: Phrase


@dataclass
class Segment:
    """One part of a month's traffic and the offer it is cheapest on."""

    name: str  # "batch", "off_peak" or "normal"
    share: Decimal
    item: PlanItem


@dataclass
class ModelGroup:
    """Every offer of one model, cheapest first, and the cheapest split of the traffic across providers."""

    model_id: str
    name: str
    items: list[PlanItem] = field(default_factory=list)
    combination: list[Segment] = field(default_factory=list)  # only when it beats the cheapest single offer

    @property
    def cheapest(self) -> PlanItem | None:
        return self.items[0] if self.items else None

    @property
    def combination_total(self) -> Decimal | None:
        return sum((s.item.tokens.total for s in self.combination), Decimal(0)) if self.combination else None

    @property
    def saving(self) -> Decimal | None:
        if not self.combination or self.cheapest is None:
            return None
        return self.cheapest.total - self.combination_total


@dataclass
class Plan:
    kind: str
    params: dict
    items: list[PlanItem] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    # English msgids (Chinese in i18n/compare and i18n/pricing), said in the page's language or both.
    assumptions: list[Phrase] = field(default_factory=list)
    workload: TokenWorkload | None = None
    groups: list[ModelGroup] = field(default_factory=list)  # token plans: one per model asked for


def region_ids(names: list[str], registries: Registries) -> set[str]:
    """Each name is a region or a province/area ('浙江', '华东', 'cn-beijing').

    :raise ValidationError: a name that is neither.
    """
    ids: set[str] = set()
    for name in names:
        area = registries.regions.in_area(name)
        if area:
            ids.update(r.id for r in area)
            continue
        try:
            ids.add(registries.regions.resolve(name).id)
        except UnknownName as exc:
            raise ValidationError({"regions": [exc.message]}) from None
    return ids


def _candidates(session: Session, kind: str, regions: set[str] | None) -> list[Offer]:
    stmt = (select(Offer).options(joinedload(Offer.vendor))
            .where(Offer.kind == kind, Offer.status == "active").order_by(Offer.id))
    if regions is not None:
        stmt = stmt.where(Offer.region.in_(sorted(regions)))
    return list(session.scalars(stmt))


def _terms(offer: Offer, per_instance: Decimal, fx: FxTable) -> OfferTerms:
    try:
        cny_rate = fx.rate(offer.list_currency)
        unit = PriceUnit(offer.list_unit)
        amount = offer.list_amount
    except (UnknownCurrency, ValueError):
        cny_rate, unit, amount = Decimal(1), None, None  # fall back to the normalized price
    return OfferTerms(billing=Billing(offer.billing), unit_price=offer.unit_price, per_instance=per_instance,
                      list_amount=amount, list_unit=unit, cny_per_list_unit=cny_rate, stock=offer.stock)


def _common_assumptions(plan: Plan, job: Job) -> None:
    plan.assumptions += [
        phrase("job: %(units)s × %(hours)s h", units=units(job.kind, job.count), hours=num(job.hours)),
        phrase("a month is 730 h and a year 8,760 h; monthly and yearly terms bill whole periods"),
        phrase("offers rent whole instances: instances = ⌈needed ÷ per instance⌉"),
        phrase("offers whose stated stock is short are ranked last"),
        phrase("foreign-currency prices are converted at the current FX table"),
    ]
    if not job.allow_spot:
        plan.assumptions.append(phrase("spot (interruptible) capacity not allowed"))
    if not job.allow_commitment:
        plan.assumptions.append(phrase("no yearly commitment: yearly contracts left out"))


def _rank(plan: Plan) -> None:
    plan.items.sort(key=lambda i: (i.job is not None and i.job.stock_covers is False, i.total, i.offer.id))


def _plan_machines(session: Session, params: dict, registries: Registries, fx: FxTable, regions) -> Plan:
    kind = params["kind"]
    job = Job(kind=kind, count=params["count"], hours=params["hours"], allow_spot=params["allow_spot"],
              allow_commitment=params["allow_commitment"])
    plan = Plan(kind=kind, params=params)
    gpu = None
    if kind == Kind.GPU.value:
        if params.get("gpu_model"):
            try:
                gpu = registries.gpus.resolve(params["gpu_model"])
            except UnknownName as exc:
                raise ValidationError({"gpu_model": [exc.message]}) from None
        _common_assumptions(plan, job)
        if gpu:
            plan.assumptions.append(phrase("model: %(name)s", name=gpu.name))
        plan.assumptions.append(phrase(
            "CNY per PFLOPS-hour = what this job pays per card-hour ÷ the card's dense PFLOPS "
            "(GPU registry; precision shown beside it)"))
        if params.get("min_memory_gb"):
            memory = ("≥ %(gb)s GB memory per card" if gpu else "≥ %(gb)s GB memory per card (any model)")
            plan.assumptions.append(phrase(memory, gb=num(params["min_memory_gb"])))
    else:
        _common_assumptions(plan, job)
        if params.get("min_memory_per_core_gb"):
            plan.assumptions.append(phrase("≥ %(gb)s GB memory per core", gb=num(params["min_memory_per_core_gb"])))
    for offer in _candidates(session, kind, regions):
        if kind == Kind.GPU.value:
            model = registries.gpus.get(offer.gpu_model or "")
            memory = offer.gpu_memory_gb or (model.memory_gb if model else None)
            if gpu and offer.gpu_model != gpu.id:
                continue
            if params.get("min_memory_gb") and (memory is None or memory < params["min_memory_gb"]):
                continue
            per_instance = offer.gpu_count
        else:
            model = memory = None
            if not offer.vcpus:
                continue
            if params.get("cpu_arch") and offer.cpu_arch != params["cpu_arch"]:
                continue
            if params.get("min_memory_per_core_gb") and (
                    offer.ram_gb is None or offer.ram_gb / offer.vcpus < params["min_memory_per_core_gb"]):
                continue
            per_instance = offer.vcpus
        if not per_instance:
            continue
        cost = job_cost(job, _terms(offer, per_instance, fx))
        if not cost.eligible:
            plan.excluded.append(Excluded(offer, cost.excluded_because))
            continue
        item = PlanItem(offer, job=cost)
        item.effective_unit_price = (cost.total / (job.count * job.hours)).quantize(UNIT_PLACES, ROUND_HALF_UP)
        if kind == Kind.GPU.value and model:
            # Per performance at what this job really pays per card-hour (a month bought for 72 h counts).
            item.perf = perf_price(item.effective_unit_price, model.bf16_tflops, model.precision, memory)
        plan.items.append(item)
    _rank(plan)
    return plan


SHARES = ("cache_hit_share", "cache_write_share", "long_context_share", "batch_share", "off_peak_share")


def token_model_ids(texts: list[str], registries: Registries) -> list[tuple[str, str]]:
    """(id, name) of each model asked for: a known name is that model; a family word or part of a
    name ('deepseek', '千问', 'qwen3') is every model it finds; anything else is taken as written."""
    found: dict[str, str] = {}
    for text in texts:
        model = registries.token_models.resolve(text)
        matches = [model] if model.known else registries.token_models.search(text) or [model]
        for m in matches:
            found.setdefault(m.id, m.name)
    return list(found.items())


def _workload(params: dict) -> TokenWorkload:
    shares = {name: params.get(name, Decimal(0)) for name in SHARES if name != "cache_hit_share"}
    if "daily_active_users" in params:
        return TokenWorkload.from_users(params["daily_active_users"], params["requests_per_user"],
                                        params["input_tokens_per_request"], params["output_tokens_per_request"],
                                        params["cache_hit_share"], params["days_per_month"], **shares)
    return TokenWorkload(params.get("input_tokens", Decimal(0)), params.get("output_tokens", Decimal(0)),
                         params["cache_hit_share"], **shares)


def _combination(work: TokenWorkload, items: list[PlanItem]) -> list[Segment]:
    """The cheapest offer for each part of the traffic (batch, off-peak, the rest); empty when one offer wins all."""
    one = Decimal(1)
    parts = [("batch", work.batch_share, {"batch_share": one}),
             ("off_peak", work.off_peak_share, {"off_peak_share": one}),
             ("normal", one - work.batch_share - work.off_peak_share, {})]
    segments = []
    for name, share, shares in parts:
        if share <= 0:
            continue
        part = work.part(share, **shares)
        if part.input_tokens + part.output_tokens == 0:
            continue
        priced = [(token_cost(part, token_prices(i.offer)), i.offer) for i in items]
        cost, offer = min(priced, key=lambda p: (p[0].total, p[1].id))
        segments.append(Segment(name, share, PlanItem(offer, tokens=cost)))
    if len({s.item.offer.id for s in segments}) < 2:
        return []
    if sum(s.item.tokens.total for s in segments) >= items[0].total:
        return []
    return segments


def _offer_workload(work: TokenWorkload, offer: Offer, profile: list[Decimal] | None) -> TokenWorkload:
    """With an hourly profile, the off-peak share is the profile's traffic inside THIS offer's off-peak
    hours, of the traffic not sent as batch (the two never overlap)."""
    if profile is None:
        return work
    window = off_peak_window(offer)
    try:
        share = off_peak_share(profile, window) if window else Decimal(0)
    except ProfileError:
        share = Decimal(0)
    return replace(work, off_peak_share=(share * (1 - work.batch_share)).quantize(SHARE_PLACES))


def _plan_tokens(session: Session, params: dict, registries: Registries, regions) -> Plan:
    work = _workload(params)
    profile = params.get("hourly_profile")
    plan = Plan(kind=Kind.TOKEN.value, params=params, workload=work)
    if "daily_active_users" in params:
        d = params
        plan.assumptions.append(phrase(
            "requests per month = %(users)s × %(requests)s per user per day × %(days)s; "
            "each %(input)s input + %(output)s output tokens",
            users=phrase_n("%(num)s daily user", "%(num)s daily users", d["daily_active_users"]),
            requests=num(d["requests_per_user"]), days=phrase_n("%(num)s day", "%(num)s days", d["days_per_month"]),
            input=num(d["input_tokens_per_request"]), output=num(d["output_tokens_per_request"])))
    plan.assumptions += [
        phrase_n("%(input)s input and %(num)s output token per month",
                 "%(input)s input and %(num)s output tokens per month", work.output_tokens,
                 input=num(work.input_tokens)),
        phrase("cache-hit share %(share)s%% (counts only where a cached-input price is listed)",
               share=num(work.cache_hit_share * 100)),
        phrase("prices are CNY per 1M tokens, foreign currencies converted at the FX table"),
    ]
    if any((work.cache_write_share, work.long_context_share, work.batch_share, work.off_peak_share)):
        plan.assumptions.append(phrase(
            "workload shape: %(write)s%% of input written to the cache, %(long)s%% of requests over the "
            "long-context threshold, %(batch)s%% sent as batch, %(off_peak)s%% at off-peak hours "
            "(batch and off-peak are separate parts of the traffic)",
            write=num(work.cache_write_share * 100), long=num(work.long_context_share * 100),
            batch=num(work.batch_share * 100), off_peak=num(work.off_peak_share * 100)))
    if profile is not None:
        plan.assumptions.append(phrase(
            "off-peak share from the hourly profile (Beijing time) and each offer's own off-peak hours; "
            "an offer without off-peak hours has none"))
    texts = list(params.get("models") or []) + ([params["model"]] if params.get("model") else [])
    wanted = token_model_ids(texts, registries) if texts else []
    groups = {ident: ModelGroup(ident, name) for ident, name in wanted}
    for offer in _candidates(session, Kind.TOKEN.value, regions):
        if groups and offer.model not in groups:
            continue
        prices = token_prices(offer)
        if prices is None:
            continue
        try:
            cost = token_cost(_offer_workload(work, offer, profile), prices)
        except TokenCostError as exc:
            raise ValidationError({"input_tokens": [str(exc)]}) from None
        item = PlanItem(offer, tokens=cost)
        plan.items.append(item)
        if groups:
            groups[offer.model].items.append(item)
    _rank(plan)
    for group in groups.values():
        group.items.sort(key=lambda i: (i.total, i.offer.id))
        if len(group.items) > 1 and profile is None and (work.batch_share or work.off_peak_share):
            group.combination = _combination(work, group.items)
        if not group.items:
            plan.assumptions.append(phrase("no offers for %(model)s", model=group.name))
    plan.groups = list(groups.values())
    return plan


def make_plan(session: Session, params: dict, registries: Registries, fx: FxTable) -> Plan:
    """Plan from PlanSchema().load output. :raise ValidationError: a name that resolves to nothing."""
    regions = region_ids(params["regions"], registries) if params.get("regions") else None
    if params["kind"] == Kind.TOKEN.value:
        plan = _plan_tokens(session, params, registries, regions)
    else:
        plan = _plan_machines(session, params, registries, fx, regions)
    if regions is not None:
        plan.assumptions.append(phrase("regions: %(names)s", names=tuple(params["regions"])))
    return plan
