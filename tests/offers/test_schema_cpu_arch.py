import pytest

from offers.schema import load_offer


@pytest.mark.parametrize(("written", "arch"), [("x86_64", "x86_64"), ("X86-64", "x86_64"), ("amd64", "x86_64"),
                                               ("arm64", "arm64"), ("aarch64", "arm64")])
def test_cpu_arch_accepts_the_spec_words(context, written, arch):
    offer = load_offer(context, {"sku": "c1", "kind": "cpu", "region": "Beijing", "billing": "on_demand",
                                 "vcpus": "4", "price": "1", "currency": "CNY", "price_unit": "hour",
                                 "cpu_arch": written})
    assert offer["cpu_arch"] == arch
