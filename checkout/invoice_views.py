"""The stall's write-off form: a vendor member records (or, with a reason, corrects) a voucher line's invoice.

A route on the checkout blueprint beside the delivery form; the line is found only among the lines
of the vendors the user is a member of: any other is a 404.
"""

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from accounts import vendor_required
from checkout.delivery import own_line
from checkout.delivery_views import _member_vendor_ids, _render
from checkout.views import bp
from checkout.write_off import InvoiceRefused, record_invoice
from extensions import db
from web.locale import gettext as _

# Each refusal with the status it answers: bad input 400, a line that cannot take an invoice 409.
REFUSED = {
    "empty": (400, "Invoice number: enter the number printed on the invoice."),
    "too_long": (400, "Invoice number: at most 64 characters."),
    "bad_characters": (400, "Invoice number: letters, digits and dashes only (Chinese invoice numbers are 8 or 20 "
                            "digits)."),
    "reason_needed": (400, "Reason: an invoice already recorded is corrected only with a reason."),
    "not_voucher": (409, "Only voucher lines carry an invoice for write-off."),
    "not_paid": (409, "Only lines of paid orders can carry an invoice."),
    "changed": (409, "Someone else changed this invoice number just now: check it below and try again."),
}


@bp.post("/stall/orders/<int:line_id>/invoice")
@vendor_required
def record_line_invoice(vendor, line_id: int):
    line = own_line(db.session, line_id, _member_vendor_ids()) or abort(404)
    form = request.form
    was_recorded = line.invoice_number is not None
    try:
        changed = record_invoice(db.session, line, form.get("invoice_number"), by_user_id=current_user.id,
                                 reason=form.get("reason"))
    except InvoiceRefused as exc:
        status, message = REFUSED[exc.code]
        return _render(vendor, None, invoice_errors={line_id: _(message)}, status=status)
    if not changed:
        flash(_("This invoice number was already recorded; nothing changed."), "info")
    elif was_recorded:
        flash(_("Order #%(order)s: invoice number corrected.", order=line.order_id), "success")
    else:
        flash(_("Order #%(order)s: invoice number recorded.", order=line.order_id), "success")
    return redirect(url_for("checkout.deliveries") + f"#line-{line_id}")
