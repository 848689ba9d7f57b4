"""Rank every matching offer by what the buyer's job would cost on it. No Flask.

Candidates come from the offers table; the cost of each is pricing.job_cost (GPU, CPU) or
pricing.token_cost (tokens). The plan carries its assumptions so the page and the JSON can
say what was taken for granted.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from catalog.models import Offer
from catalog.registry import Registries, UnknownName
from pricing.currency import FxTable, UnknownCurrency
from pricing.job_cost import Job, JobCost, OfferTerms, job_cost, num
from pricing.performance import PerfPrice, perf_price
from pricing.token_cost import TokenCost, TokenCostError, TokenPrices, TokenWorkload, token_cost
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
    reason: tuple[str, str]


@dataclass
class Plan:
    kind: str
    params: dict
    items: list[PlanItem] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    assumptions: list[tuple[str, str]] = field(default_factory=list)
    workload: TokenWorkload | None = None


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


def _common_assumptions(plan: Plan, job: Job, unit_zh: str, unit_en: str) -> None:
    plan.assumptions += [
        (f"任务：{num(job.count)} {unit_zh} × {num(job.hours)} 小时", f"job: {num(job.count)} {unit_en} × {num(job.hours)} h"),
        ("1 月 = 730 小时，1 年 = 8760 小时；包月/包年按整期计费",
         "a month is 730 h and a year 8,760 h; monthly and yearly terms bill whole periods"),
        ("商家按整台出租：所需台数 = ⌈所需数量 ÷ 每台数量⌉", "offers rent whole instances: instances = ⌈needed ÷ per instance⌉"),
        ("已知库存不足的报价排在最后", "offers whose stated stock is short are ranked last"),
        ("外币价格按当前汇率表折算为人民币", "foreign-currency prices are converted at the current FX table"),
    ]
    if not job.allow_spot:
        plan.assumptions.append(("未允许竞价实例（可被中断）", "spot (interruptible) capacity not allowed"))
    if not job.allow_commitment:
        plan.assumptions.append(("未接受包年承诺：包年合约不计入", "no yearly commitment: yearly contracts left out"))


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
        _common_assumptions(plan, job, "卡", "cards")
        if gpu:
            plan.assumptions.append((f"型号：{gpu.name}", f"model: {gpu.name}"))
        plan.assumptions.append((
            "元/PFLOPS·时 = 本任务实际每卡时花费 ÷ 稠密算力（GPU 型号库，精度标在旁边）",
            "CNY per PFLOPS-hour = what this job pays per card-hour ÷ the card's dense PFLOPS "
            "(GPU registry; precision shown beside it)"))
        if params.get("min_memory_gb"):
            m = num(params["min_memory_gb"])
            plan.assumptions.append((f"每卡显存 ≥ {m} GB（任意型号）" if not gpu else f"每卡显存 ≥ {m} GB",
                                     f"≥ {m} GB memory per card" + ("" if gpu else " (any model)")))
    else:
        _common_assumptions(plan, job, "核", "cores")
        if params.get("min_memory_per_core_gb"):
            m = num(params["min_memory_per_core_gb"])
            plan.assumptions.append((f"每核内存 ≥ {m} GB", f"≥ {m} GB memory per core"))
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


def _plan_tokens(session: Session, params: dict, registries: Registries, regions) -> Plan:
    if "daily_active_users" in params:
        work = TokenWorkload.from_users(params["daily_active_users"], params["requests_per_user"],
                                        params["input_tokens_per_request"], params["output_tokens_per_request"],
                                        params["cache_hit_share"], params["days_per_month"])
    else:
        work = TokenWorkload(params.get("input_tokens", Decimal(0)), params.get("output_tokens", Decimal(0)),
                             params["cache_hit_share"])
    plan = Plan(kind=Kind.TOKEN.value, params=params, workload=work)
    if "daily_active_users" in params:
        d = params
        plan.assumptions.append((
            f"每月请求 = {num(d['daily_active_users'])} 日活 × {num(d['requests_per_user'])} 次/人/天 × "
            f"{num(d['days_per_month'])} 天；每次 {num(d['input_tokens_per_request'])} 输入 + "
            f"{num(d['output_tokens_per_request'])} 输出 tokens",
            f"requests per month = {num(d['daily_active_users'])} daily users × {num(d['requests_per_user'])} "
            f"per user per day × {num(d['days_per_month'])} days; each {num(d['input_tokens_per_request'])} input + "
            f"{num(d['output_tokens_per_request'])} output tokens"))
    plan.assumptions += [
        (f"每月 {num(work.input_tokens)} 输入 tokens，{num(work.output_tokens)} 输出 tokens",
         f"{num(work.input_tokens)} input and {num(work.output_tokens)} output tokens per month"),
        (f"缓存命中比例 {num(work.cache_hit_share * 100)}%（仅对标有缓存价的模型有效）",
         f"cache-hit share {num(work.cache_hit_share * 100)}% (counts only where a cached-input price is listed)"),
        ("价格为人民币/百万 tokens，外币按汇率表折算", "prices are CNY per 1M tokens, foreign currencies converted at the FX table"),
    ]
    model_id = None
    if params.get("model"):
        model_id = registries.token_models.resolve(params["model"]).id
    for offer in _candidates(session, Kind.TOKEN.value, regions):
        if model_id and offer.model != model_id:
            continue
        if offer.input_price is None or offer.output_price is None:
            continue
        try:
            cost = token_cost(work, TokenPrices(offer.input_price, offer.output_price, offer.cached_input_price))
        except TokenCostError as exc:
            raise ValidationError({"input_tokens": [str(exc)]}) from None
        plan.items.append(PlanItem(offer, tokens=cost))
    _rank(plan)
    return plan


def make_plan(session: Session, params: dict, registries: Registries, fx: FxTable) -> Plan:
    """Plan from PlanSchema().load output. :raise ValidationError: a name that resolves to nothing."""
    regions = region_ids(params["regions"], registries) if params.get("regions") else None
    if params["kind"] == Kind.TOKEN.value:
        plan = _plan_tokens(session, params, registries, regions)
    else:
        plan = _plan_machines(session, params, registries, fx, regions)
    if regions is not None:
        plan.assumptions.append((f"地域限于：{'、'.join(params['regions'])}", f"regions: {', '.join(params['regions'])}"))
    return plan
