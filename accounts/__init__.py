"""People: buyers and vendors' members, their log-in and sessions.

Other areas use accounts only through the names below (tests/test_layers.py holds it).
"""

from accounts.membership import current_vendor, vendor_required
from accounts.models import User

__all__ = ["User", "current_vendor", "init_app", "vendor_required"]


def init_app(app) -> None:
    from accounts import views

    views.init_app(app)
