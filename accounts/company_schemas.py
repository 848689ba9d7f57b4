"""Company and operator input: the one validation path for their forms (marshmallow)."""

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates, validates_schema

from accounts.credit_code import normalized, problem, province
from catalog.registry import default_registries
from pricing.display import phrase

NAME = validate.Length(min=1, max=200)
REASON = validate.Length(min=1, max=500)


def company_regions() -> list[str]:
    """Where a company may be registered: the region registry's regions in China."""
    return [r.id for r in default_registries().regions.regions.values() if r.country == "CN"]


class _CreditCodeSchema(Schema):
    """A credit code, refused with the reason the code check gives, in the page's language."""

    class Meta:
        unknown = EXCLUDE  # the CSRF token and the button

    credit_code = fields.String(required=True)

    def __init__(self, *, lang: str = "en", **kwargs):
        super().__init__(**kwargs)
        self.lang = lang

    @validates("credit_code")
    def code_is_valid(self, value: str, **kwargs) -> None:
        found = problem(value)
        if found is not None:
            raise ValidationError(found.text(self.lang))

    def load(self, data, **kwargs):
        loaded = super().load(data, **kwargs)
        loaded["credit_code"] = normalized(loaded["credit_code"])
        return loaded


class CompanySchema(_CreditCodeSchema):
    name = fields.String(required=True, validate=NAME)
    region_id = fields.String(required=True, validate=validate.OneOf(company_regions(), error="Choose a region from the list."))

    @validates("name")
    def name_is_not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("Shorter than minimum length 1.")

    @validates_schema
    def region_is_in_the_codes_province(self, data, **kwargs) -> None:
        """The code's characters 3-8 say where the company is registered: the chosen region must be in that province
        (a company in one city cannot claim another city's vouchers by picking its region)."""
        issued_in = province(data["credit_code"])
        region = default_registries().regions.get(data["region_id"])
        if issued_in is not None and region is not None and region.province_zh != issued_in:
            raise ValidationError({"region_id": [_province_message(issued_in, self.lang)]})


def _province_message(name_zh: str, lang: str) -> str:
    regions = default_registries().regions.regions.values()
    found = next((r for r in regions if r.country == "CN" and r.name_zh == name_zh), None)
    name = found.name_en if found is not None and lang == "en" else name_zh
    return phrase("The credit code was issued in %(province)s: choose a region in %(province)s.",
                  province=name).text(lang)


class JoinSchema(_CreditCodeSchema):
    pass


class DecisionSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "decline"]))


class ReviewSchema(Schema):
    """An operator's verify or unverify of a company: the reason is required either way (it goes in the audit log)."""

    class Meta:
        unknown = EXCLUDE

    action = fields.String(required=True, validate=validate.OneOf(["verify", "unverify"]))
    reason = fields.String(required=True, validate=REASON)

    @validates("reason")
    def reason_is_not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("Shorter than minimum length 1.")


class AffiliationSchema(_CreditCodeSchema):
    """An operator declares the company affiliated with another, named by its credit code, and says why."""

    reason = fields.String(required=True, validate=REASON)

    @validates("reason")
    def reason_is_not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("Shorter than minimum length 1.")
