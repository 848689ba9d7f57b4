"""Map a sheet's headers and values onto the standard columns: built-in aliases, then a mapping file.

A mapping is `{"columns": {"<sheet header>": "<standard column>"}, "defaults": {"<standard
column>": "<value>"}}` (spec section 4), extended with `"values": {"<standard column>":
{"<sheet value>": "<standard value>"}}` for vendor-specific codes and `"transform": "<name>"`
for sheets whose rows are not one offer each (see offers/transforms.py).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from offers.schema import ALL_COLUMNS
from pricing.text import fold

# Chinese (and common English) names vendors give the standard columns.
HEADER_ALIASES: dict[str, list[str]] = {
    "sku": ["编号", "产品编号", "商品编号", "规格编号", "sku编号", "id", "产品id", "offer id", "offer_id", "货号"],
    "kind": ["类型", "类别", "产品类型", "资源类型", "type", "offer type"],
    "title": ["标题", "名称", "产品名称", "商品名称", "规格名称", "name", "product", "产品"],
    "region": ["地域", "地区", "区域", "可用区", "机房", "地点", "location", "zone"],
    "billing": ["计费方式", "付费方式", "计费模式", "付费类型", "billing mode", "billing_mode", "pricing model"],
    "gpu_model": ["型号", "gpu型号", "显卡型号", "gpu", "卡型", "加速卡型号", "gpu model", "accelerator"],
    "gpu_count": ["卡数", "gpu数量", "显卡数量", "gpu卡数", "gpus", "gpu count", "number of gpus"],
    "gpu_memory_gb": ["显存", "显存(gb)", "单卡显存", "显存gb", "gpu memory", "gpu memory (gb)", "vram"],
    "vcpus": ["cpu核数", "vcpu", "vcpu数", "cpu", "核数", "cpu(核)", "cores", "vcpu count"],
    "ram_gb": ["内存", "内存(gb)", "内存gb", "memory", "memory (gb)", "ram", "ram (gb)"],
    "cpu_arch": ["架构", "cpu架构", "arch", "architecture"],
    "model": ["模型", "模型名称", "模型id", "model name", "model id"],
    "context_window": ["上下文长度", "上下文", "上下文窗口", "context", "context length", "max context"],
    "price": ["单价", "价格", "售价", "报价", "官网价", "price (cny)", "unit price", "list price"],
    "input_price": ["输入单价", "输入价格", "输入", "input", "input price"],
    "output_price": ["输出单价", "输出价格", "输出", "output", "output price"],
    "cached_input_price": ["缓存输入单价", "缓存命中单价", "缓存输入价格", "cached input", "cached input price"],
    "currency": ["币种", "货币", "币别", "currency code"],
    "price_unit": ["计费单位", "单位", "价格单位", "unit", "price unit", "billing unit"],
    "stock": ["库存", "可用数量", "可售数量", "余量", "available", "availability", "inventory"],
    "description": ["描述", "说明", "备注", "产品描述", "详情", "notes", "note", "remarks"],
    # Spec v2 section 4.1.
    "available_from": ["可用开始", "可用开始时间", "开始可用", "available from"],
    "available_to": ["可用结束", "可用结束时间", "可用截止", "available to", "available until"],
    "available_hours": ["每日可用时段", "可用时段", "available hours", "daily hours"],
    "off_peak_hours": ["闲时时段", "错峰时段", "off-peak hours", "off peak hours"],
    "off_peak_rate": ["闲时折扣", "错峰折扣", "off-peak rate", "off peak rate", "off-peak discount"],
    "cache_write_price": ["缓存写入单价", "缓存写入价格", "cache write price", "cache write"],
    "batch_rate": ["批量折扣", "批处理折扣", "batch rate", "batch discount"],
    "long_context_threshold": ["长上下文阈值", "long context threshold"],
    "long_input_price": ["长上下文输入单价", "长上下文输入价格", "long input price", "long context input price"],
    "long_output_price": ["长上下文输出单价", "长上下文输出价格", "long output price", "long context output price"],
}

_ALIASES = {fold(alias): col for col, names in HEADER_ALIASES.items() for alias in [col, *names]}


class MappingError(ValueError):
    """The mapping (or the header it meets) is wrong; the message says where."""


@dataclass
class ColumnMapping:
    columns: dict[str, str | None] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    transform: str | None = None

    @classmethod
    def from_json(cls, data: dict) -> "ColumnMapping":
        if not isinstance(data, dict):
            raise MappingError("映射文件必须是 JSON 对象 / the mapping must be a JSON object")
        unknown_keys = set(data) - {"columns", "defaults", "values", "transform", "description"}
        if unknown_keys:
            raise MappingError(f"映射文件有未知的键 / unknown keys in the mapping: {sorted(unknown_keys)}")
        columns = data.get("columns") or {}
        defaults = {k: str(v) for k, v in (data.get("defaults") or {}).items()}
        values = {k: {fold(str(a)): str(b) for a, b in v.items()} for k, v in (data.get("values") or {}).items()}
        for target in [*(c for c in columns.values() if c), *defaults, *values]:
            if target not in ALL_COLUMNS:
                raise MappingError(f"映射到未知的标准列 / the mapping names an unknown standard column: {target!r}")
        return cls(columns={fold(k): v for k, v in columns.items()}, defaults=defaults, values=values,
                   transform=data.get("transform"))

    @classmethod
    def load(cls, path: Path) -> "ColumnMapping":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise MappingError(f"无法读取映射文件 / cannot read the mapping file {path}: {exc}") from None
        return cls.from_json(data)


@dataclass
class HeaderPlan:
    """Which cell index feeds which standard column, and which headers are ignored."""

    targets: dict[int, str]
    ignored: list[str]


def plan_headers(header: list[str], mapping: ColumnMapping | None = None) -> HeaderPlan:
    """:raise MappingError: two headers feed one standard column."""
    mapping = mapping or ColumnMapping()
    targets: dict[int, str] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        key = fold(name)
        if not key:
            continue
        target = mapping.columns[key] if key in mapping.columns else _ALIASES.get(key)
        if target is None:
            ignored.append(name)
            continue
        if target in targets.values():
            other = header[next(i for i, t in targets.items() if t == target)]
            raise MappingError(
                f"表头 {other!r} 与 {name!r} 都对应标准列 {target} / headers {other!r} and {name!r} both map to {target}")
        targets[index] = target
    return HeaderPlan(targets=targets, ignored=ignored)


def suggest_column(header: str) -> str | None:
    """The standard column a header names by itself, if any (for the upload mapping step)."""
    return _ALIASES.get(fold(header))


def apply_mapping(cells: dict[str, str], mapping: ColumnMapping | None) -> dict[str, str]:
    """Fill defaults for absent columns and translate vendor codes through `values`."""
    if mapping is None:
        return cells
    out = dict(cells)
    for column, value in mapping.defaults.items():
        if not str(out.get(column) or "").strip():
            out[column] = value
    for column, table in mapping.values.items():
        value = out.get(column)
        if value is not None and fold(str(value)) in table:
            out[column] = table[fold(str(value))]
    return out
