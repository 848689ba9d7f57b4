"""The one validation gate for an offer, whether it comes from the form, a sheet row or JSON.

`OfferSchema(context).load(row)` takes standard columns (spec section 4) as strings or
numbers and returns the normalized offer as a dict of `Offer` column values. Messages
are Chinese first, English beside, keyed by the standard column they concern.
"""

import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_load, validates_schema
from marshmallow.validate import Length
from sqlalchemy import BigInteger, Integer

from catalog.context import CatalogContext
from catalog.models import Offer
from catalog.money_type import Money
from catalog.registry import UnknownName
from catalog.spec_schema import (  # noqa: F401 - the sheet's columns
    ALL_COLUMNS,
    AVAILABILITY_COLUMNS,
    EXTRA_COLUMNS,
    STANDARD_COLUMNS,
    TOKEN_DETAIL_COLUMNS,
)
from pricing.availability import AvailabilityError, parse_local_time, parse_rate, parse_window
from pricing.currency import UnknownCurrency, parse_currency
from pricing.money import AmountError, parse_amount
from pricing.normalize import (
    ListedPrice,
    NormalizationError,
    blended_token_price,
    per_hour_of_one,
    per_million_tokens,
    price_per_gb_hour,
    price_per_tflop_hour,
)
from pricing.text import first_hidden_character, squash
from pricing.units import TOKENS, Billing, Kind, PriceUnit, UnknownWord, parse_billing, parse_kind, parse_price_unit


def bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"


MISSING = bilingual("缺少必填字段", "missing required field")


def not_a_number(value) -> str:
    return bilingual(f"不是有效数字：{value!r}", f"not a number: {value!r}")


def too_large(maximum: Decimal) -> str:
    return bilingual(f"数值过大（最大 {maximum:f}）", f"too large (at most {maximum:f})")


def too_fine(places: int, value: Decimal) -> str:
    return bilingual(f"最多 {places} 位小数：{value:f}", f"at most {places} decimal places: {value:f}")


def hidden_character(position: int, char: str, zh_where: str = "", en_where: str = "") -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    named = f"{code} {name}" if name else code
    return bilingual(f"{zh_where}第 {position} 个字符是看不见的控制字符 {named}，请删除",
                     f"{en_where}character {position} is an invisible control character {named}: delete it")


# Bounds that keep every value inside its column (catalog/models.py: listed Money(24, 10),
# normalized Money(20, 6), gpu_count Money(10, 4)) and inside Decimal's 40-digit context.
MAX_LISTED_AMOUNT = Decimal(10) ** 10
MAX_NORMALIZED_PRICE = Decimal(10) ** 12
MAX_GPU_COUNT = Decimal(100_000)
NORMALIZED_PRICE_FIELDS = ("unit_price", "input_price", "output_price", "cached_input_price", "cache_write_price",
                           "long_input_price", "long_output_price")
# Token prices beyond input and output (spec 4.1), each in the row's token unit: (listed column, normalized).
TOKEN_EXTRA_PRICES = {"cache_write_price": "list_cache_write_amount", "long_input_price": "list_long_input_amount",
                      "long_output_price": "list_long_output_amount"}
AMOUNT_FIELDS = ("price", "input_price", "output_price", "cached_input_price", *TOKEN_EXTRA_PRICES)
# PostgreSQL's INTEGER is 32-bit (SQLite's is 64): the bound of every Integer column.
INT4_MAX = 2**31 - 1
_ARCH_WORDS = {"x86_64": "x86_64", "x86": "x86_64", "amd64": "x86_64", "intel": "x86_64", "amd": "x86_64",
         "arm64": "arm64", "arm": "arm64", "aarch64": "arm64", "鲲鹏": "arm64", "倚天": "arm64",
         "graviton": "arm64", "海光": "x86_64", "hygon": "x86_64"}
_ARCH = {squash(word): arch for word, arch in _ARCH_WORDS.items()}


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency_hint: str | None


def column_limits(column: str) -> tuple[int, Decimal]:
    """(decimal places, largest value) that the offers column `column` stores exactly (catalog/models.py)."""
    kind = Offer.__table__.c[column].type
    if isinstance(kind, Money):
        places, digits = kind.scale, kind.impl.precision
        return places, Decimal(10) ** (digits - places) - Decimal(1).scaleb(-places)
    if isinstance(kind, BigInteger):
        return 0, Decimal(2**63 - 1)
    if isinstance(kind, Integer):
        return 0, Decimal(INT4_MAX)
    raise TypeError(f"offers.{column} is not a numeric column")


def fit_column(amount: Decimal, column: str, maximum: Decimal | None = None) -> Decimal:
    """`amount` if its column stores it as it is, else a ValidationError (never rounded to 0 or cut).

    `maximum` is a tighter, domain bound; the column's own always applies.
    """
    places, largest = column_limits(column)
    largest = min(largest, maximum) if maximum is not None else largest
    if amount > largest:
        raise ValidationError(too_large(largest))
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(too_fine(places, amount))
    return amount


class AmountField(fields.Field):
    """A positive money amount; '¥1.90' also says the currency."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            amount, hint = parse_amount(value)
        except AmountError:
            raise ValidationError(not_a_number(value)) from None
        if amount <= 0:
            raise ValidationError(bilingual("价格必须大于 0", "price must be greater than 0"))
        # Every listed amount (price, input, output, cached input) lands in a LISTED column.
        return Amount(fit_column(amount, "list_amount", MAX_LISTED_AMOUNT), hint)


class PositiveDecimal(fields.Field):
    """A positive number that fits offers.`column`, within `maximum`."""

    def __init__(self, column: str, maximum: Decimal = Decimal("10000000"), **kwargs):
        super().__init__(**kwargs)
        self.column, self.maximum = column, maximum

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            amount, _ = parse_amount(value)
        except AmountError:
            raise ValidationError(not_a_number(value)) from None
        if amount <= 0:
            raise ValidationError(bilingual("必须大于 0", "must be greater than 0"))
        amount = fit_column(amount, self.column, self.maximum)
        return amount.normalize() if amount == amount.to_integral_value() else amount


class WholeNumber(fields.Field):
    """A whole number >= minimum that fits offers.`column` ('12', 12, 12.0 and '12.0' are all 12)."""

    def __init__(self, column: str, minimum: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.column, self.minimum = column, minimum

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            amount, _ = parse_amount(value)
        except AmountError:
            raise ValidationError(bilingual(f"不是有效整数：{value!r}", f"not a whole number: {value!r}")) from None
        if amount < self.minimum:
            raise ValidationError(bilingual(f"不能小于 {self.minimum}", f"must be at least {self.minimum}"))
        _, largest = column_limits(self.column)
        if amount > largest:  # before the whole-number test: quantizing 1e999999 overflows
            raise ValidationError(too_large(largest))
        if amount != amount.to_integral_value():
            raise ValidationError(bilingual(f"必须是整数：{value!r}", f"must be a whole number: {value!r}"))
        return int(amount)


class VendorText(fields.String):
    """Text a vendor typed: no invisible control, format or bidi characters (tab and line breaks
    only where `multiline`). Refused rather than stripped: a sku must stay what the vendor wrote."""

    def __init__(self, max_length: int, multiline: bool = False, **kwargs):
        super().__init__(validate=Length(max=max_length), **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = first_hidden_character(text, self.multiline)
        if problem:
            raise ValidationError(hidden_character(*problem))
        return text


class WordField(fields.Field):
    """An enumerated word parsed by `parser`, which raises ValueError on an unknown word."""

    def __init__(self, parser, zh_name: str, en_name: str, **kwargs):
        super().__init__(**kwargs)
        self.parser, self.zh_name, self.en_name = parser, zh_name, en_name

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return self.parser(str(value))
        except (UnknownWord, UnknownCurrency):
            raise ValidationError(
                bilingual(f"未知的{self.zh_name}：{value!r}", f"unknown {self.en_name}: {value!r}")) from None


class RateField(fields.Field):
    """A price multiplier: 0.5, 50%, 5折 (pricing.availability.parse_rate)."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_rate(value)
        except AvailabilityError as exc:
            raise ValidationError(str(exc)) from None


class WindowField(fields.Field):
    """A daily window HH:MM-HH:MM in Asia/Shanghai, stored in that one spelling."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_window(str(value)).text()
        except AvailabilityError as exc:
            raise ValidationError(str(exc)) from None


class LocalTimeField(fields.Field):
    """An ISO date or date-time (Asia/Shanghai without an offset) as naive UTC; `end_of_day`: a date
    alone is the end of that day (24:00)."""

    def __init__(self, end_of_day: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.end_of_day = end_of_day

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return parse_local_time(str(value), end_of_day=self.end_of_day)
        except AvailabilityError as exc:
            raise ValidationError(str(exc)) from None


def _parse_arch(text: str) -> str:
    try:
        return _ARCH[squash(text)]
    except KeyError:
        raise UnknownWord(text) from None


class OfferSchema(Schema):
    class Meta:
        unknown = RAISE

    sku = VendorText(200, required=True, error_messages={"required": MISSING})
    kind = WordField(parse_kind, "类型", "kind", required=True, error_messages={"required": MISSING})
    title = VendorText(300)
    description = VendorText(5000, multiline=True)
    region = VendorText(200)
    billing = WordField(parse_billing, "计费方式", "billing mode")
    gpu_model = VendorText(200)
    gpu_count = PositiveDecimal("gpu_count", maximum=MAX_GPU_COUNT)
    gpu_memory_gb = PositiveDecimal("gpu_memory_gb")
    vcpus = PositiveDecimal("vcpus")
    ram_gb = PositiveDecimal("ram_gb")
    cpu_arch = WordField(_parse_arch, "CPU 架构", "cpu_arch")
    model = VendorText(200)
    context_window = WholeNumber("context_window", minimum=1)
    price = AmountField()
    input_price = AmountField()
    output_price = AmountField()
    cached_input_price = AmountField()
    currency = WordField(parse_currency, "币种", "currency")
    price_unit = WordField(parse_price_unit, "计费单位", "price unit")
    stock = WholeNumber("stock", minimum=0)
    available_from = LocalTimeField()
    available_to = LocalTimeField(end_of_day=True)
    available_hours = WindowField()
    off_peak_hours = WindowField()
    off_peak_rate = RateField()
    cache_write_price = AmountField()
    batch_rate = RateField()
    long_context_threshold = WholeNumber("long_context_threshold", minimum=1)
    long_input_price = AmountField()
    long_output_price = AmountField()

    def __init__(self, context: CatalogContext, **kwargs):
        super().__init__(**kwargs)
        self.catalog = context
        self._sent: set[str] = set()

    @pre_load
    def drop_blanks(self, data, **kwargs):
        """Blank cells are absent values; text is trimmed."""
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
            if value is None or value == "":
                continue
            out[key] = value
        # A field that failed to parse is absent from the validated data; remembering what
        # was sent keeps us from also calling it "missing".
        self._sent = set(out)
        return out

    @validates_schema(skip_on_field_errors=False)
    def check_offer(self, data, **kwargs):
        errors: dict[str, list[str]] = {}

        def fail(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        kind = data.get("kind")
        unit, unit_currency = data.get("price_unit", (None, None))
        currency = data.get("currency")
        amounts = [data[f] for f in AMOUNT_FIELDS if f in data]
        hints = {a.currency_hint for a in amounts if a.currency_hint} | ({unit_currency} if unit_currency else set())
        if currency and hints - {currency}:
            fail("currency", bilingual(f"币种 {currency} 与价格写法 {'/'.join(sorted(hints))} 不一致",
                                       f"currency {currency} contradicts {'/'.join(sorted(hints))} in the price"))
        elif not currency and len(hints) > 1:
            fail("currency", bilingual("价格中的币种不一致", "the price cells name different currencies"))
        elif not currency and not hints and "currency" not in self._sent:
            fail("currency", MISSING)
        if not unit and "price_unit" not in self._sent:
            fail("price_unit", MISSING)

        if kind in (Kind.GPU, Kind.CPU):
            for field in ("region", "billing", "price"):
                if field not in data and field not in self._sent:
                    fail(field, MISSING)
            if unit in TOKENS:
                fail("price_unit", bilingual(f"{unit.value} 不适用于{kind.value}报价",
                                             f"{unit.value} does not fit a {kind.value} offer"))
            for field in ("input_price", "output_price", "cached_input_price", *TOKEN_DETAIL_COLUMNS):
                if field in data:
                    fail(field, bilingual("只用于 token 报价", "only for token offers"))
        if kind is Kind.GPU:
            if "gpu_model" not in data:
                fail("gpu_model", MISSING)
            if unit is PriceUnit.CORE_HOUR:
                fail("price_unit", bilingual("GPU 报价请用 元/卡时", "a gpu offer is priced per card_hour, not core_hour"))
            if "gpu_count" not in data and unit not in (PriceUnit.CARD_HOUR, None):
                fail("gpu_count", bilingual("整机/多卡价格须注明卡数", "gpu_count is required when the price covers a whole instance"))
        if kind is Kind.CPU:
            if unit is PriceUnit.CARD_HOUR:
                fail("price_unit", bilingual("CPU 报价请用 元/核时", "a cpu offer is priced per core_hour, not card_hour"))
            if "vcpus" not in data and unit not in (PriceUnit.CORE_HOUR, None):
                fail("vcpus", bilingual("整机价格须注明 vCPU 核数", "vcpus is required when the price covers a whole instance"))
            if "gpu_model" in data:
                fail("gpu_model", bilingual("CPU 报价不应填写 GPU 型号", "a cpu offer has no gpu_model"))
        if kind is Kind.TOKEN:
            if "model" not in data:
                fail("model", MISSING)
            if unit and unit not in TOKENS:
                fail("price_unit", bilingual(f"{unit.value} 不适用于 token 报价",
                                             f"{unit.value} does not fit a token offer"))
            if "price" not in data and not ("input_price" in data and "output_price" in data):
                missing = [f for f in ("input_price", "output_price") if f not in data]
                for field in missing or ["price"]:
                    if field not in self._sent:
                        fail(field, bilingual("缺少价格：请填 price，或 input_price 与 output_price",
                                              "missing price: give price, or input_price and output_price"))

        self._check_details(data, fail)

        regs = self.catalog.registries
        if data.get("region"):
            try:
                regs.regions.resolve(data["region"])
            except UnknownName as exc:
                fail("region", exc.message)
        if kind is Kind.GPU and data.get("gpu_model"):
            try:
                model = regs.gpus.resolve(data["gpu_model"], self._card_memory(data))
                memory = data.get("gpu_memory_gb")
                count = data.get("gpu_count") or Decimal(1)
                # A fractional card (0.5 of a 4090) may state the slice's memory (12 GB).
                allowed = {model.memory_gb, model.memory_gb * count} if count < 1 else {model.memory_gb}
                if memory is not None and memory not in allowed:
                    fail("gpu_memory_gb", bilingual(
                        f"显存 {memory:f} GB 与型号 {model.name}（{model.memory_gb:f} GB）不符",
                        f"memory {memory:f} GB does not match {model.name} ({model.memory_gb:f} GB)"))
            except UnknownName as exc:
                fail("gpu_model", exc.message)
        if kind is Kind.TOKEN and data.get("model"):
            try:
                regs.token_models.resolve(data["model"])
            except UnknownName as exc:
                fail("model", exc.message)
        effective = currency or (next(iter(hints)) if len(hints) == 1 else None)
        if effective:
            try:
                self.catalog.fx.rate(effective)
            except UnknownCurrency:
                fail("currency", bilingual(f"没有 {effective} 的汇率", f"no exchange rate for {effective}"))
        if errors:
            raise ValidationError(errors)

    def _check_details(self, data: dict, fail) -> None:
        """Spec 4.1 columns that only mean something together."""
        given = set(data) | self._sent
        if "off_peak_rate" in given and "off_peak_hours" not in given:
            fail("off_peak_hours", bilingual("填写了闲时折扣，还须填写闲时时段",
                                             "off_peak_rate needs off_peak_hours (when it applies)"))
        if "off_peak_hours" in given and "off_peak_rate" not in given:
            fail("off_peak_rate", bilingual("填写了闲时时段，还须填写闲时折扣",
                                            "off_peak_hours needs off_peak_rate (how much it takes off)"))
        longs = {"long_input_price", "long_output_price"} & given
        if longs and "long_context_threshold" not in given:
            fail("long_context_threshold", bilingual("填写了长上下文单价，还须填写长上下文阈值",
                                                     "long-context prices need long_context_threshold"))
        if "long_context_threshold" in given and not longs:
            fail("long_context_threshold", bilingual(
                "长上下文阈值须配长上下文输入或输出单价",
                "long_context_threshold needs long_input_price or long_output_price"))
        start, end = data.get("available_from"), data.get("available_to")
        if start is not None and end is not None and end <= start:
            fail("available_to", bilingual("可用结束须晚于可用开始", "available_to must be after available_from"))

    @staticmethod
    def _card_memory(data: dict) -> Decimal | None:
        """Memory of a whole card, for telling 'A100' 40GB from 80GB (a 0.5 slice states half)."""
        memory, count = data.get("gpu_memory_gb"), data.get("gpu_count")
        if memory is not None and count is not None and count < 1:
            return None
        return memory

    @post_load
    def normalize(self, data, **kwargs):
        """Derive the normalized prices; never typed by the vendor."""
        regs, fx = self.catalog.registries, self.catalog.fx
        kind: Kind = data["kind"]
        unit, unit_currency = data["price_unit"]
        hints = [a.currency_hint for a in (data.get(f) for f in AMOUNT_FIELDS) if a]
        currency = data.get("currency") or unit_currency or next(h for h in hints if h)
        out = {
            "sku": data["sku"].strip(), "kind": kind.value, "description": data.get("description"),
            "region": regs.regions.resolve(data["region"]).id if data.get("region") else None,
            "billing": (data.get("billing") or Billing.ON_DEMAND).value, "stock": data.get("stock"),
            "list_currency": currency, "list_unit": unit.value, "list_amount": None,
            "list_input_amount": None, "list_output_amount": None, "list_cached_input_amount": None,
            "gpu_model": None, "gpu_count": None, "gpu_memory_gb": None, "vcpus": data.get("vcpus"),
            "ram_gb": data.get("ram_gb"), "cpu_arch": data.get("cpu_arch"), "model": None,
            "context_window": data.get("context_window"), "input_price": None, "output_price": None,
            "cached_input_price": None, "price_per_tflop_hour": None, "price_per_gb_hour": None,
            **{c: data.get(c) for c in AVAILABILITY_COLUMNS},
            "batch_rate": None, "long_context_threshold": None,
            **{c: None for c in TOKEN_EXTRA_PRICES}, **{c: None for c in TOKEN_EXTRA_PRICES.values()},
        }
        try:
            if kind is Kind.TOKEN:
                model = regs.token_models.resolve(data["model"])
                single = data.get("price")
                listed_in = data.get("input_price") or single
                listed_out = data.get("output_price") or single
                out["model"] = model.id
                out["context_window"] = out["context_window"] or model.context_window
                out["list_amount"] = single.value if single else None
                out["list_input_amount"] = listed_in.value
                out["list_output_amount"] = listed_out.value
                out["input_price"] = per_million_tokens(listed_in.value, currency, unit, fx)
                out["output_price"] = per_million_tokens(listed_out.value, currency, unit, fx)
                if data.get("cached_input_price"):
                    out["list_cached_input_amount"] = data["cached_input_price"].value
                    out["cached_input_price"] = per_million_tokens(data["cached_input_price"].value, currency, unit, fx)
                for name, listed_column in TOKEN_EXTRA_PRICES.items():
                    if data.get(name):
                        out[listed_column] = data[name].value
                        out[name] = per_million_tokens(data[name].value, currency, unit, fx)
                out["batch_rate"] = data.get("batch_rate")
                out["long_context_threshold"] = data.get("long_context_threshold")
                out["unit_price"] = blended_token_price(out["input_price"], out["output_price"])
                out["title"] = data.get("title") or model.name
            elif kind is Kind.GPU:
                gpu = regs.gpus.resolve(data["gpu_model"], self._card_memory(data))
                count = data.get("gpu_count") or Decimal(1)
                listed = ListedPrice(data["price"].value, currency, unit)
                out.update(gpu_model=gpu.id, gpu_count=count, gpu_memory_gb=gpu.memory_gb,
                           list_amount=listed.amount)
                out["unit_price"] = per_hour_of_one(listed, count, fx, kind=kind)
                out["price_per_tflop_hour"] = price_per_tflop_hour(out["unit_price"], gpu.bf16_tflops)
                out["price_per_gb_hour"] = price_per_gb_hour(out["unit_price"], gpu.memory_gb)
                out["title"] = data.get("title") or f"{count}× {gpu.name}"
            else:
                vcpus = data.get("vcpus") or Decimal(1)
                listed = ListedPrice(data["price"].value, currency, unit)
                out.update(vcpus=vcpus, list_amount=listed.amount, cpu_arch=data.get("cpu_arch") or "x86_64")
                out["unit_price"] = per_hour_of_one(listed, vcpus, fx, kind=kind)
                ram = f" / {data['ram_gb']} GB" if data.get("ram_gb") else ""
                out["title"] = data.get("title") or f"{vcpus} vCPU{ram}"
        except NormalizationError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        for name in NORMALIZED_PRICE_FIELDS:
            value = out.get(name)
            if value is None:
                continue
            # A price that rounds to 0 would rank as free; one past the bound would not fit its column.
            if value <= 0 or value > MAX_NORMALIZED_PRICE:
                field = "price" if name == "unit_price" or ("price" in data and name not in TOKEN_EXTRA_PRICES) else name
                raise ValidationError({field: [bilingual(
                    f"折算后的单价 {value:f} 元超出范围（须大于 0 且不超过 {MAX_NORMALIZED_PRICE:f}）",
                    f"the normalized price {value:f} CNY is out of range (above 0, at most {MAX_NORMALIZED_PRICE:f})")]})
        return out


def load_offer(context: CatalogContext, row: dict) -> dict:
    """Validate and normalize one offer. :raise ValidationError: messages keyed by column."""
    return OfferSchema(context).load(row)


def sheet_schema(context: CatalogContext) -> OfferSchema:
    """The same schema for sheet rows, which carry only mapped standard columns."""
    return OfferSchema(context, unknown=EXCLUDE)
