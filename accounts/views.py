"""Sign-up, log-in, log-out, password change and the vendor profile. Thin: parse, call, render."""

import hashlib
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_limiter.errors import RateLimitExceeded
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from accounts.forms import LoginForm, LogoutForm, PasswordChangeForm, SignupForm, VendorProfileForm
from accounts.membership import current_vendor, free_vendor_slug
from accounts.models import User, VendorMember
from accounts.passwords import hash_password, needs_rehash, verify_for_unknown_account, verify_password
from catalog.models import Vendor, vendor_name_key
from extensions import db, limiter
from web.locale import gettext as _

bp = Blueprint("accounts", __name__)


def _safe_next(default: str) -> str:
    """The ?next= target when it stays on this site, else `default` (no open redirect)."""
    target = request.args.get("next") or ""
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.scheme and not parts.netloc:
        return target
    return default


# Limits are read from app.config on each request (settings.CONFIG_DEFAULTS says what each counts).
# Only failed log-ins count against the account, and the window is short, so a stranger can hold
# an account up for at most 15 minutes at a time.


def _config_limit(name: str):
    return lambda: current_app.config[name]


def _login_account_key() -> str:
    # Hashed: the key is bounded and no email address sits in Redis.
    email = (request.form.get("email") or "").strip().lower()
    return "login-account:" + hashlib.sha256(email.encode()).hexdigest()


def _password_change_key() -> str:
    return f"password-account:{current_user.id}" if current_user.is_authenticated else get_remote_address()


def _failed(response) -> bool:
    return response.status_code != 302


def _find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_config_limit("SIGNUP_RATE_LIMIT"), methods=["POST"])
def signup():
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # The answer is the same whether the email is new or taken, and takes as long (the hash is
        # made either way), so sign-up cannot be used to learn who has an account. The price: a new
        # account logs in once on the next page instead of being logged in at once. No email is
        # sent (the app sends none); the page says what happened in both cases.
        password_hash = hash_password(form.password.data)
        if _find_user(email) is None:
            db.session.add(User(email=email, display_name=(form.display_name.data or "").strip(),
                                password_hash=password_hash))
            try:
                db.session.commit()
            except IntegrityError:  # the same email signed up at the same moment: it is taken now
                db.session.rollback()
        flash(_("If this email had no account yet, your account is ready: log in below. If it already had "
                "one, nothing was changed: log in with that account's password."), "success")
        after = url_for("accounts.vendor_profile") if form.as_vendor.data else _safe_next(url_for("accounts.account"))
        return redirect(url_for("accounts.login", next=after))
    return render_template("accounts/signup.html", form=form), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_config_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config_limit("LOGIN_ACCOUNT_RATE_LIMIT"), key_func=_login_account_key, methods=["POST"],
               deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = _find_user(form.email.data)
        if user is None:
            verify_for_unknown_account(form.password.data)  # the same time as a wrong password for a real account
        elif verify_password(user.password_hash, form.password.data):
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
    """The page that was posted to, empty, saying to wait (429)."""
    if request.endpoint == "accounts.signup":
        return render_template("accounts/signup.html", form=SignupForm(formdata=None), limited=True), 429
    if request.endpoint == "accounts.change_password":
        return render_template("accounts/password.html", form=PasswordChangeForm(formdata=None), limited=True), 429
    return render_template("accounts/login.html", form=LoginForm(formdata=None), limited=True), 429


@bp.post("/logout")
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # A new session version refuses every copy of this user's session cookie and remember-me
            # token (load_user compares it): a log-out anywhere ends the sessions everywhere.
            current_user.session_version += 1
            db.session.commit()
        logout_user()
        flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html", vendor=current_vendor(), logout_form=LogoutForm())


@bp.route("/account/password", methods=["GET", "POST"])
@limiter.limit(_config_limit("PASSWORD_CHANGE_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_config_limit("PASSWORD_CHANGE_RATE_LIMIT"), key_func=_password_change_key, methods=["POST"])
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
    if form.validate_on_submit() and not _names_taken(form, vendor):
        if vendor is None:
            vendor = Vendor(slug=free_vendor_slug(db.session, form.name_en.data))
            db.session.add(vendor)
            db.session.flush()
            db.session.add(VendorMember(user_id=current_user.id, vendor_id=vendor.id, role="owner"))
        for name in ("name_zh", "name_en", "contact", "website", "description_zh", "description_en"):
            value = (getattr(form, name).data or "").strip()
            setattr(vendor, name, value if value or name in ("name_zh", "name_en") else None)
        try:
            db.session.commit()
        except IntegrityError:  # another vendor took the name between our check and this commit
            db.session.rollback()
            form.name_en.errors.append(_name_taken_message())
        else:
            flash(_("Vendor profile saved."), "success")
            return redirect(_safe_next(url_for("stall.dashboard")))
    return render_template("accounts/vendor_profile.html", form=form, vendor=vendor), 400 if form.errors else 200


def _name_taken_message() -> str:
    return _("This name is already used by another vendor.")


def _names_taken(form: VendorProfileForm, vendor: Vendor | None) -> bool:
    """Mark each name another vendor already shows (either language, case and width folded)."""
    others = select(Vendor.name_zh_key, Vendor.name_en_key)
    if vendor is not None:
        others = others.where(Vendor.id != vendor.id)
    keys = set()
    for zh_key, en_key in db.session.execute(
            others.where(Vendor.name_zh_key.in_(_keys(form)) | Vendor.name_en_key.in_(_keys(form)))):
        keys.update((zh_key, en_key))
    taken = False
    for field in (form.name_zh, form.name_en):
        if vendor_name_key(field.data) in keys:
            field.errors.append(_name_taken_message())
            taken = True
    return taken


def _keys(form: VendorProfileForm) -> list[str]:
    return [k for k in (vendor_name_key(form.name_zh.data), vendor_name_key(form.name_en.data)) if k]


def init_app(app) -> None:
    from extensions import login_manager
    from web.nav import add_nav

    login_manager.login_view = "accounts.login"
    login_manager.login_message = None  # the log-in page says enough; avoids an untranslated flash
    app.register_blueprint(bp)

    add_nav(app, 90, "accounts.account", "Account")
