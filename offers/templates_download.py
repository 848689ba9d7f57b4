"""The standard price-sheet template: CSV, and XLSX with a notes sheet in Chinese and English."""

import csv
import io

from offers.schema import ALL_COLUMNS

EXAMPLES = (
    {"sku": "gpu-4090-1", "kind": "gpu", "title": "RTX 4090 单卡 按量", "region": "cn-hangzhou", "billing": "on_demand",
     "gpu_model": "RTX 4090", "gpu_count": "1", "gpu_memory_gb": "24", "vcpus": "16", "ram_gb": "64",
     "price": "1.90", "currency": "CNY", "price_unit": "card_hour", "stock": "12",
     "description": "系统盘 50GB / 50 GB system disk", "available_from": "2026-12-01", "available_to": "2026-12-31",
     "available_hours": "20:00-08:00", "off_peak_hours": "00:00-08:00", "off_peak_rate": "0.6"},
    {"sku": "cpu-c8-m", "kind": "cpu", "title": "8 核 16G 包月", "region": "cn-beijing", "billing": "monthly",
     "vcpus": "8", "ram_gb": "16", "cpu_arch": "x86_64", "price": "408.80", "currency": "CNY", "price_unit": "month"},
    {"sku": "tok-deepseek-v3", "kind": "token", "title": "DeepSeek-V3 API", "region": "cn-hangzhou",
     "billing": "on_demand", "model": "deepseek-v3", "context_window": "65536", "input_price": "2.00",
     "output_price": "8.00", "currency": "CNY", "price_unit": "1m_tokens", "cached_input_price": "0.50",
     "off_peak_hours": "00:30-08:30", "off_peak_rate": "5折", "batch_rate": "0.5"},
)

NOTES = {
    "sku": ("你自己的商品编号，同一商家内唯一；再次上传同一 sku 会更新它并保留价格历史",
            "your own id, unique per vendor; uploading the same sku again updates it and keeps its price history"),
    "kind": ("gpu（显卡）、cpu（通用计算）或 token（大模型 API）", "gpu, cpu or token (LLM API)"),
    "title": ("标题，可留空（自动生成）", "title; may be blank (generated)"),
    "region": ("地域，如 cn-hangzhou、杭州、华东1；token 报价可留空", "region, e.g. cn-hangzhou; optional for token offers"),
    "billing": ("on_demand 按量、spot 竞价、monthly 包月、yearly 包年", "on_demand, spot, monthly or yearly"),
    "gpu_model": ("GPU 型号，如 A100 80GB、RTX 4090、910B（gpu 必填）", "GPU model, e.g. A100 80GB (required for gpu)"),
    "gpu_count": ("卡数，可为小数（0.5 卡）", "number of cards; may be fractional (0.5)"),
    "gpu_memory_gb": ("单卡显存 GB", "memory per card in GB"),
    "vcpus": ("vCPU 核数（cpu 整机价格必填）", "vCPUs (required when a cpu price covers the whole instance)"),
    "ram_gb": ("内存 GB", "memory in GB"),
    "cpu_arch": ("x86_64 或 arm64", "x86_64 or arm64"),
    "model": ("模型名称，如 deepseek-v3、qwen-max（token 必填）", "model id, e.g. deepseek-v3 (required for token)"),
    "context_window": ("上下文长度（tokens）", "context window in tokens"),
    "price": ("价格（gpu/cpu 必填；token 可用单一价格）", "price (required for gpu/cpu; a single price for token)"),
    "input_price": ("输入价格（token）", "input price (token)"),
    "output_price": ("输出价格（token）", "output price (token)"),
    "currency": ("币种，如 CNY、USD", "currency, e.g. CNY, USD"),
    "price_unit": ("计费单位：hour、month…（整行价格）；card_hour 元/卡时、core_hour 元/核时（单卡/单核价格）；"
                   "token、1k_tokens、1m_tokens",
                   "hour, month, … (the whole row), card_hour / core_hour (one card / core), token, 1k_tokens, 1m_tokens"),
    "stock": ("现有可售数量，留空表示未知", "units available now; blank = unknown"),
    "description": ("描述", "description"),
    "cached_input_price": ("缓存命中的输入价格（token，可选）", "cached input price (token, optional)"),
    "available_from": ("可用开始：日期或日期时间，北京时间（如 2026-12-01 或 2026-12-01 08:00）；留空表示现在起",
                       "usable from: a date or date-time, Beijing time unless it has an offset; blank = from now"),
    "available_to": ("可用结束：只写日期表示到当天 24:00；留空表示不限",
                     "usable until: a date alone means the end of that day (24:00); blank = no end"),
    "available_hours": ("每日可用时段 HH:MM-HH:MM（北京时间，可跨午夜，如 22:00-08:00）；留空表示全天",
                        "daily window HH:MM-HH:MM, Beijing time, may wrap midnight (22:00-08:00); blank = all day"),
    "off_peak_hours": ("闲时时段 HH:MM-HH:MM（北京时间，可跨午夜），须与闲时折扣同填",
                       "off-peak window HH:MM-HH:MM, Beijing time, may wrap midnight; needs off_peak_rate"),
    "off_peak_rate": ("闲时折扣：该时段内所有价格乘以它，0.5、50% 或 5折 都是半价；须大于 0 且不超过 1",
                      "multiplier of every price in off_peak_hours: 0.5, 50% or 5折 is half price; above 0, at most 1"),
    "cache_write_price": ("缓存写入价格（token，与输入价同单位）", "price of writing the prompt cache (token, same unit)"),
    "batch_rate": ("批量（异步）请求折扣（token），写法同闲时折扣", "multiplier for batch requests (token), as off_peak_rate"),
    "long_context_threshold": ("长上下文阈值：输入超过这么多 tokens 的请求整体按长上下文价格计费（token）",
                               "a request whose input exceeds this many tokens bills whole at the long prices (token)"),
    "long_input_price": ("长上下文输入价格（token）", "long-context input price (token)"),
    "long_output_price": ("长上下文输出价格（token）", "long-context output price (token)"),
}


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ALL_COLUMNS), restval="")
    writer.writeheader()
    writer.writerows(EXAMPLES)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    offers = workbook.active
    offers.title = "offers"
    offers.append(list(ALL_COLUMNS))
    for example in EXAMPLES:
        offers.append([example.get(c, "") for c in ALL_COLUMNS])
    for cell in offers[1]:
        cell.font = Font(bold=True)
    notes = workbook.create_sheet("notes 说明")
    notes.append(["column 列", "说明", "notes"])
    for column in ALL_COLUMNS:
        zh, en = NOTES[column]
        notes.append([column, zh, en])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.column_dimensions["A"].width = 20
    notes.column_dimensions["B"].width = 70
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
