"""A synthetic catalog for benchmarks: a realistic mix of kinds, Chinese and English titles.

50% GPU, 30% CPU, 20% token offers; ~40% Chinese titles; 2,000 vendors; every GPU model,
region and token model of the registries. Written straight into the tables in bulk (the
importer's validation is not what is being measured). Deterministic for a given seed.
"""

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from catalog.models import Offer, Vendor, utcnow
from catalog.registry import Registries

BILLING = ["on_demand", "on_demand", "monthly", "yearly", "spot"]
HOURS = {"on_demand": 1, "spot": 1, "monthly": 730, "yearly": 8760}
ZH_BILLING = {"on_demand": "按量", "spot": "竞价", "monthly": "包月", "yearly": "包年"}
ZH_WORDS = ["智算节点", "裸金属服务器", "整机", "云主机", "高性能", "推理专用", "训练集群", "东数西算", "单卡"]
EN_WORDS = ["bare metal", "instance", "training cluster", "inference node", "dedicated", "spot capacity", "VM"]
GPU_PRICE = {"h200": 30, "h100-sxm": 24, "h800": 20, "a100-80gb": 12, "a800-80gb": 11, "l40s": 7, "rtx-4090": 2.2,
             "ascend-910b": 9}


def vendors(n: int) -> list[dict]:
    return [{"slug": f"vendor-{i:04d}", "name_zh": f"算力商{i}号", "name_en": f"Compute Vendor {i}",
             "created_at": utcnow()} for i in range(n)]


def offer_rows(n: int, vendor_ids: list[int], registries: Registries, seed: int = 7, start: int = 0):
    """Yield `n` offer rows (dicts for insert(Offer))."""
    rng = random.Random(seed + start)
    gpus = list(registries.gpus.models.values())
    regions = list(registries.regions.regions.values())
    tokens = list(registries.token_models.models.values())
    now = utcnow()
    for i in range(start, start + n):
        roll = rng.random()
        zh = rng.random() < 0.4
        region = rng.choice(regions)
        billing = rng.choice(BILLING)
        at = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
        row = {"vendor_id": rng.choice(vendor_ids), "sku": f"sku-{i}", "region": region.id, "billing": billing,
               "stock": rng.choice([None, 0, 1, 4, 8, 16, 64]), "status": "active" if rng.random() > 0.03 else
               "delisted", "list_currency": "CNY", "created_at": at, "updated_at": at, "price_updated_at": at,
               "description": None, "gpu_model": None, "gpu_count": None, "gpu_memory_gb": None, "vcpus": None,
               "ram_gb": None, "cpu_arch": None, "price_per_tflop_hour": None, "price_per_gb_hour": None,
               "model": None, "context_window": None, "input_price": None, "output_price": None,
               "list_amount": None, "list_input_amount": None, "list_output_amount": None}
        if roll < 0.5:
            g = rng.choice(gpus)
            count = rng.choice([1, 1, 2, 4, 8, 8])
            card_hour = Decimal(str(round(GPU_PRICE.get(g.id, 3.5) * rng.uniform(0.6, 1.5), 4)))
            if billing == "spot":
                card_hour *= Decimal("0.4")
            hourly = card_hour * count
            amount = (hourly * HOURS[billing]).quantize(Decimal("0.01"))
            unit = {1: "hour", 730: "month", 8760: "year"}[HOURS[billing]]
            unit_price = (amount / HOURS[billing] / count).quantize(Decimal("0.000001"))
            title = (f"{g.name} ×{count} {rng.choice(ZH_WORDS)} {ZH_BILLING[billing]} {region.name_zh}" if zh
                     else f"{g.name} x{count} {rng.choice(EN_WORDS)} {region.name_en}")
            row.update(kind="gpu", title=title, gpu_model=g.id, gpu_count=Decimal(count),
                       gpu_memory_gb=g.memory_gb, vcpus=Decimal(count * rng.choice([8, 12, 16])),
                       ram_gb=Decimal(count * 64), list_amount=amount, list_unit=unit, unit_price=unit_price,
                       price_per_tflop_hour=(unit_price / g.bf16_tflops).quantize(Decimal("0.000001"))
                       if g.bf16_tflops else None,
                       price_per_gb_hour=(unit_price / g.memory_gb).quantize(Decimal("0.000001")))
        elif roll < 0.8:
            vcpus = rng.choice([2, 4, 8, 16, 32, 64])
            arch = rng.choice(["x86_64", "x86_64", "arm64"])
            core_hour = Decimal(str(round(rng.uniform(0.03, 0.25), 4)))
            amount = (core_hour * vcpus * HOURS[billing]).quantize(Decimal("0.01"))
            unit = {1: "hour", 730: "month", 8760: "year"}[HOURS[billing]]
            title = (f"通用型云服务器 {vcpus}核{vcpus * 4}G {ZH_BILLING[billing]} {region.name_zh}" if zh
                     else f"General purpose {vcpus} vCPU {vcpus * 4} GiB {arch} {region.name_en}")
            row.update(kind="cpu", title=title, vcpus=Decimal(vcpus), ram_gb=Decimal(vcpus * 4), cpu_arch=arch,
                       list_amount=amount, list_unit=unit,
                       unit_price=(amount / HOURS[billing] / vcpus).quantize(Decimal("0.000001")))
        else:
            m = rng.choice(tokens)
            inp = Decimal(str(round(rng.uniform(0.1, 40), 2)))
            out = (inp * rng.choice([2, 3, 4])).quantize(Decimal("0.01"))
            row.update(kind="token", billing="on_demand",
                       title=f"{m.name} 大模型API" if zh else f"{m.name} API", model=m.id,
                       context_window=m.context_window, list_input_amount=inp, list_output_amount=out,
                       list_unit="1m_tokens", input_price=inp, output_price=out,
                       unit_price=((inp * 3 + out) / 4).quantize(Decimal("0.000001")))
        yield row


def build(session: Session, registries: Registries, offers: int, vendor_count: int = 2000, seed: int = 7,
          chunk: int = 20_000, progress=None) -> None:
    """Fill an empty database with `offers` synthetic offers (committed)."""
    session.execute(insert(Vendor), vendors(vendor_count))
    vendor_ids = list(session.scalars(Vendor.__table__.select().with_only_columns(Vendor.id)))
    for start in range(0, offers, chunk):
        rows = list(offer_rows(min(chunk, offers - start), vendor_ids, registries, seed, start))
        session.execute(insert(Offer), rows)
        session.commit()
        if progress:
            progress(len(rows))
