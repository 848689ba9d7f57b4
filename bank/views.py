"""The /schedule page: ask for a schedule, see it as a timeline with each block's arithmetic, and book it. Thin."""

import secrets

from flask import Blueprint, Flask, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from marshmallow import ValidationError

from bank.booking import BadBlocks, block_text, book_schedule, parse_blocks
from bank.schedule_schema import BookSchema, ScheduleFormSchema
from bank.scheduling import ScheduleResult, make_schedule
from bank.timeline_svg import timeline
from catalog.context import load_fx
from catalog.registry import default_registries
from checkout import OfferUnavailable, OutOfStock
from extensions import db
from pricing.display import cny
from pricing.line_total import QuantityError
from web.format import region_name
from web.locale import gettext as _
from web.locale import language
from web.nav import add_nav
from web.validation import field_messages

bp = Blueprint("bank", __name__)
FORM_FIELDS = ("gpu_model", "min_gpu_memory_gb", "cards", "hours", "earliest_start", "deadline", "splittable",
               "min_block_hours", "regions", "max_unit_price", "allow_spot", "same_machine")


def _number(value) -> str:
    return str(value.normalize()) if hasattr(value, "normalize") else str(value)


def arithmetic(block) -> str:
    """'8 卡 × 6 小时 × ¥8.56/卡时 = ¥410.88', one product per price the block's hours have."""
    parts = [_("%(cards)s cards × %(hours)s h × %(price)s/card-hour", cards=_number(block.candidate.paid_cards),
               hours=hours, price=cny(price)) for hours, price in block.runs]
    return " + ".join(parts) + " = " + cny(block.cost)


def _vendor(block) -> str:
    c = block.candidate
    return (c.vendor if language() == "zh" else c.vendor_en) or c.vendor


def _shown(result: ScheduleResult) -> dict:
    lines = [{"block": b, "vendor": _vendor(b), "region": region_name(b.candidate.region), "arithmetic": arithmetic(b)}
             for b in result.blocks]
    base = [{"block": b, "vendor": _vendor(b), "region": region_name(b.candidate.region), "arithmetic": arithmetic(b)}
            for b in result.baseline or ()]
    svg = Markup(timeline(result.blocks, result.horizon.start, result.horizon.hours, region_name,
                          _("The schedule, by region (Beijing time)"), _("Start at once"), result.baseline or ()))
    return {"lines": lines, "baseline": base, "svg": svg if result.blocks else None,
            "blocks": block_text(result.blocks)}


@bp.get("/schedule")
def schedule_page():
    args = {k: v for k, v in request.args.items() if k in FORM_FIELDS}
    result, errors, shown = None, {}, None
    if args:
        try:
            params = ScheduleFormSchema().load(args)
            result = make_schedule(db.session, params, default_registries())
            shown = _shown(result)
        except ValidationError as exc:
            errors = field_messages(exc)
    registries = default_registries()
    areas = sorted({r.area_zh if language() == "zh" else r.area_en for r in registries.regions.regions.values()
                    if r.area_zh})
    response = make_response(render_template(
        "bank/schedule.html", args=args, errors=errors, result=result, shown=shown, areas=areas,
        gpu_models=sorted(registries.gpus.models.values(), key=lambda m: (m.vendor, m.name)),
        checkout_token=secrets.token_urlsafe(24)), 400 if errors else 200)
    # Free capacity changes with every booking, not with the catalog: the page cache must never keep this page.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/schedule/book")
def book():
    args = {k: v for k, v in request.form.items() if k in FORM_FIELDS}
    back = url_for("bank.schedule_page", **args)
    try:
        params = ScheduleFormSchema().load(args)
        data = BookSchema().load(request.form.to_dict())
        blocks = parse_blocks(data["blocks"])
    except ValidationError as exc:
        messages = field_messages(exc)
        if "email" in messages:
            flash(_("Enter a valid email address for your receipt."), "error")
        else:
            flash(_("The booking form could not be read: please ask for the schedule again."), "error")
        return redirect(back)
    except BadBlocks:
        flash(_("The booking form could not be read: please ask for the schedule again."), "error")
        return redirect(back)
    try:
        order = book_schedule(db.session, blocks, cards=params["cards"], email=data["email"],
                              user_id=current_user.id if current_user.is_authenticated else None,
                              checkout_token=data["checkout_token"], fx=load_fx(db.session))
    except OutOfStock as exc:
        flash(_("Someone booked part of this schedule first (%(title)s): here is the best schedule now.",
                title=exc.title), "error")
        return redirect(back)
    except (OfferUnavailable, QuantityError, BadBlocks):
        flash(_("This schedule can no longer be booked as shown: here is the best schedule now."), "error")
        return redirect(back)
    return redirect(url_for("checkout.order_page", token=order.token))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    add_nav(app, 42, "bank.schedule_page", "Compute bank")
