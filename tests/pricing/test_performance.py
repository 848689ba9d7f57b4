"""Price per performance, worked by hand."""

from decimal import Decimal as D

from pricing.performance import perf_price


def test_h100_per_pflops_hour_and_per_gb_hour():
    # ¥17.12/card-hour ÷ 0.989 PFLOPS (989 dense BF16 TFLOPS) = 17.31041… -> ¥17.3104; ÷ 80 GB = ¥0.214
    perf = perf_price(D("17.12"), D(989), "bf16", D(80))
    assert perf.per_pflops_hour == D("17.3104")
    assert perf.per_gb_hour == D("0.2140")
    assert perf.precision == "bf16"


def test_t4_is_an_fp16_figure():
    # ¥3.53 ÷ 0.065 PFLOPS (FP16) = 54.3077; ÷ 16 GB = 0.220625 -> 0.2206 (half-even)
    perf = perf_price(D("3.53"), D(65), "fp16", D(16))
    assert (perf.per_pflops_hour, perf.precision, perf.per_gb_hour) == (D("54.3077"), "fp16", D("0.2206"))


def test_unknown_flops_gives_no_figure():
    perf = perf_price(D("3.00"), None, "bf16", None)
    assert perf.per_pflops_hour is None and perf.per_gb_hour is None
