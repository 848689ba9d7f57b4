"""Sign-up, log-in, log-out, password change and the vendor profile. Thin: parse, call, render."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select

from accounts.forms import LoginForm, LogoutForm, PasswordChangeForm, SignupForm, VendorProfileForm
from accounts.membership import current_vendor, free_vendor_slug
from accounts.models import User, VendorMember
from accounts.passwords import hash_password, needs_rehash, verify_password
from catalog.models import Vendor
from extensions import db, limiter

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    """The ?next= target when it stays on this site, else `default` (no open redirect)."""
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _find_user(email) is not None:
            form.email.errors.append(_("An account with this email already exists."))
        else:
            user = User(email=email, display_name=(form.display_name.data or "").strip(),
                        password_hash=hash_password(form.password.data))
            db.session.add(user)
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Your account is ready."), "success")
            if form.as_vendor.data:
                return redirect(url_for("accounts.vendor_profile"))
            return redirect(_safe_next(url_for("accounts.account")))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = _find_user(form.email.data)
        if user is not None and verify_password(user.password_hash, form.password.data):
            if needs_rehash(user.password_hash):
                user.password_hash = hash_password(form.password.data)
            user.session_version += 1  # a fresh session id: a cookie stolen before log-in is worthless
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(url_for("accounts.account")))
        form.password.errors.append(_("Wrong email or password."))
    return render_template("accounts/login.html", form=form), 400 if form.errors else 200


@bp.errorhandler(RateLimitExceeded)
def too_many_attempts(exc: RateLimitExceeded):
    form = LoginForm(formdata=None)
    return render_template("accounts/login.html", form=form, limited=True), 429


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html", vendor=current_vendor(), logout_form=LogoutForm())


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user: User = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current.data):
            form.current.errors.append(_("The current password is wrong."))
        else:
            user.password_hash = hash_password(form.password.data)
            user.session_version += 1  # every other session of this user ends here
            db.session.commit()
            login_user(user)
            flash(_("Your password is changed; other sessions are logged out."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/password.html", form=form), 400 if form.errors else 200


@bp.route("/account/vendor", methods=["GET", "POST"])
@login_required
def vendor_profile():
    vendor = current_vendor()
    form = VendorProfileForm(obj=vendor)
    if form.validate_on_submit():
        if vendor is None:
            vendor = Vendor(slug=free_vendor_slug(db.session, form.name_en.data))
            db.session.add(vendor)
            db.session.flush()
            db.session.add(VendorMember(user_id=current_user.id, vendor_id=vendor.id, role="owner"))
        for name in ("name_zh", "name_en", "contact", "website", "description_zh", "description_en"):
            value = (getattr(form, name).data or "").strip()
            setattr(vendor, name, value if value or name in ("name_zh", "name_en") else None)
        db.session.commit()
        flash(_("Vendor profile saved."), "success")
        return redirect(_safe_next(url_for("stall.dashboard")))
    return render_template("accounts/vendor_profile.html", form=form, vendor=vendor), 400 if form.errors else 200


def init_app(app) -> None:
    from extensions import login_manager
    from web.nav import add_nav

    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the log-in page says enough; avoids an untranslated flash
    app.register_blueprint(bp)

    add_nav(app, 90, "accounts.account", "Account")
