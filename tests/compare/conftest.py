"""A small hand-made catalog whose job costs are worked out by hand in the tests."""

from datetime import datetime
from decimal import Decimal as D

import pytest

from catalog.models import Offer, PriceHistory, Vendor
from extensions import db


def add_offer(vendor: Vendor, sku: str, **fields) -> Offer:
    defaults = {"kind": "gpu", "title": sku, "billing": "on_demand", "list_currency": "CNY", "status": "active"}
    offer = Offer(vendor=vendor, sku=sku, **{**defaults, **fields})
    db.session.add(offer)
    db.session.flush()
    db.session.add(PriceHistory(offer=offer, at=fields.get("price_updated_at", datetime(2026, 1, 1)),
                                unit_price=offer.unit_price, input_price=offer.input_price,
                                output_price=offer.output_price, list_amount=offer.list_amount,
                                list_currency=offer.list_currency, list_unit=offer.list_unit))
    return offer


@pytest.fixture()
def catalog(app):
    """H100 offers in three billing terms, an A100 40GB, CPU instances and two token offers."""
    alpha = Vendor(slug="alpha", name_zh="阿尔法云", name_en="Alpha Cloud")
    beta = Vendor(slug="beta", name_zh="贝塔算力", name_en="Beta Compute")
    db.session.add_all([alpha, beta])
    o = {
        "h100_card": add_offer(alpha, "h100-1", title="H100 单卡 按量", gpu_model="h100-sxm", gpu_count=D(1),
                               gpu_memory_gb=D(80), region="cn-hangzhou", list_amount=D("17.12"),
                               list_unit="card_hour", unit_price=D("17.12"), stock=10),
        "h100_node_month": add_offer(beta, "h100-8-m", title="H100 8卡 包月", gpu_model="h100-sxm", gpu_count=D(8),
                                     gpu_memory_gb=D(80), region="cn-beijing", billing="monthly",
                                     list_amount=D(92268), list_unit="month", unit_price=D("15.799315"), stock=2),
        "h100_node_year": add_offer(beta, "h100-8-y", title="H100 8卡 包年", gpu_model="h100-sxm", gpu_count=D(8),
                                    gpu_memory_gb=D(80), region="cn-beijing", billing="yearly",
                                    list_amount=D(883008), list_unit="year", unit_price=D("12.6"), stock=3),
        "h100_spot": add_offer(alpha, "h100-8-spot", title="H100 8卡 竞价", gpu_model="h100-sxm", gpu_count=D(8),
                               gpu_memory_gb=D(80), region="cn-hangzhou", billing="spot", list_amount=D("80"),
                               list_unit="hour", unit_price=D(10)),
        "h100_short": add_offer(beta, "h100-8-od", title="H100 8卡 按量（缺货）", gpu_model="h100-sxm",
                                gpu_count=D(8), gpu_memory_gb=D(80), region="cn-beijing", list_amount=D(80),
                                list_unit="hour", unit_price=D(10), stock=0),
        "a100_40": add_offer(alpha, "a100-40", title="A100 40G", gpu_model="a100-40gb", gpu_count=D(1),
                             gpu_memory_gb=D(40), region="cn-hangzhou", list_amount=D(5), list_unit="card_hour",
                             unit_price=D(5), stock=None),
        "cpu_small": add_offer(alpha, "c2", kind="cpu", title="2 vCPU 4 GB", vcpus=D(2), ram_gb=D(4),
                               cpu_arch="x86_64", region="cn-hangzhou", list_amount=D("0.20"), list_unit="hour",
                               unit_price=D("0.1")),
        "cpu_big": add_offer(beta, "c32", kind="cpu", title="32 vCPU 256 GB", vcpus=D(32), ram_gb=D(256),
                             cpu_arch="x86_64", region="cn-beijing", list_amount=D("6.4"), list_unit="hour",
                             unit_price=D("0.2")),
        "ds": add_offer(alpha, "ds", kind="token", title="DeepSeek V3.2", model="deepseek-v3.2", region="cn-hangzhou",
                        list_unit="1m_tokens", list_input_amount=D(2), list_output_amount=D(3),
                        input_price=D(2), output_price=D(3), cached_input_price=D("0.5"), unit_price=D("2.25")),
        "big_model": add_offer(beta, "big", kind="token", title="Big Model", model="qwen-max", region="cn-beijing",
                               list_unit="1m_tokens", list_input_amount=D("2.4"), list_output_amount=D("9.6"),
                               input_price=D("2.4"), output_price=D("9.6"), unit_price=D("4.2")),
    }
    db.session.commit()
    return o
