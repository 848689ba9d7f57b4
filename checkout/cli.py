"""`reconcile-payments` (paid or expired sessions whose webhook never came) and `sweep-orders`
(pending orders past their session's lifetime): both settle sessions through checkout/sweep.py."""

import json
from datetime import UTC, datetime, timedelta

import click
from flask import Flask

from catalog.models import utcnow
from checkout.fulfilment import PAID_STATES
from checkout.gateway import payment_service
from checkout.sweep import settle_session, sweep_orders
from extensions import db

PAID_EVENT_TYPES = ["checkout.session.completed", "checkout.session.async_payment_succeeded"]


def parse_since(text: str | None) -> int:
    """'2026-11-20', an ISO time, '48h', '7d' or a unix timestamp; default: the last 3 days."""
    now = datetime.now(UTC)
    if not text:
        return int((now - timedelta(days=3)).timestamp())
    if text.isdigit():
        return int(text)
    if text[-1] in "hd" and text[:-1].isdigit():
        hours = int(text[:-1]) * (24 if text[-1] == "d" else 1)
        return int((now - timedelta(hours=hours)).timestamp())
    when = datetime.fromisoformat(text)
    return int((when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp())


def reconcile(since: int) -> dict:
    """Look at every session and paid event since `since`; fulfil each paid one and release each
    expired one whose order still holds stock (idempotent)."""
    service = payment_service()
    seen: dict[str, dict] = {}
    for s in service.list_sessions(since=since):
        seen[s["id"]] = s
    for event in service.list_events(since=since, types=PAID_EVENT_TYPES):
        obj = event["data"]["object"]
        seen.setdefault(obj["id"], obj)
    counts = {"sessions": len(seen), "fulfilled": 0, "review": 0, "already": 0, "released": 0, "unpaid": 0,
              "unknown_order": 0}
    now = utcnow()
    for session_id, obj in seen.items():
        if obj.get("payment_status") in PAID_STATES:
            obj = service.retrieve_session(session_id)  # the event may be older than the session's state
        counts[settle_session(db.session, service, obj, now)] += 1
    return counts


@click.command("reconcile-payments")
@click.option("--since", default=None, help="ISO date/time, unix time, or 48h / 7d (default 3d).")
def reconcile_command(since: str | None) -> None:
    """Repair paid Checkout Sessions that have no fulfilled order; prints a JSON summary."""
    try:
        start = parse_since(since)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--since") from None
    click.echo(json.dumps(reconcile(start)))


@click.command("sweep-orders")
def sweep_command() -> None:
    """Settle pending orders older than a Checkout Session lives: fulfil the paid, release the rest.

    Prints one line per order looked at, then a JSON summary.
    """
    def report(order_id: int, outcome: str) -> None:
        click.echo(f"order {order_id}: {outcome}")

    counts = sweep_orders(db.session, payment_service(), utcnow(), report=report)
    click.echo(json.dumps(counts))


def init_app(app: Flask) -> None:
    app.cli.add_command(reconcile_command)
    app.cli.add_command(sweep_command)
