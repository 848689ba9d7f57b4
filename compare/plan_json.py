"""The plan as JSON (decimals as strings) and its OpenAPI description."""

from decimal import Decimal

from catalog.serialize import dec, plain
from compare.planner import SHARES, ModelGroup, Plan, PlanItem
from pricing.display import Phrase

# The plan JSON says each explanation in both page languages (the {"zh", "en"} objects of the
# OpenAPI document), from the same catalogs the page reads.
LANGUAGES = ("zh", "en")


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _pair(said: Phrase) -> dict:
    return {lang: said.text(lang) for lang in LANGUAGES}


def _offer_brief(item_offer) -> dict:
    o = item_offer
    data = {"id": o.id, "vendor": o.vendor.slug, "vendor_name": o.vendor.display_name, "title": o.title,
            "region": o.region, "billing": o.billing, "stock": o.stock, "unit_price": dec(o.unit_price),
            "list_price": {"amount": plain(o.list_amount), "currency": o.list_currency, "unit": o.list_unit}}
    if o.kind == "gpu":
        data.update(gpu_model=o.gpu_model, gpu_count=plain(o.gpu_count), gpu_memory_gb=plain(o.gpu_memory_gb))
    elif o.kind == "cpu":
        data.update(vcpus=plain(o.vcpus), ram_gb=plain(o.ram_gb), cpu_arch=o.cpu_arch)
    else:
        data.update(model=o.model, input_price=dec(o.input_price), output_price=dec(o.output_price),
                    cached_input_price=dec(o.cached_input_price))
    return data


def _item(rank: int, item: PlanItem) -> dict:
    data = {"rank": rank, "offer": _offer_brief(item.offer), "total": _money(item.total)}
    if item.job:
        c = item.job
        data.update(
            instances=c.instances, billed_units=plain(c.billed_units), periods=c.periods,
            period_price=_money(c.period_price), effective_unit_price=_money(item.effective_unit_price),
            stock_covers=c.stock_covers, interruptible=c.interruptible,
            arithmetic=_pair(c.arithmetic),
            assumptions=[_pair(a) for a in c.assumptions])
        if item.perf:
            data["per_pflops_hour"] = _money(item.perf.per_pflops_hour)
            data["per_gb_hour"] = _money(item.perf.per_gb_hour)
            data["precision"] = item.perf.precision
    else:
        t = item.tokens
        data.update(
            input_cost=_money(t.input_cost), cached_input_cost=_money(t.cached_cost), output_cost=_money(t.output_cost),
            cache_write_cost=_money(t.cache_write_cost), discount=_money(t.discount),
            tokens_per_yuan=_money(t.tokens_per_yuan), cache_priced=t.cache_priced,
            arithmetic=_pair(t.arithmetic),
            assumptions=[_pair(a) for a in t.assumptions])
    return data


def _group(group: ModelGroup) -> dict:
    cheapest = group.cheapest
    data = {"model": group.model_id, "name": group.name, "count": len(group.items),
            "cheapest": {"offer_id": cheapest.offer.id, "vendor": cheapest.offer.vendor.slug,
                         "total": _money(cheapest.total)} if cheapest else None,
            "combination": None}
    if group.combination:
        data["combination"] = {
            "total": _money(group.combination_total), "saving": _money(group.saving),
            "parts": [{"segment": s.name, "share": plain(s.share), "offer_id": s.item.offer.id,
                       "vendor": s.item.offer.vendor.slug, "total": _money(s.item.tokens.total),
                       "arithmetic": _pair(s.item.tokens.arithmetic)} for s in group.combination]}
    return data


def plan_json(plan: Plan) -> dict:
    data = {
        "kind": plan.kind,
        "currency": "CNY",
        "period": "month" if plan.kind == "token" else "job",
        "assumptions": [_pair(a) for a in plan.assumptions],
        "count": len(plan.items),
        "items": [_item(i, item) for i, item in enumerate(plan.items, 1)],
        "excluded": [{"offer_id": e.offer.id, "vendor": e.offer.vendor.slug, "billing": e.offer.billing,
                      "reason": _pair(e.reason)} for e in plan.excluded],
    }
    if plan.workload:
        data["workload"] = {"input_tokens": plain(plan.workload.input_tokens),
                            "output_tokens": plain(plan.workload.output_tokens),
                            **{name: plain(getattr(plan.workload, name)) for name in SHARES}}
        data["models"] = [_group(g) for g in plan.groups]
    return data


_DEC = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "example": "9861.12"}
_NULLABLE_DEC = {**_DEC, "nullable": True}
_NUM_IN = {"oneOf": [{"type": "number"}, {"type": "string"}], "description": "a positive decimal"}
_BILINGUAL = {"type": "object", "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
              "required": ["zh", "en"]}

OPENAPI_SCHEMAS = {
    "PlanRequest": {
        "type": "object",
        "description": "GPU: count cards of gpu_model (or any model with ≥ min_memory_gb per card) for hours. "
                       "CPU: count cores for hours. Token: input_tokens/output_tokens per month, or "
                       "daily_active_users × requests_per_user × tokens per request × days_per_month.",
        "properties": {
            "kind": {"type": "string", "enum": ["gpu", "cpu", "token"], "default": "gpu"},
            "gpu_model": {"type": "string", "example": "H100"},
            "min_memory_gb": _NUM_IN,
            "count": {**_NUM_IN, "description": "cards (gpu) or cores (cpu) the job needs"},
            "hours": {**_NUM_IN, "description": "how long the job runs"},
            "regions": {"type": "array", "items": {"type": "string"}, "maxItems": 20,
                        "description": "region ids or names, or provinces/areas (浙江, 华东)"},
            "allow_spot": {"type": "boolean", "default": False},
            "allow_commitment": {"type": "boolean", "default": False,
                                 "description": "let yearly contracts count as an option"},
            "min_memory_per_core_gb": _NUM_IN,
            "cpu_arch": {"type": "string", "enum": ["x86_64", "arm64"]},
            "model": {"type": "string", "description": "token model id or name; all token offers when absent"},
            "models": {"type": "array", "items": {"type": "string"}, "maxItems": 8,
                       "description": "several models side by side: ids, names, aliases or family words "
                                      "('deepseek', '千问', 'qwen3'), each matching every model it names"},
            "input_tokens": {**_NUM_IN, "description": "per month; shorthand allowed: 5亿, 2000万, 1.5M, 300K"},
            "output_tokens": {**_NUM_IN, "description": "per month; shorthand allowed: 1亿, 1.5M"},
            "cache_write_share": {**_NUM_IN, "default": 0, "description": "share of input written to the cache, 0..1"},
            "long_context_share": {**_NUM_IN, "default": 0,
                                   "description": "share of requests over the long-context threshold, 0..1; such a "
                                                  "request is billed whole at the long-context prices"},
            "batch_share": {**_NUM_IN, "default": 0, "description": "share of traffic sent as batch, 0..1"},
            "off_peak_share": {**_NUM_IN, "default": 0,
                               "description": "share of traffic at off-peak hours, 0..1; batch + off-peak ≤ 1"},
            "hourly_profile": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "number"},
                                                                "minItems": 24, "maxItems": 24}],
                               "description": "24 weights, one per Beijing hour 0..23; each offer's off-peak share "
                                              "is the traffic inside its own off-peak hours (replaces off_peak_share)"},
            "daily_active_users": _NUM_IN, "requests_per_user": _NUM_IN,
            "input_tokens_per_request": _NUM_IN, "output_tokens_per_request": _NUM_IN,
            "days_per_month": {**_NUM_IN, "default": 30},
            "cache_hit_share": {**_NUM_IN, "default": 0, "description": "0..1"},
        },
    },
    "PlanItem": {
        "type": "object",
        "properties": {
            "rank": {"type": "integer"},
            "offer": {"type": "object", "description": "the offer's id, vendor, title, region, billing, stock, "
                                                       "unit_price, list_price and kind-specific fields"},
            "total": {**_DEC, "description": "CNY for the whole job (gpu/cpu) or per month (token)"},
            "instances": {"type": "integer"}, "billed_units": _DEC, "periods": {"type": "integer"},
            "period_price": _NULLABLE_DEC, "effective_unit_price": _NULLABLE_DEC,
            "stock_covers": {"type": "boolean", "nullable": True, "description": "null: stock unknown"},
            "interruptible": {"type": "boolean"},
            "per_pflops_hour": _NULLABLE_DEC, "per_gb_hour": _NULLABLE_DEC,
            "precision": {"type": "string", "description": "precision of the FLOPS figure: bf16, fp16 or fp32"},
            "input_cost": _DEC, "cached_input_cost": _DEC, "output_cost": _DEC,
            "tokens_per_yuan": _NULLABLE_DEC, "cache_priced": {"type": "boolean"},
            "arithmetic": _BILINGUAL,
            "assumptions": {"type": "array", "items": _BILINGUAL},
        },
        "required": ["rank", "offer", "total", "arithmetic", "assumptions"],
    },
    "Plan": {
        "type": "object",
        "properties": {
            "kind": {"type": "string"}, "currency": {"type": "string", "example": "CNY"},
            "period": {"type": "string", "enum": ["job", "month"]},
            "assumptions": {"type": "array", "items": _BILINGUAL},
            "count": {"type": "integer"},
            "items": {"type": "array", "items": {"$ref": "#/components/schemas/PlanItem"}},
            "excluded": {"type": "array", "items": {"type": "object", "properties": {
                "offer_id": {"type": "integer"}, "vendor": {"type": "string"}, "billing": {"type": "string"},
                "reason": _BILINGUAL}}},
            "workload": {"type": "object"},
            "models": {"type": "array", "description": "token plans: per model asked for, the cheapest offer and "
                                                       "the cheapest split of the traffic across providers",
                       "items": {"type": "object"}},
        },
        "required": ["kind", "currency", "assumptions", "items", "excluded"],
    },
    "PlanError": {
        "type": "object",
        "properties": {"error": {"type": "object", "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}}}},
    },
}

OPENAPI_PATHS = {
    "/api/v1/token-models/suggest": {
        "get": {
            "summary": "Type-ahead over token model names and aliases in both languages",
            "parameters": [{"name": "q", "in": "query", "required": False,
                            "schema": {"type": "string", "maxLength": 100},
                            "description": "part of a name, alias or family word: deepseek, 千问, qwen3, GLM, kimi"}],
            "responses": {
                "200": {"description": "matching models, best match first", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["query", "count", "items"], "properties": {
                        "query": {"type": "string"}, "count": {"type": "integer"},
                        "items": {"type": "array", "items": {"type": "object", "properties": {
                            "id": {"type": "string"}, "name": {"type": "string"}, "provider": {"type": "string"},
                            "family": {"type": "string"}, "context_window": {"type": "integer", "nullable": True},
                            "aliases": {"type": "array", "items": {"type": "string"}}}}}}}}}},
                "400": {"description": "q too long", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/PlanError"}}}},
            },
        }
    },
    "/api/v1/plan": {
        "post": {
            "summary": "Rank offers by the total cost of a job (GPU/CPU) or a month of tokens",
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/PlanRequest"},
                "example": {"kind": "gpu", "gpu_model": "H100", "count": 8, "hours": 72}}}},
            "responses": {
                "200": {"description": "the ranked plan with each total's arithmetic",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Plan"}}}},
                "400": {"description": "bad input",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlanError"}}}},
            },
        }
    }
}
