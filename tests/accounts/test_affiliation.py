"""is_affiliated: the vendor is the company's, a declared affiliate's, or shares a person with it; else not."""

import pytest
from sqlalchemy.exc import IntegrityError

from accounts import is_affiliated
from accounts.affiliation import affiliation_pair
from accounts.company_models import CompanyAffiliation, CompanyMember
from catalog.models import Vendor
from extensions import db
from tests.accounts.company_support import make_company
from tests.stall_support import make_user, make_vendor_member


def _vendor(slug: str) -> Vendor:
    vendor = Vendor(slug=slug, name_en=slug.title(), name_zh=slug)
    db.session.add(vendor)
    db.session.commit()
    return vendor


def _declare(a, b) -> None:
    low, high = affiliation_pair(a.id, b.id)
    db.session.add(CompanyAffiliation(company_id=low, affiliate_id=high))
    db.session.commit()


def test_a_vendor_of_the_company_is_affiliated_and_a_strangers_is_not(app):
    own, other = _vendor("own"), _vendor("other")
    buyer = make_company("买家公司", vendors=[own])
    make_company("别家公司", vendors=[other])
    assert is_affiliated(db.session, buyer.id, own.id)
    assert not is_affiliated(db.session, buyer.id, other.id)


def test_a_vendor_with_no_company_is_not_affiliated(app):
    loose = _vendor("loose")
    assert not is_affiliated(db.session, make_company().id, loose.id)


@pytest.mark.parametrize("declared_from_buyer", [True, False])
def test_a_declared_affiliate_counts_whichever_way_the_pair_was_given(app, declared_from_buyer):
    sister_vendor = _vendor("sister")
    buyer = make_company("集团甲")
    sister = make_company("集团乙", vendors=[sister_vendor])
    _declare(*((buyer, sister) if declared_from_buyer else (sister, buyer)))
    assert is_affiliated(db.session, buyer.id, sister_vendor.id)


def test_affiliation_is_pairs_not_chains(app):
    far_vendor = _vendor("far")
    a, b, c = make_company("甲"), make_company("乙"), make_company("丙", vendors=[far_vendor])
    _declare(a, b)
    _declare(b, c)
    assert is_affiliated(db.session, b.id, far_vendor.id)
    assert not is_affiliated(db.session, a.id, far_vendor.id)


def test_a_person_acting_for_the_company_and_selling_at_the_vendor_makes_it_affiliated(app):
    seller, stall = make_vendor_member("seller@example.com", "stall")
    buyer = make_company("买家公司", owner=seller)
    assert is_affiliated(db.session, buyer.id, stall.id)


def test_a_pending_request_to_join_does_not_make_it_affiliated(app):
    seller, stall = make_vendor_member("seller@example.com", "stall")
    buyer = make_company("买家公司", owner=make_user("boss@example.com"))
    db.session.add(CompanyMember(company_id=buyer.id, user_id=seller.id, role="pending"))
    db.session.commit()
    assert not is_affiliated(db.session, buyer.id, stall.id)


def test_a_pair_is_stored_once_lower_id_first(app):
    a, b = make_company("甲"), make_company("乙")
    db.session.add(CompanyAffiliation(company_id=max(a.id, b.id), affiliate_id=min(a.id, b.id)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
