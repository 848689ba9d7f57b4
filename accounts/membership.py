"""Which vendor the logged-in person acts for, and the guards for pages that need a vendor or an operator."""

import re
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Vendor


def current_vendor() -> Vendor | None:
    """The vendor the logged-in user is a member of (the first one, if several), else None."""
    if not current_user.is_authenticated or not current_user.memberships:
        return None
    return current_user.memberships[0].vendor


def vendor_required(view):
    """Log-in plus a vendor profile; without one the user is sent to create it."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        vendor = current_vendor()
        if vendor is None:
            return redirect(url_for("accounts.vendor_profile", next=request.path))
        return view(vendor, *args, **kwargs)

    return wrapped


def operator_required(view):
    """Log-in plus the operator role (a programme administrator); anyone else logged in gets 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_operator:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def free_vendor_slug(session: Session, name: str) -> str:
    """A slug from an English company name, unique among vendors ('acme-gpu', 'acme-gpu-2')."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48] or "vendor"
    taken = set(session.scalars(select(Vendor.slug).where(Vendor.slug.like(f"{base}%"))))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug
