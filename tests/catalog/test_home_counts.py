"""The home page's offer count per GPU model is what its link lists."""

import re

from extensions import db
from tests.catalog.factories import gpu_offer


def test_the_count_equals_what_the_link_lists(client, app):
    gpu_offer("1.85", "rtx-4090", stock=3)
    gpu_offer("1.90", "rtx-4090", vendor_slug="beta", stock=None)
    gpu_offer("1.70", "rtx-4090", vendor_slug="gamma", stock=0)  # sold out: not counted, so not listed either
    db.session.commit()
    home = client.get("/").get_data(as_text=True)
    count, href = re.search(r'<a href="([^"]*gpu_model=rtx-4090[^"]*)">(\d+) 个报价</a>', home).group(2, 1)
    browse = client.get(href.replace("&amp;", "&")).get_data(as_text=True)
    listed = re.search(r'<h1 id="results-heading">(\d+) 个报价</h1>', browse).group(1)
    assert count == listed == "2"
