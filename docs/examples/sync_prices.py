"""Sync a vendor's prices and stock from a JSON file through the vendor API (standard library only).

    MARKET_API_KEY=csk_... python sync_prices.py prices.json --base https://market.example.cn

prices.json is a list of objects, each with "sku" and the fields to change:
    [{"sku": "h100-8x-monthly", "price": "92268.00"}, {"sku": "4090-hz", "price": "1.90", "stock": 12}]

Each offer is PATCHed with its own Idempotency-Key, reused when the same request is retried
(a timeout, a 5xx, a 429), so a retry never applies a change twice. Prints one JSON summary line;
exits 1 when any sku was refused.
"""

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

RETRIES = 5


def patch(base: str, key: str, sku: str, fields: dict) -> tuple[int, dict]:
    """PATCH one offer, retrying transient failures with the same Idempotency-Key: (status, body)."""
    idempotency_key = str(uuid.uuid4())
    url = f"{base}/api/v1/vendor/offers/{urllib.parse.quote(sku, safe='')}"
    data = json.dumps(fields).encode()
    for attempt in range(RETRIES):
        request = urllib.request.Request(url, data=data, method="PATCH", headers={
            "Authorization": f"Bearer {key}", "Content-Type": "application/json", "Idempotency-Key": idempotency_key})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 429 or error.code >= 500:
                time.sleep(float(error.headers.get("Retry-After") or 2 ** attempt))
                continue
            return error.code, json.load(error)
        except (urllib.error.URLError, TimeoutError):
            time.sleep(2 ** attempt)
    return 0, {"error": {"code": "unreachable", "message": f"no answer after {RETRIES} tries"}}


def sync(base: str, key: str, items: list[dict]) -> dict:
    summary: dict = {"updated": 0, "unchanged": 0, "errors": []}
    for item in items:
        fields = {k: v for k, v in item.items() if k != "sku"}
        status, body = patch(base.rstrip("/"), key, item["sku"], fields)
        if status == 200:
            summary[body["change"]] = summary.get(body["change"], 0) + 1
        else:
            summary["errors"].append({"sku": item["sku"], "status": status, **body.get("error", {})})
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", help="JSON list of {sku, price, stock, ...}")
    parser.add_argument("--base", default="http://127.0.0.1:5000", help="the marketplace's address")
    args = parser.parse_args(argv)
    key = os.environ.get("MARKET_API_KEY")
    if not key:
        parser.error("set MARKET_API_KEY to a key made in your stall (/stall/keys)")
    with open(args.file, encoding="utf-8") as handle:
        items = json.load(handle)
    summary = sync(args.base, key, items)
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
