"""One way of translating: English msgids through web.locale (Flask-Babel's catalogs), nothing beside it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = [p for d in ("accounts", "catalog", "checkout", "compare", "offers", "pricing", "web", "app.py")
           for p in ([ROOT / d] if d.endswith(".py") else sorted((ROOT / d).rglob("*.py")))]


def test_gettext_comes_only_from_web_locale():
    """Flask-Babel's own gettext looks the catalog up on every call; web.locale's wrapper is the one way in."""
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if p.name != "locale.py"
                 and re.search(r"from flask_babel import .*gettext", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_no_view_splits_bilingual_strings_itself():
    """'中文 / English' messages are halved in web/validation.py only."""
    offenders = [str(p.relative_to(ROOT)) for p in SOURCES if p.name != "validation.py"
                 and 'partition(" / ")' in p.read_text(encoding="utf-8")]
    assert offenders == []


def test_templates_do_not_format_money_themselves():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    offenders = [str(p.relative_to(ROOT)) for p in templates
                 if re.search(r"%\.\d+f|\{:,?\.\d+f\}", p.read_text(encoding="utf-8"))]
    assert offenders == []
