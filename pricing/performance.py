"""Price per performance of a GPU offer: CNY per dense PFLOPS-hour and per GB-of-memory-hour. No Flask.

The FLOPS figure is the GPU registry's dense figure at the precision it names (BF16 where
the card has it; some older cards only have FP16 or FP32), so every figure carries that
precision beside it.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

PLACES = Decimal("0.0001")
TFLOPS_PER_PFLOPS = Decimal(1000)


@dataclass(frozen=True)
class PerfPrice:
    per_pflops_hour: Decimal | None  # CNY per dense PFLOPS-hour at `precision`
    precision: str  # "bf16", "fp16", "fp32"
    per_gb_hour: Decimal | None  # CNY per GB of accelerator memory per hour


def perf_price(card_hour_price: Decimal, dense_tflops: Decimal | None, precision: str,
               memory_gb: Decimal | None) -> PerfPrice:
    """Divide the card-hour price by the card's PFLOPS and by its memory (None where unknown)."""
    with localcontext() as ctx:
        ctx.prec = 40
        per_pflops = None
        if dense_tflops and dense_tflops > 0:
            per_pflops = (card_hour_price * TFLOPS_PER_PFLOPS / dense_tflops).quantize(PLACES, ROUND_HALF_EVEN)
        per_gb = None
        if memory_gb and memory_gb > 0:
            per_gb = (card_hour_price / memory_gb).quantize(PLACES, ROUND_HALF_EVEN)
    return PerfPrice(per_pflops, precision, per_gb)
