"""Helpers for tests of accounts and the stall: people, vendors, a logged-in client, sheets."""

from functools import cache

from accounts.models import User, VendorMember
from accounts.passwords import hash_password
from catalog.models import Vendor
from extensions import db
from offers import import_jobs

PASSWORD = "correct horse battery"
STANDARD_HEADER = ("sku,kind,title,region,billing,gpu_model,gpu_count,gpu_memory_gb,vcpus,ram_gb,cpu_arch,model,"
                   "context_window,price,input_price,output_price,currency,price_unit,stock,description")


@cache
def _hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose; one hash per password per session


def make_user(email: str, password: str = PASSWORD) -> User:
    user = User(email=email, password_hash=_hash(password), display_name=email.split("@")[0])
    db.session.add(user)
    db.session.commit()
    return user


def make_vendor_member(email: str, slug: str) -> tuple[User, Vendor]:
    user = make_user(email)
    vendor = Vendor(slug=slug, name_en=slug.title(), name_zh=slug)
    db.session.add(vendor)
    db.session.flush()
    db.session.add(VendorMember(user_id=user.id, vendor_id=vendor.id))
    db.session.commit()
    return user, vendor


def log_in(client, user: User) -> None:
    """Put the user in the client's session directly (the log-in form has its own tests and a rate limit)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def gbk_sheet(rows: list[str]) -> bytes:
    """A sheet with Chinese headers, encoded as GB18030 (a superset of GBK), as Excel in China saves it."""
    header = "编号,类型,标题,地域,计费方式,型号,卡数,单价,币种,计费单位,库存"
    return ("\r\n".join([header, *rows]) + "\r\n").encode("gb18030")


def finish_jobs() -> None:
    import_jobs.wait_all(timeout=120)


def use_tmp_uploads(app, tmp_path):
    """Keep a test's staged files in its own temp folder, not the repo's instance folder."""
    previous = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    return previous
