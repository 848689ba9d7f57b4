"""Transforms for SkyPilot catalog CSVs (vms.csv of GCP, Samsung SCP, Lambda, OCI).

A SkyPilot row is one instance type (or, on GCP, one accelerator) in one zone, priced in
USD per hour for the whole thing. Each becomes an on-demand offer and, where SpotPrice
is a real price, a spot offer (sku suffix ":spot"); zones of one region that agree on
price collapse into one offer per region. docs/real-sheets.md says what each file yields.
"""

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation

from catalog.registry import UnknownName, default_registries
from offers.transforms import RawRow, Skip, register

SOURCE = "SkyPilot catalog"
# The GCP catalog writes 700.0 where it does not know a price (seen on TPU v6e rows).
PLACEHOLDER_PRICE = Decimal("700")
# Reported GPU memory is usable memory (A100 80GB reports 81251 MiB, 79.3 GiB): match within 3%.
MEMORY_TOLERANCE = Decimal("0.03")

# GCP machine types that exist only with their GPUs; the catalog prices them WITHOUT the
# GPUs, which are separate accelerator rows (name, count) in the same zone.
GCP_GPU_MACHINES: dict[str, tuple[str, int]] = {
    **{f"a2-highgpu-{n}g": ("A100", n) for n in (1, 2, 4, 8)},
    "a2-megagpu-16g": ("A100", 16),
    **{f"a2-ultragpu-{n}g": ("A100-80GB", n) for n in (1, 2, 4, 8)},
    **{f"a3-highgpu-{n}g": ("H100", n) for n in (1, 2, 4, 8)},
    "a3-edgegpu-8g": ("H100", 8),
    "a3-megagpu-8g": ("H100-MEGA", 8),
    "a3-ultragpu-8g": ("H200", 8),
    "a4-highgpu-8g": ("B200", 8),
    **{f"g2-standard-{n}": ("L4", 1) for n in (4, 8, 12, 16, 32)},
    "g2-standard-24": ("L4", 2),
    "g2-standard-48": ("L4", 4),
    "g2-standard-96": ("L4", 8),
}
GCP_GPU_FAMILIES = ("a2-", "a3-", "a4-", "g2-")
# GPUs GCP attaches to any N1 VM: sold on their own, the host VM being the buyer's choice.
GCP_ATTACHABLE = {"T4", "P4", "P100", "V100", "K80"}
GPU_ONLY = "GPU only; the host VM is billed separately."


@dataclass(frozen=True)
class Profile:
    """How one cloud's catalog differs from the others."""

    cloud: str
    note: str = ""
    zones_are_regions: bool = False  # SCP: the Region column holds zone-like names
    pair_hosts: bool = False  # GCP: add each GPU machine's accelerator row to its host row


@dataclass
class Part:
    """One source row, parsed."""

    number: int
    instance_type: str
    accelerator: str
    count: str
    vcpus: str
    ram_gb: str
    gpu_mib: Decimal | None
    region: str
    zone: str
    price: Decimal | str  # text when it is not a number, for the schema to reject with the row
    spot: Decimal | None
    notes: list[str] = field(default_factory=list)


@dataclass
class Candidate:
    """One would-be offer in one zone, built from one or two source rows."""

    numbers: tuple[int, ...]
    base_sku: str
    group: str
    region: str
    zone: str
    cells: dict[str, str]
    price: Decimal | str
    spot: Decimal | None
    notes: list[str] = field(default_factory=list)


def _money(text: str) -> Decimal | str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    return value if value.is_finite() and value > 0 else text


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def per_gpu_mib(gpu_info: str) -> Decimal | None:
    """Per-GPU memory in MiB from a GpuInfo cell (a Python literal, read without eval)."""
    if not gpu_info.strip().startswith("{"):
        return None
    try:
        info = ast.literal_eval(gpu_info)
        return Decimal(str(info["Gpus"][0]["MemoryInfo"]["SizeInMiB"]))
    except (ValueError, SyntaxError, TypeError, KeyError, IndexError, InvalidOperation):
        return None


def resolve_gpu(name: str, mib: Decimal | None) -> str:
    """The registry id for a GPU name, its per-GPU memory picking the variant ('A100' 40 or 80 GB).

    An unresolvable name comes back as written, so the schema reports it to the vendor.
    """
    gpus = default_registries().gpus
    try:
        return gpus.resolve(name).id
    except UnknownName as exc:
        if mib is None:
            return name
        gb = mib / 1024
        for ident in exc.candidates:
            model = gpus.get(ident)
            if model and abs(model.memory_gb - gb) <= model.memory_gb * MEMORY_TOLERANCE:
                try:
                    if gpus.resolve(name, model.memory_gb).id == ident:
                        return ident
                except UnknownName:
                    continue
        return name


def _canonical_region(text: str) -> str:
    try:
        return default_registries().regions.resolve(text).id
    except UnknownName:
        return text


def _parts(rows: Iterator[RawRow], profile: Profile, reasons: dict[int, list[str]]) -> list[Part]:
    """Parse rows, setting aside exact duplicates and TPUs with their reasons."""
    seen: dict[tuple, int] = {}
    parts = []
    for row in rows:
        cells = {k: (v or "").strip() for k, v in row.cells.items()}
        key = tuple(sorted(cells.items()))
        if key in seen:
            reasons[row.number] = [f"duplicate of row {seen[key]}"]
            continue
        seen[key] = row.number
        accelerator = cells.get("AcceleratorName", "")
        if accelerator.lower().startswith("tpu"):
            reason = "TPU is not a GPU model in the registry"
            if PLACEHOLDER_PRICE in (_money(cells.get("Price", "")), _money(cells.get("SpotPrice", ""))):
                reason += "; its price 700.0 is SkyPilot's placeholder for an unknown price"
            reasons[row.number] = [reason]
            continue
        region = cells.get("Region", "")
        zone = cells.get("AvailabilityZone", "").rsplit(":", 1)[-1]  # OCI: "bxtG:AP-SEOUL-1-AD-1"
        if profile.zones_are_regions:
            region, zone = _canonical_region(region), region
        spot = _money(cells.get("SpotPrice", ""))
        notes = []
        if spot is not None and (not isinstance(spot, Decimal) or spot == PLACEHOLDER_PRICE):
            notes.append(f"SpotPrice {cells['SpotPrice']!r} is not a price: no spot offer.")
            spot = None
        price = _money(cells.get("Price", ""))
        parts.append(Part(
            number=row.number, instance_type=cells.get("InstanceType", ""), accelerator=accelerator,
            count=cells.get("AcceleratorCount", ""), vcpus=cells.get("vCPUs", ""), ram_gb=cells.get("MemoryGiB", ""),
            gpu_mib=per_gpu_mib(cells.get("GpuInfo", "")), region=region, zone=zone,
            price=price if price is not None else "", spot=spot, notes=notes))
    return parts


def _arch(instance_type: str) -> str:
    # OCI A1 shapes run on Ampere Altra (arm64); every other shape in these catalogs is x86_64.
    return "arm64" if ".A1." in instance_type else "x86_64"


def _single(part: Part) -> Candidate:
    """A row that is an offer by itself: an instance type with or without its GPUs."""
    cells = {"vcpus": part.vcpus, "ram_gb": part.ram_gb}
    notes = list(part.notes)
    if part.accelerator:
        model = resolve_gpu(part.accelerator, part.gpu_mib)
        cells.update(kind="gpu", gpu_model=model, gpu_count=part.count,
                     title=f"{part.instance_type} ({part.count}× {part.accelerator})")
    else:
        cells.update(kind="cpu", cpu_arch=_arch(part.instance_type), title=part.instance_type)
    if ".Flex" in part.instance_type:
        notes.append(f"Flex shape: this price is for one configuration ({part.vcpus} vCPU / {part.ram_gb} GiB); "
                     "OCI bills Flex shapes per OCPU and per GB of memory.")
    return Candidate((part.number,), part.instance_type, part.region, part.region, part.zone, cells,
                     part.price, part.spot, notes)


def _gpu_only(part: Part) -> Candidate:
    model = resolve_gpu(part.accelerator, part.gpu_mib)
    cells = {"kind": "gpu", "gpu_model": model, "gpu_count": part.count,
             "title": f"{part.count}× {part.accelerator} (GPU only)"}
    return Candidate((part.number,), f"{part.accelerator}x{part.count}", part.region, part.region, part.zone,
                     cells, part.price, part.spot, [GPU_ONLY, *part.notes])


def _add(a: Decimal | str, b: Decimal | str) -> Decimal | str:
    return a + b if isinstance(a, Decimal) and isinstance(b, Decimal) else f"{a}+{b}"


def _gcp_candidates(parts: list[Part], reasons: dict[int, list[str]]) -> list[Candidate]:
    """Host row + accelerator row of the same zone = one GPU offer; see docs/real-sheets.md."""
    accelerators = {(p.zone, p.accelerator, p.count): p for p in parts if not p.instance_type}
    used: set[int] = set()
    out = []
    for host in (p for p in parts if p.instance_type):
        machine = host.instance_type.removesuffix("-nolssd")
        if not host.instance_type.startswith(GCP_GPU_FAMILIES):
            out.append(_single(host))
            continue
        if machine not in GCP_GPU_MACHINES:
            reasons[host.number] = [f"{host.instance_type} is a GPU machine type missing from the host→GPU table"]
            continue
        name, count = GCP_GPU_MACHINES[machine]
        gpu = accelerators.get((host.zone, name, str(count)))
        if gpu is None:
            reasons[host.number] = [f"{host.instance_type} is priced without its {count}× {name}, and the file "
                                    f"has no {name} ×{count} row in zone {host.zone} to add"]
            continue
        used.add(gpu.number)
        spot = host.spot + gpu.spot if host.spot is not None and gpu.spot is not None else None
        cells = {"kind": "gpu", "gpu_model": resolve_gpu(name, gpu.gpu_mib), "gpu_count": str(count),
                 "vcpus": host.vcpus, "ram_gb": host.ram_gb, "title": f"{host.instance_type} ({count}× {name})"}
        note = (f"Price = host VM {host.price} + {count}× {name} {gpu.price} USD/h (the catalog lists them apart)."
                + (f" Spot = {host.spot} + {gpu.spot}." if spot is not None else ""))
        out.append(Candidate((host.number, gpu.number), host.instance_type, host.region, host.region, host.zone,
                             cells, _add(host.price, gpu.price), spot, [note, *host.notes, *gpu.notes]))
    hosts_of: dict[str, list[str]] = {}
    for machine, (name, _) in GCP_GPU_MACHINES.items():
        hosts_of.setdefault(name, []).append(machine)
    for gpu in (p for p in parts if not p.instance_type and p.number not in used):
        if gpu.accelerator in GCP_ATTACHABLE:
            out.append(_gpu_only(gpu))
            continue
        hosts = hosts_of.get(gpu.accelerator)
        reasons[gpu.number] = [
            f"{gpu.accelerator} ×{gpu.count} is priced without the host VM it cannot run without "
            f"({', '.join(hosts) if hosts else 'unknown machine type'}), and the file has no such host "
            f"in zone {gpu.zone}"]
    return out


def _collapse(candidates: list[Candidate], reasons: dict[int, list[str]]) -> list[Candidate]:
    """One offer per (base sku, region): zones that agree merge; disagreeing zones keep the lowest price."""
    groups: dict[tuple[str, str], list[Candidate]] = {}
    for c in candidates:
        groups.setdefault((c.base_sku, c.group), []).append(c)
    out = []
    for (base, group), members in groups.items():
        def order(c: Candidate) -> tuple:
            return (not isinstance(c.price, Decimal), c.price if isinstance(c.price, Decimal) else 0,
                    c.spot is None, c.spot or 0)

        best = min(members, key=order)
        kept = [c for c in members if (c.price, c.spot) == (best.price, best.spot)]
        for c in members:
            if (c.price, c.spot) != (best.price, best.spot):
                for number in c.numbers:
                    reasons.setdefault(number, []).append(
                        f"zone {c.zone} prices {base} in {group} at {c.price} (spot {c.spot}) USD/h, other zones at "
                        f"{best.price} (spot {best.spot}); the {group} offer keeps the lower price")
        zones = sorted({c.zone for c in kept if c.zone})
        notes = list(dict.fromkeys(n for c in kept for n in c.notes))
        if len(zones) < len({c.zone for c in members}):
            notes.append(f"Other zones of {group} list a different price; see the import's skips.")
        out.append(replace(best, numbers=tuple(sorted({n for c in kept for n in c.numbers})),
                           notes=notes, zone=", ".join(zones)))
    return out


def _offer_rows(c: Candidate, profile: Profile) -> Iterator[RawRow]:
    sku = f"{c.base_sku}@{c.group}"
    where = f" (zones {c.zone})" if c.zone and c.zone != c.group else ""
    description = " ".join([f"{SOURCE} ({profile.cloud}), region {c.group}{where}.", *c.notes, profile.note]).strip()
    cells = {k: v for k, v in c.cells.items() if v}
    base = {**cells, "region": c.region, "description": description}
    price = _plain(c.price) if isinstance(c.price, Decimal) else c.price
    yield RawRow(c.numbers[0], {**base, "sku": sku, "billing": "on_demand", "price": price})
    if c.spot is not None:
        yield RawRow(c.numbers[0], {**base, "sku": f"{sku}:spot", "billing": "spot", "price": _plain(c.spot),
                                    "title": f"{cells.get('title', c.base_sku)} (spot)"})


def skypilot_offers(rows: Iterator[RawRow], profile: Profile) -> Iterator[RawRow | Skip]:
    """Offers from one SkyPilot vms.csv, then a Skip with its reason for every row that made none."""
    reasons: dict[int, list[str]] = {}
    numbers: list[int] = []

    def counted(source: Iterator[RawRow]) -> Iterator[RawRow]:
        for row in source:
            numbers.append(row.number)
            yield row

    parts = _parts(counted(rows), profile, reasons)
    candidates = (_gcp_candidates(parts, reasons) if profile.pair_hosts
                  else [_single(p) for p in parts])
    used: set[int] = set()
    for candidate in _collapse(candidates, reasons):
        used.update(candidate.numbers)
        yield from _offer_rows(candidate, profile)
    for number in numbers:
        if number not in used:
            yield Skip(number, "; ".join(reasons.get(number) or ["no offer was built from this row"]))


GCP = Profile("GCP", pair_hosts=True)
SCP = Profile("Samsung Cloud Platform", zones_are_regions=True,
              note="SCP bills in KRW; SkyPilot's catalog lists this price in USD per hour, shown as given.")
LAMBDA = Profile("Lambda Cloud")
OCI = Profile("Oracle Cloud", note="From SkyPilot's example OCI catalog: prices may be illustrative.")


@register("skypilot_gcp")
def skypilot_gcp(rows: Iterator[RawRow]) -> Iterator[RawRow | Skip]:
    return skypilot_offers(rows, GCP)


@register("skypilot_scp")
def skypilot_scp(rows: Iterator[RawRow]) -> Iterator[RawRow | Skip]:
    return skypilot_offers(rows, SCP)


@register("skypilot_lambda")
def skypilot_lambda(rows: Iterator[RawRow]) -> Iterator[RawRow | Skip]:
    return skypilot_offers(rows, LAMBDA)


@register("skypilot_oci")
def skypilot_oci(rows: Iterator[RawRow]) -> Iterator[RawRow | Skip]:
    return skypilot_offers(rows, OCI)
