"""The four real SkyPilot catalogs import through their shipped mappings (data read from ../shared)."""

import csv
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.context import SEED_FX
from catalog.models import Offer
from extensions import db
from pricing.currency import FxTable
from tests.conftest import real_file

MAPPINGS = Path(__file__).resolve().parents[2] / "seed_data" / "mappings"
GPU_FAMILIES = ("a2-", "a3-", "a4-", "g2-")


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _import(runner, path: Path, vendor: str, mapping: str) -> dict:
    result = runner.invoke(args=["import-sheet", str(path), "--vendor", vendor, "--mapping", str(MAPPINGS / mapping)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["rejected"] == 0 and summary["errors"] == []
    assert len(summary["skips"]) == summary["skipped"]
    assert all(skip["reason"].strip() for skip in summary["skips"])
    return summary


def _offer(vendor: str, sku: str) -> Offer:
    offer = db.session.scalar(select(Offer).where(Offer.sku == sku, Offer.vendor.has(slug=vendor)))
    assert offer is not None, sku
    return offer


def _usd() -> Decimal:
    return FxTable.load(SEED_FX).rate("USD")


def _assert_reimport_unchanged(runner, path: Path, vendor: str, mapping: str, first: dict) -> None:
    again = _import(runner, path, vendor, mapping)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, first["created"])


def test_lambda_catalog(runner):
    path = real_file("skypilot_lambda_legacy.csv")
    rows = _rows(path)
    first = _import(runner, path, "lambda", "skypilot_lambda.json")
    # One region, one row per instance type, no SpotPrice anywhere: one on-demand offer per row.
    assert {r["Region"] for r in rows} == {"us-tx-1"} and not any(r["SpotPrice"] for r in rows)
    assert first["created"] == len({r["InstanceType"] for r in rows}) == 9
    assert first["skipped"] == 0

    a100 = _offer("lambda", "gpu.4x.a100@us-tx-1")
    assert (a100.gpu_model, a100.gpu_count, a100.region, a100.vcpus) == ("a100-40gb", 4, "us-south", None)
    assert a100.unit_price == (Decimal("4.40") * _usd() / 4).quantize(Decimal("0.000001"))
    assert _offer("lambda", "gpu.1x.rtx6000@us-tx-1").gpu_model == "quadro-rtx-6000"
    assert _offer("lambda", "gpu.2x.a6000@us-tx-1").gpu_model == "rtx-a6000"
    assert _offer("lambda", "gpu.8x.v100@us-tx-1").gpu_model == "v100-16gb"  # 16384 MiB per GPU
    _assert_reimport_unchanged(runner, path, "lambda", "skypilot_lambda.json", first)


def test_oci_catalog(runner):
    path = real_file("skypilot_oci_vms_example.csv")
    assert b"\r\n" in path.read_bytes()
    rows = _rows(path)
    first = _import(runner, path, "oci", "skypilot_oci.json")
    # One zone; each row is an on-demand offer, plus a spot offer where SpotPrice is given (not on BM).
    assert first["created"] == len(rows) + sum(1 for r in rows if r["SpotPrice"]) == 9
    assert first["skipped"] == 0

    a10 = _offer("oci", "VM.GPU.A10.2@ap-seoul-1")
    assert (a10.gpu_model, a10.gpu_count, a10.region) == ("a10", 2, "kr-seoul")
    assert "AP-SEOUL-1-AD-1" in a10.description and "bxtG" not in a10.description
    assert _offer("oci", "VM.GPU.A10.2@ap-seoul-1:spot").list_amount == 3
    assert db.session.scalar(select(Offer).where(Offer.sku == "BM.GPU.A10.4@ap-seoul-1:spot")) is None
    arm = _offer("oci", "VM.Standard.A1.Flex@ap-seoul-1")
    assert (arm.kind, arm.cpu_arch, arm.vcpus) == ("cpu", "arm64", 2)
    assert "Flex" in arm.description and "per OCPU" in arm.description
    assert arm.unit_price == (Decimal("0.02") * _usd() / 2).quantize(Decimal("0.000001"))
    _assert_reimport_unchanged(runner, path, "oci", "skypilot_oci.json", first)


def test_scp_catalog(runner):
    path = real_file("skypilot_scp_vms.csv")
    rows = _rows(path)
    first = _import(runner, path, "scp", "skypilot_scp.json")
    # Every zone-like Region is a zone of Seoul and no shape's price differs between them,
    # so each instance type is one offer; SpotPrice is always empty.
    assert not any(r["SpotPrice"] for r in rows)
    assert len({(r["InstanceType"], r["Price"]) for r in rows}) == len({r["InstanceType"] for r in rows})
    assert first["created"] == len({r["InstanceType"] for r in rows}) == 73
    assert first["skipped"] == 0

    v100 = _offer("scp", "g1v8v1@kr-seoul")
    # 32510 MiB per GPU is the 32 GB V100; the catalog's TotalGpuMemoryInMiB is not used.
    assert (v100.region, v100.gpu_model, v100.gpu_count, v100.vcpus) == ("kr-seoul", "v100-32gb", 1, 8)
    assert "KRW" in v100.description and "KOREA_WEST-1-SWN-FIN-B001" in v100.description
    assert _offer("scp", "g1v128a8@kr-seoul").gpu_model == "a100-80gb"  # 81251 MiB per GPU
    cpu = _offer("scp", "s1v2m4@kr-seoul")
    assert (cpu.kind, cpu.vcpus, cpu.list_amount) == ("cpu", 2, Decimal("0.10"))
    _assert_reimport_unchanged(runner, path, "scp", "skypilot_scp.json", first)


def _gcp_expected(rows: list[dict]) -> tuple[int, Counter]:
    """Offers and skip kinds, derived from the file by the rules in docs/real-sheets.md."""
    unique, seen = [], set()
    dups = 0
    for r in rows:
        key = tuple(r.values())
        dups += key in seen
        if key not in seen:
            seen.add(key)
            unique.append(r)
    tpu = sum(1 for r in unique if r["AcceleratorName"].startswith("tpu"))
    cpu = {(r["InstanceType"], r["Region"]) for r in unique
           if r["InstanceType"] and not r["InstanceType"].startswith(GPU_FAMILIES)}
    # a3 hosts all have their H100 / H100-MEGA / H200 row in the same zone (else a host is skipped
    # and the counts below fail); a2 hosts have no A100 row at all in the trimmed file: skipped.
    a3 = {(r["InstanceType"], r["Region"]) for r in unique if r["InstanceType"].startswith("a3-")}
    a2_rows = sum(1 for r in unique if r["InstanceType"].startswith("a2-"))
    attachable = {(r["AcceleratorName"], r["AcceleratorCount"], r["Region"]) for r in unique
                  if not r["InstanceType"] and r["AcceleratorName"] in ("T4", "P4", "P100")}
    l4_b200 = Counter(r["AcceleratorName"] for r in unique if r["AcceleratorName"] in ("L4", "B200"))
    on_demand = len(cpu) + len(a3) + len(attachable)
    # The H200 row of us-east5-a has no SpotPrice, so its two hosts (a3-ultragpu-8g and
    # -nolssd) get no spot offer; every other offer has both parts' SpotPrice.
    no_spot = 2
    skips = Counter(duplicate=dups, tpu=tpu, a2_host=a2_rows, **l4_b200)
    return on_demand * 2 - no_spot, skips


def test_gcp_catalog(runner):
    path = real_file("skypilot_gcp_vms_trimmed.csv")
    rows = _rows(path)
    first = _import(runner, path, "gcp", "skypilot_gcp.json")
    created, skips = _gcp_expected(rows)
    assert first["created"] == created == 212
    assert first["skipped"] == sum(skips.values()) == 338

    reasons = [s["reason"] for s in first["skips"]]
    assert sum(r.startswith("duplicate of row") for r in reasons) == skips["duplicate"] == 7
    assert sum(r.startswith("TPU is not a GPU model") for r in reasons) == skips["tpu"] == 225
    assert sum("700.0" in r for r in reasons) == 24  # SOURCES.md: 24 TPU v6e rows carry the placeholder
    assert sum("without its" in r and "A100" in r for r in reasons) == skips["a2_host"] == 52
    assert sum(r.startswith("L4 ×") for r in reasons) == skips["L4"] == 52
    assert sum(r.startswith("B200 ×8") for r in reasons) == skips["B200"] == 2

    # Host + GPU of one zone make one offer: a3-highgpu-8g and the H100 ×8 row of us-central1-a.
    host = next(r for r in rows if r["InstanceType"] == "a3-highgpu-8g" and r["AvailabilityZone"] == "us-central1-a")
    gpu = next(r for r in rows if (r["AcceleratorName"], r["AcceleratorCount"], r["AvailabilityZone"])
               == ("H100", "8", "us-central1-a"))
    combined = _offer("gcp", "a3-highgpu-8g@us-central1")
    assert combined.list_amount == Decimal(host["Price"]) + Decimal(gpu["Price"]) == Decimal("46.02079")
    assert (combined.gpu_model, combined.gpu_count, combined.vcpus, combined.region) == ("h100-sxm", 8, 208, "us-central")
    assert combined.unit_price == (combined.list_amount * _usd() / 8).quantize(Decimal("0.000001"))
    spot = _offer("gcp", "a3-highgpu-8g@us-central1:spot")
    assert spot.billing == "spot" and spot.list_amount == Decimal(host["SpotPrice"]) + Decimal(gpu["SpotPrice"])
    # us-east5 lists H100-MEGA at 38.8945 (82.75 elsewhere); it is the only us-east5 zone, so one offer.
    assert _offer("gcp", "a3-megagpu-8g@us-east5").list_amount == Decimal("10.65487") + Decimal("38.8945")
    assert _offer("gcp", "a3-ultragpu-8g@us-central1").gpu_model == "h200"
    assert db.session.scalar(select(Offer).where(Offer.sku == "a3-ultragpu-8g@us-east5:spot")) is None
    t4 = _offer("gcp", "T4x1@us-central1")
    assert "GPU only; the host VM is billed separately" in t4.description and t4.list_amount == Decimal("0.35")
    c2 = _offer("gcp", "c2-standard-4@us-central1")
    assert (c2.kind, c2.vcpus, c2.cpu_arch) == ("cpu", 4, "x86_64")
    assert db.session.scalar(select(Offer).where(Offer.sku.like("a2-%"))) is None
    _assert_reimport_unchanged(runner, path, "gcp", "skypilot_gcp.json", first)


@pytest.mark.parametrize("mapping", ["skypilot_gcp.json", "skypilot_scp.json", "skypilot_lambda.json",
                                     "skypilot_oci.json"])
def test_mappings_name_their_transform_and_currency(mapping):
    data = json.loads((MAPPINGS / mapping).read_text(encoding="utf-8"))
    assert data["transform"] == mapping.removesuffix(".json")
    assert data["defaults"]["currency"] == "USD" and data["description"]
