"""GPU names as the tools print them resolve to the right registry id (issue 16).

Each table is one source's spellings, copied as that tool prints them; the id beside each is
the card it names. Memory is given where the tool reports it apart from the name (Vast.ai's
gpu_ram, SkyPilot's GpuInfo), because the name alone does not say 40 or 80 GB.
"""

from decimal import Decimal

import pytest

from catalog.registry import UnknownName, default_registries

# `nvidia-smi --query-gpu=name --format=csv,noheader`
NVIDIA_SMI = [
    ("NVIDIA H100 80GB HBM3", "h100-sxm"),
    ("NVIDIA H100 PCIe", "h100-pcie"),
    ("NVIDIA H100 NVL", "h100-nvl"),
    ("NVIDIA H200", "h200"),
    ("NVIDIA H800", "h800"),
    ("NVIDIA H20", "h20"),
    ("NVIDIA A100-SXM4-40GB", "a100-40gb"),
    ("NVIDIA A100-SXM4-80GB", "a100-80gb"),
    ("NVIDIA A100-PCIE-40GB", "a100-40gb"),
    ("NVIDIA A100 80GB PCIe", "a100-80gb"),
    ("NVIDIA A800-SXM4-80GB", "a800-80gb"),
    ("NVIDIA A800 80GB PCIe", "a800-80gb"),
    ("NVIDIA L40S", "l40s"),
    ("NVIDIA L40", "l40"),
    ("NVIDIA L20", "l20"),
    ("NVIDIA L4", "l4"),
    ("NVIDIA A10", "a10"),
    ("NVIDIA A10G", "a10g"),
    ("Tesla T4", "t4"),
    ("Tesla V100-SXM2-16GB", "v100-16gb"),
    ("Tesla V100-SXM2-32GB", "v100-32gb"),
    ("Tesla V100-PCIE-16GB", "v100-16gb"),
    ("Tesla V100-PCIE-32GB", "v100-32gb"),
    ("Tesla V100S-PCIE-32GB", "v100-32gb"),
    ("Tesla P100-PCIE-16GB", "p100"),
    ("Tesla P4", "p4"),
    ("NVIDIA GeForce RTX 4090", "rtx-4090"),
    ("NVIDIA GeForce RTX 4090 D", "rtx-4090d"),
    ("NVIDIA GeForce RTX 3090", "rtx-3090"),
    ("NVIDIA RTX A6000", "rtx-a6000"),
    ("Quadro RTX 6000", "quadro-rtx-6000"),
    ("NVIDIA B200", "b200"),
]

# AcceleratorName in SkyPilot's catalogs (the four CSVs in shared/data/real and the clouds' current ones).
SKYPILOT = [
    ("A100", Decimal(40), "a100-40gb"),
    ("A100-80GB", None, "a100-80gb"),
    ("H100", None, "h100-sxm"),
    ("H100-MEGA", None, "h100-sxm"),
    ("H200", None, "h200"),
    ("B200", None, "b200"),
    ("L4", None, "l4"),
    ("T4", None, "t4"),
    ("P4", None, "p4"),
    ("P100", None, "p100"),
    ("V100", Decimal(32), "v100-32gb"),
    ("V100-32GB", None, "v100-32gb"),
    ("A10", None, "a10"),
    ("A10G", None, "a10g"),
    ("L40S", None, "l40s"),
    ("A6000", None, "rtx-a6000"),
    ("RTX 6000", None, "quadro-rtx-6000"),
    ("RTX4090", None, "rtx-4090"),
    ("RTX3090", None, "rtx-3090"),
]

# Vast.ai offers' `gpu_name`, with `gpu_ram` in GB where the name leaves the memory open.
VAST = [
    ("RTX 4090", None, "rtx-4090"),
    ("RTX 3090", None, "rtx-3090"),
    ("RTX A6000", None, "rtx-a6000"),
    ("H100 SXM", None, "h100-sxm"),
    ("H100 PCIE", None, "h100-pcie"),
    ("H100 NVL", None, "h100-nvl"),
    ("H200", None, "h200"),
    ("A100 SXM4", Decimal(80), "a100-80gb"),
    ("A100 SXM4", Decimal(40), "a100-40gb"),
    ("A100 PCIE", Decimal(80), "a100-80gb"),
    ("A100 PCIE", Decimal(40), "a100-40gb"),
    ("L40S", None, "l40s"),
    ("L40", None, "l40"),
    ("A10", None, "a10"),
    ("Tesla T4", None, "t4"),
    ("Tesla V100", Decimal(16), "v100-16gb"),
    ("Tesla V100", Decimal(32), "v100-32gb"),
    ("B200", None, "b200"),
]

# RunPod GPU type ids (gpuTypeId).
RUNPOD = [
    ("NVIDIA H100 80GB HBM3", "h100-sxm"),
    ("NVIDIA H100 PCIe", "h100-pcie"),
    ("NVIDIA H100 NVL", "h100-nvl"),
    ("NVIDIA H200", "h200"),
    ("NVIDIA A100-SXM4-80GB", "a100-80gb"),
    ("NVIDIA A100 80GB PCIe", "a100-80gb"),
    ("NVIDIA GeForce RTX 4090", "rtx-4090"),
    ("NVIDIA GeForce RTX 3090", "rtx-3090"),
    ("NVIDIA RTX A6000", "rtx-a6000"),
    ("NVIDIA L40S", "l40s"),
    ("NVIDIA L40", "l40"),
    ("NVIDIA L4", "l4"),
    ("NVIDIA B200", "b200"),
    ("Tesla V100-SXM2-32GB", "v100-32gb"),
    ("Tesla V100-PCIE-16GB", "v100-16gb"),
    ("AMD Instinct MI300X OAM", "mi300x"),
]


def _resolve(name: str, memory: Decimal | None = None) -> str:
    return default_registries().gpus.resolve(name, memory).id


@pytest.mark.parametrize(("name", "ident"), NVIDIA_SMI)
def test_nvidia_smi_names_resolve(name, ident):
    assert _resolve(name) == ident


@pytest.mark.parametrize(("name", "memory", "ident"), SKYPILOT)
def test_skypilot_catalog_names_resolve(name, memory, ident):
    assert _resolve(name, memory) == ident


@pytest.mark.parametrize(("name", "memory", "ident"), VAST)
def test_vast_gpu_names_resolve(name, memory, ident):
    assert _resolve(name, memory) == ident


@pytest.mark.parametrize(("name", "ident"), RUNPOD)
def test_runpod_gpu_ids_resolve(name, ident):
    assert _resolve(name) == ident


@pytest.mark.parametrize("name", ["A100 SXM4", "A100 PCIE", "Tesla V100"])
def test_a_name_without_its_memory_is_not_guessed(name):
    with pytest.raises(UnknownName) as exc:
        _resolve(name)
    assert len(exc.value.candidates) == 2


def test_sxm_pcie_and_nvl_h100_are_three_cards():
    ids = {_resolve(n) for n in ("NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe", "NVIDIA H100 NVL")}
    assert ids == {"h100-sxm", "h100-pcie", "h100-nvl"}
