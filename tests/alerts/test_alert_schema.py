"""The alert form's one gate: what a buyer may subscribe to, and what it says when they may not."""

from decimal import Decimal

import pytest
from marshmallow import ValidationError

from alerts.alert_schema import AlertSchema
from catalog.registry import default_registries


def load(**form):
    return AlertSchema(default_registries()).load(form)


def test_a_gpu_alert_names_its_model_region_and_billing_by_registry_id():
    data = load(kind="gpu", model="H100", region="杭州", billing="on_demand", threshold="12.5")
    assert data == {"kind": "gpu", "model": "h100-sxm", "region": "cn-hangzhou", "billing": "on_demand",
                    "threshold": Decimal("12.5")}


def test_blank_region_and_billing_mean_any():
    data = load(kind="gpu", model="rtx-4090", region="", billing="", threshold="1.90")
    assert (data["region"], data["billing"]) == (None, None)


def test_a_token_alert_is_per_million_tokens():
    data = load(kind="token", model="deepseek-v3", threshold="0.8")
    assert (data["model"], data["threshold"]) == ("deepseek-v3", Decimal("0.8"))


@pytest.mark.parametrize(("form", "field"), [
    ({"kind": "gpu", "model": "RTX 9999", "threshold": "1"}, "model"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "0"}, "threshold"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "-1"}, "threshold"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "abc"}, "threshold"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "NaN"}, "threshold"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "1.0000001"}, "threshold"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "1", "region": "火星"}, "region"),
    ({"kind": "gpu", "model": "rtx-4090", "threshold": "1", "billing": "weekly"}, "billing"),
    ({"kind": "cpu", "model": "x", "threshold": "1"}, "kind"),
    ({"kind": "token", "model": "deepseek-v3", "threshold": "1", "billing": "monthly"}, "kind"),
    ({"kind": "gpu", "model": "", "threshold": "1"}, "model"),
    ({"kind": "gpu", "threshold": "1"}, "model"),
])
def test_bad_input_is_refused_naming_the_field(form, field):
    with pytest.raises(ValidationError) as caught:
        load(**form)
    assert field in caught.value.messages
