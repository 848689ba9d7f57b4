"""Fixtures shared by the stall's upload, job and clean-up tests."""

import pytest

from tests.stall_support import log_in, make_vendor_member, use_tmp_uploads


@pytest.fixture()
def tmp_uploads(app, tmp_path):
    """Staged sheets in this test's own temp folder, not the repo's instance folder; put back after."""
    previous = use_tmp_uploads(app, tmp_path)
    yield
    app.config["UPLOAD_DIR"] = previous


@pytest.fixture()
def acme_member(client):
    """A member of vendor 'acme', logged in on `client`: (user, vendor)."""
    user, vendor = make_vendor_member("acme@example.com", "acme")
    log_in(client, user)
    return user, vendor
