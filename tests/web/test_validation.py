"""One helper turns a marshmallow ValidationError into messages in the page language, for every view."""

import pytest
from marshmallow import Schema, ValidationError, fields, validate

from web.validation import field_messages, message_lines


class _Form(Schema):
    count = fields.Decimal(validate=validate.Range(min=0, max=100, min_inclusive=False))
    name = fields.String(required=True)
    gpu = fields.String()


def _error(data) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Form().load(data)
    return caught.value


@pytest.mark.parametrize(("lang", "count", "name"), [
    ("zh", "须大于 0 且不超过 100。", "缺少必填字段。"),
    ("en", "Must be greater than 0 and less than or equal to 100.", "Missing data for required field."),
])
def test_marshmallow_messages_in_the_page_language(app, lang, count, name):
    with app.test_request_context(f"/?lang={lang}"):
        assert field_messages(_error({"count": "-1"})) == {"count": [count], "name": [name]}


@pytest.mark.parametrize(("lang", "shown"), [
    ("zh", "未知的 GPU 型号：'RTX 9999'"), ("en", "unknown GPU model 'RTX 9999'"),
])
def test_paired_messages_show_the_page_languages_half_with_the_typed_value(app, lang, shown):
    exc = ValidationError({"gpu": ["未知的 GPU 型号 / unknown GPU model 'RTX 9999'"]})
    with app.test_request_context(f"/?lang={lang}"):
        assert field_messages(exc) == {"gpu": [shown]}
        assert message_lines(exc, {"gpu": "GPU"}) == [f"GPU: {shown}"]


def test_whole_form_and_nested_messages_are_kept(app):
    exc = ValidationError({"regions": {0: ["Not a valid string."]}, "_schema": ["give a GPU model"]})
    with app.test_request_context("/?lang=zh"):
        assert field_messages(exc) == {"regions": ["不是有效的文本。"], "_schema": ["give a GPU model"]}
    with app.test_request_context("/?lang=zh"):
        assert field_messages(ValidationError(["请给出 GPU 型号 / give a GPU model"])) == {"_schema": ["请给出 GPU 型号"]}


@pytest.mark.parametrize(("path", "lang", "shown"), [
    ("/plan?kind=gpu&count=-1&hours=5", "zh", "须大于 0 且不超过 100000。"),
    ("/plan?kind=gpu&count=-1&hours=5", "en", "Must be greater than 0 and less than or equal to 100000."),
    ("/api/v1/offers?min_unit_price=abc", "zh", "不是有效的数字。"),
])
def test_views_show_the_same_words_for_the_same_mistake(client, path, lang, shown):
    client.set_cookie("lang", lang)
    response = client.get(path)
    assert response.status_code in (200, 400)
    assert shown in response.text
