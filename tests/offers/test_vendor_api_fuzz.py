"""schemathesis against the vendor API's operations with a live key: no 5xx, every answer as documented.

The document-wide fuzz (tests/web/test_openapi_fuzz.py) sends no key, so it only reaches the
401s; this one authenticates, so the bodies, paths and headers it generates reach the handlers.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.stall_support import use_tmp_uploads
from tests.vendor_api_support import GPU_COLUMNS, bearer, vendor_with_key

EXAMPLES = int(os.environ.get("OPENAPI_FUZZ_EXAMPLES", "30"))


@pytest.fixture()
def keyed(app, client, tmp_path):
    previous_dir = use_tmp_uploads(app, tmp_path)
    previous_limit, app.config["VENDOR_API_RATE_LIMIT"] = app.config["VENDOR_API_RATE_LIMIT"], "100000 per second"
    _, _, secret = vendor_with_key("fuzz@example.com", "fuzz")
    for sku in ("a", "b-1", "中文"):
        client.put(f"/api/v1/vendor/offers/{sku}", json=GPU_COLUMNS, headers=bearer(secret))
    yield secret
    app.config["UPLOAD_DIR"], app.config["VENDOR_API_RATE_LIMIT"] = previous_dir, previous_limit


def test_the_vendor_api_never_fails_and_matches_its_document(app, keyed):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    tested, statuses = [], set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/api/v1/vendor"):
            continue

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def fuzz(case):
            # As in the document-wide fuzz: a well-formed value the registries do not know is a 400.
            response = case.call_and_validate(headers=bearer(keyed), excluded_checks=[checks.positive_data_acceptance])
            statuses.add(response.status_code)

        fuzz()
        tested.append(operation.label)
    assert len(tested) == 12, tested
    assert {200, 400, 404} <= statuses, statuses  # the key got through: answers, not only 401s
