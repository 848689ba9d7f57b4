"""People: buyers and vendors' members, their log-in and sessions, vendors' API keys, companies and operators.

Other areas use accounts only through the names below (tests/test_layers.py holds it).
"""

from accounts.affiliation import is_affiliated
from accounts.api_keys import issue_key, revoke_key, vendor_keys
from accounts.audit import AuditLog
from accounts.audit import record as record_audit
from accounts.companies import company_of
from accounts.company_models import Company, CompanyMember
from accounts.company_views import add_company_panel
from accounts.key_auth import Answer, api_key_user_id, error_answer, vendor_key_required
from accounts.membership import current_vendor, operator_required, vendor_required
from accounts.models import User
from accounts.operator_views import add_operator_tab

__all__ = ["Answer", "AuditLog", "add_company_panel", "add_operator_tab", "Company", "CompanyMember", "User", "api_key_user_id", "company_of",
           "current_vendor", "error_answer", "init_app", "is_affiliated", "issue_key", "operator_required",
           "record_audit", "revoke_key",
           "vendor_key_required", "vendor_keys", "vendor_required"]


def init_app(app) -> None:
    from accounts import company_views, operator_cli, operator_views, tasks, views  # noqa: F401 (tasks: the periodic clean-up; company_views: routes)

    views.init_app(app)
    operator_views.init_app(app)
    operator_cli.init_app(app)
