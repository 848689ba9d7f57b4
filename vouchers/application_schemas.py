"""A company's application and an operator's decision, as input: the one validation path for both (marshmallow).

A document is judged by its bytes, not its name: the first bytes must be those of a PDF, PNG, JPEG or
WebP file, so a renamed executable or HTML page is refused whatever it is called.
"""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema

MAX_DOCUMENTS = 5
# Five of them fit in one request under UPLOAD_MAX_BYTES' default (10 MB) only if each is small; a scan of a
# licence or a contract page is well under this.
DOCUMENT_MAX_BYTES = 2 * 1024 * 1024
LARGEST_AMOUNT = Decimal(10) ** 15
NOTE = validate.Length(max=2000)
REASON = validate.Length(max=500)
ACTIONS = ("approve", "refuse", "revoke")
AMOUNT_DECORATION = str.maketrans("", "", ",，¥￥ 元")


@dataclass(frozen=True)
class Upload:
    """A file as the request carried it: the name its sender gave, and at most DOCUMENT_MAX_BYTES + 1 bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Document:
    """An upload that passed: a safe name and the content type its bytes say."""

    filename: str
    content_type: str
    data: bytes


def sniffed_type(data: bytes) -> str | None:
    """The content type the file's first bytes prove, or None for anything not accepted."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def safe_filename(name: str) -> str:
    """The last part of the sender's path, without control characters or quotes, at most 255 characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = "".join(c for c in base if c.isprintable() and c not in '"\'<>').strip()
    return (cleaned or "document")[-255:]


class DocumentField(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs) -> Document:
        if not isinstance(value, Upload):
            raise ValidationError("Not a valid file.")
        name = safe_filename(value.filename)
        if not value.data:
            raise ValidationError(f"{name} 是空文件 / {name} is empty")
        if len(value.data) > DOCUMENT_MAX_BYTES:
            mb = DOCUMENT_MAX_BYTES // (1024 * 1024)
            raise ValidationError(f"{name} 超过 {mb} MB / {name} is larger than {mb} MB")
        content_type = sniffed_type(value.data)
        if content_type is None:
            raise ValidationError(f"{name} 不是 PDF、PNG、JPEG 或 WebP 文件 / {name} is not a PDF, PNG, JPEG or WebP file")
        return Document(name, content_type, value.data)


def _yuan(**kwargs) -> fields.Decimal:
    return fields.Decimal(allow_nan=False, validate=validate.Range(min=Decimal(0), max=LARGEST_AMOUNT,
                                                                   min_inclusive=False), **kwargs)


def _to_the_fen(value: Decimal | None) -> None:
    if value is not None and value != value.quantize(Decimal("0.01")):
        raise ValidationError("At most 2 decimal places.")


def _blank_is_none(data, names: tuple[str, ...], amounts: tuple[str, ...] = ()):
    """Blank texts as None; amounts as people type them ('¥1,200,000', '1，200') as plain digits."""
    if not hasattr(data, "items"):
        return data
    out = dict(data)
    for name in amounts:
        if isinstance(out.get(name), str):
            out[name] = out[name].translate(AMOUNT_DECORATION)
    for name in names:
        if isinstance(out.get(name), str) and not out[name].strip():
            out[name] = None
    return out


class ApplicationSchema(Schema):
    """What a company sends: its expected spend for the year (CNY), a note, 0–5 documents (the domain counts
    the documents already kept: an application holds 1–5)."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token and the button

    expected_spend = _yuan(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)
    documents = fields.List(DocumentField(), load_default=list,
                            validate=validate.Length(max=MAX_DOCUMENTS))
    replace_documents = fields.Boolean(load_default=False)

    @pre_load
    def blanks(self, data, **kwargs):
        return _blank_is_none(data, ("note",), ("expected_spend",))

    @validates("expected_spend")
    def spend_to_the_fen(self, value: Decimal, **kwargs) -> None:
        _to_the_fen(value)


class DecisionSchema(Schema):
    """An operator's decision: approve (a quota optional: blank = the programme's cap), refuse or revoke (a reason
    required: the company reads it)."""

    class Meta:
        unknown = EXCLUDE

    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    quota = _yuan(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=REASON)

    @pre_load
    def blanks(self, data, **kwargs):
        return _blank_is_none(data, ("quota", "reason"), ("quota",))

    @validates("quota")
    def quota_to_the_fen(self, value: Decimal | None, **kwargs) -> None:
        _to_the_fen(value)

    @validates_schema
    def refusing_needs_a_reason(self, data, **kwargs) -> None:
        if data.get("action") in ("refuse", "revoke") and not (data.get("reason") or "").strip():
            raise ValidationError({"reason": ["Give the reason: the company reads it."]})
