"""The SkyPilot transforms on small inline catalogs."""

import csv
import io
from decimal import Decimal

import pytest

from offers.columns import ColumnMapping
from offers.sheet_import import import_sheet
from offers.skypilot import per_gpu_mib, resolve_gpu, skypilot_gcp, skypilot_lambda, skypilot_oci, skypilot_scp
from offers.transforms import RawRow, Skip

GCP_HEADER = "InstanceType,vCPUs,MemoryGiB,AcceleratorName,AcceleratorCount,GpuInfo,Region,AvailabilityZone,Price,SpotPrice\n"
H100 = "{'Gpus': [{'MemoryInfo': {'SizeInMiB': 81920}}]}"


def _run(transform, text: str) -> tuple[dict[str, dict], list[Skip]]:
    rows = [RawRow(i, cells) for i, cells in enumerate(csv.DictReader(io.StringIO(text)), start=2)]
    offers, skips = {}, []
    for item in transform(iter(rows)):
        if isinstance(item, Skip):
            skips.append(item)
        else:
            offers[item.cells["sku"]] = {**item.cells, "row": item.number}
    return offers, skips


def test_per_gpu_mib_reads_a_literal_and_never_evaluates_code():
    assert per_gpu_mib("{'Gpus': [{'Name': 'A100', 'MemoryInfo': {'SizeInMiB': 40960}}]}") == 40960
    assert per_gpu_mib("{'Gpus': [__import__('os').system('false')]}") is None
    assert per_gpu_mib("tpu-v5p-8") is None
    assert per_gpu_mib("") is None


@pytest.mark.parametrize(("name", "mib", "model"), [
    ("A100", Decimal(40960), "a100-40gb"), ("A100", Decimal(81251), "a100-80gb"),
    ("V100", Decimal(32510), "v100-32gb"), ("V100", Decimal(16384), "v100-16gb"),
    ("A10", Decimal(49152), "a10"),  # OCI writes several GPUs' memory here; the name alone is unambiguous
    ("A100", None, "A100"),  # left as written: the schema tells the vendor it is ambiguous
    ("Z9000", Decimal(1024), "Z9000"),
])
def test_resolve_gpu_uses_per_gpu_memory(name, mib, model):
    assert resolve_gpu(name, mib) == model


def test_gcp_host_and_gpu_of_one_zone_make_one_offer_per_region():
    offers, skips = _run(skypilot_gcp, GCP_HEADER
                         + "a3-highgpu-1g,26.0,234.0,,,,us-central1,us-central1-a,1.0,0.25\n"
                         + f",,,H100,1,{H100},us-central1,us-central1-a,4.5,2.0\n"
                         + "a3-highgpu-1g,26.0,234.0,,,,us-central1,us-central1-b,1.0,0.25\n"
                         + f",,,H100,1,{H100},us-central1,us-central1-b,4.5,2.0\n")
    assert skips == []
    assert set(offers) == {"a3-highgpu-1g@us-central1", "a3-highgpu-1g@us-central1:spot"}
    on_demand = offers["a3-highgpu-1g@us-central1"]
    assert (on_demand["price"], on_demand["gpu_model"], on_demand["gpu_count"]) == ("5.5", "h100-sxm", "1")
    assert (on_demand["kind"], on_demand["vcpus"], on_demand["billing"]) == ("gpu", "26.0", "on_demand")
    assert "us-central1-a, us-central1-b" in on_demand["description"]
    assert offers["a3-highgpu-1g@us-central1:spot"]["price"] == "2.25"


def test_gcp_host_without_its_gpu_row_is_skipped_with_the_reason():
    offers, skips = _run(skypilot_gcp, GCP_HEADER + "a2-highgpu-1g,12.0,85.0,,,,us-central1,us-central1-a,0.73948,0.29576\n")
    assert offers == {}
    assert skips[0].number == 2 and "without its 1× A100" in skips[0].reason


def test_gcp_gpus_alone_attachable_become_gpu_only_and_fixed_host_ones_are_skipped():
    offers, skips = _run(skypilot_gcp, GCP_HEADER
                         + ",,,T4,1,{'Gpus': [{'MemoryInfo': {'SizeInMiB': 16384}}]},us-east1,us-east1-c,0.35,0.07\n"
                         + ",,,L4,1,{'Gpus': [{'MemoryInfo': {'SizeInMiB': 24576}}]},us-east1,us-east1-c,0.56,0.22\n"
                         + ",,,B200,8,{'Gpus': [{'MemoryInfo': {'SizeInMiB': 184320}}]},us-east4,us-east4-b,90.216,\n")
    assert set(offers) == {"T4x1@us-east1", "T4x1@us-east1:spot"}
    assert "GPU only; the host VM is billed separately" in offers["T4x1@us-east1"]["description"]
    assert {s.number for s in skips} == {3, 4}
    assert all("host VM" in s.reason for s in skips)


def test_gcp_zones_that_disagree_keep_the_lower_price_and_say_so():
    offers, skips = _run(skypilot_gcp, GCP_HEADER
                         + "c2-standard-4,4.0,16.0,,,,us-east5,us-east5-a,0.2,0.05\n"
                         + "c2-standard-4,4.0,16.0,,,,us-east5,us-east5-b,0.3,0.05\n")
    assert offers["c2-standard-4@us-east5"]["price"] == "0.2"
    assert offers["c2-standard-4@us-east5"]["kind"] == "cpu"
    assert "different price" in offers["c2-standard-4@us-east5"]["description"]
    assert len(skips) == 1 and skips[0].number == 3 and "us-east5-b" in skips[0].reason
    assert "keeps the lower price" in skips[0].reason


def test_gcp_duplicates_tpus_and_placeholders_are_skipped_and_empty_spot_is_no_offer():
    offers, skips = _run(skypilot_gcp, GCP_HEADER
                         + "c2-standard-4,4.0,16.0,,,,us-east1,us-east1-b,0.2,\n"
                         + "c2-standard-4,4.0,16.0,,,,us-east1,us-east1-b,0.2,\n"
                         + ",,,tpu-v6e-1,1,tpu-v6e-1,us-east1,us-east1-d,700.0,700.0\n"
                         + ",,,tpu-v5p-8,1,tpu-v5p-8,us-east5,us-east5-a,8.4,3.36\n"
                         + "c2-standard-8,8.0,32.0,,,,us-east1,us-east1-b,0.4,n/a\n")
    assert set(offers) == {"c2-standard-4@us-east1", "c2-standard-8@us-east1"}
    assert "'n/a' is not a price" in offers["c2-standard-8@us-east1"]["description"]
    reasons = {s.number: s.reason for s in skips}
    assert reasons[3] == "duplicate of row 2"
    assert reasons[4].startswith("TPU is not a GPU model") and "700.0" in reasons[4]
    assert reasons[5] == "TPU is not a GPU model in the registry"


def test_scp_zone_like_regions_are_zones_of_seoul():
    header = "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n"
    info = "\"{'Gpus': [{'Name': 'V100', 'Count': 1.0, 'MemoryInfo': {'SizeInMiB': 32510}}], 'TotalGpuMemoryInMiB': 32510}\""
    offers, skips = _run(skypilot_scp, header
                         + f"g1v8v1,V100,1,8,64,2.27,KOREA-WEST-1-SCP-B001,{info},\n"
                         + f"g1v8v1,V100,1,8,64,2.270,KOREA_WEST-1-SWN-FIN-B001,{info},\n")
    assert skips == [] and list(offers) == ["g1v8v1@kr-seoul"]
    offer = offers["g1v8v1@kr-seoul"]
    assert (offer["region"], offer["gpu_model"], offer["price"]) == ("kr-seoul", "v100-32gb", "2.27")
    assert "KRW" in offer["description"]


def test_lambda_rows_without_vcpus():
    header = "InstanceType,AcceleratorName,AcceleratorCount,MemoryGiB,Price,Region,GpuInfo,SpotPrice\n"
    info = "\"{'Gpus': [{'Name': 'RTX 6000', 'Count': 1, 'MemoryInfo': {'SizeInMiB': 24576}}]}\""
    offers, _ = _run(skypilot_lambda, header + f"gpu.1x.rtx6000,RTX 6000,1,46,0.50,us-tx-1,{info},\n")
    offer = offers["gpu.1x.rtx6000@us-tx-1"]
    assert offer["gpu_model"] == "quadro-rtx-6000" and "vcpus" not in offer and offer["price"] == "0.5"


def test_oci_crlf_sheet_imports_with_the_tenancy_prefix_dropped(app, context):
    from extensions import db

    text = ("InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region,"
            "AvailabilityZone\r\nVM.Standard.A1.Flex,,,2,12,,0.02,0.01,ap-seoul-1,bxtG:AP-SEOUL-1-AD-1\r\n")
    mapping = ColumnMapping.from_json({"transform": "skypilot_oci", "defaults": {"currency": "USD", "price_unit": "hour"}})
    report = import_sheet(db.session, io.BytesIO(text.encode()), "oci", context, filename="vms.csv", mapping=mapping)
    assert report.landed and report.created == 2 and report.errors == []
    offers, _ = _run(skypilot_oci, text.replace("\r\n", "\n"))
    offer = offers["VM.Standard.A1.Flex@ap-seoul-1"]
    assert offer["cpu_arch"] == "arm64" and "AP-SEOUL-1-AD-1" in offer["description"] and "bxtG" not in offer["description"]
