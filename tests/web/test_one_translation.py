"""One way of translating: English msgids through web.locale (Flask-Babel's catalogs), nothing beside it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCES = [p for d in ("accounts", "catalog", "checkout", "compare", "offers", "pricing", "vouchers", "web", "app.py")
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


CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
ENGLISH_PHRASE = re.compile(r"[A-Za-z]+[ ,;:]+[A-Za-z]+")


def _literal_text(node: ast.AST) -> str | None:
    """The text of a string literal or an f-string's literal parts; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    return None


def _has_literal(node: ast.AST) -> bool:
    return any(_literal_text(n) is not None for n in ast.walk(node))


def _language_named(name: str) -> bool:
    return name.endswith(("_zh", "_en"))


def paired_literals(source: str) -> list[str]:
    """Chinese and English kept side by side: a (Chinese, English) pair of literals, a `*_zh`/`*_en`
    name or keyword given literal text, or `'…' if lang == 'zh' else '…'` between literals."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Tuple) and len(node.elts) == 2:
            texts = [_literal_text(e) for e in node.elts]
            if None not in texts and sum(bool(CJK.search(t)) for t in texts) == 1 and any(
                    not CJK.search(t) and ENGLISH_PHRASE.search(t) for t in texts):
                found.append(f"line {node.lineno}: a (Chinese, English) pair")
        elif isinstance(node, ast.keyword) and node.arg and _language_named(node.arg) and _has_literal(node.value):
            found.append(f"line {node.value.lineno}: {node.arg}= given literal text")
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names = [t for target in targets for t in ast.walk(target)
                     if isinstance(t, (ast.Name, ast.Attribute))
                     and _language_named(t.id if isinstance(t, ast.Name) else t.attr)]
            if names and node.value is not None and _has_literal(node.value):
                found.append(f"line {node.lineno}: a *_zh/*_en name given literal text")
        elif isinstance(node, ast.IfExp) and isinstance(node.test, ast.Compare) \
                and any(_literal_text(n) in ("zh", "en") for n in ast.walk(node.test)) \
                and _literal_text(node.body) is not None and _literal_text(node.orelse) is not None:
            found.append(f"line {node.lineno}: a language picked between two literals")
    return found


def test_pricing_and_compare_keep_no_chinese_english_pairs():
    """Their words are English msgids with the Chinese in a catalog (pricing.display.phrase, web.locale)."""
    offenders = {str(p.relative_to(ROOT)): found for p in SOURCES
                 if p.relative_to(ROOT).parts[0] in ("pricing", "compare")
                 and (found := paired_literals(p.read_text(encoding="utf-8")))}
    assert offenders == {}


def test_templates_do_not_pick_a_language_half():
    templates = sorted((ROOT / "templates").rglob("*.html"))
    offenders = [str(p.relative_to(ROOT)) for p in templates
                 if re.search(r"""if\s+lang\s*==\s*['"]zh['"]\s+else""", p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize("source", [
    'pair = ("竞价实例可能被中断", "spot capacity can be interrupted")',
    'x = Cost(arithmetic_zh=f"{n} 卡", arithmetic_en=f"{n} cards")',
    'unit_zh, unit_en = ("卡", "cards")',
    'class C:\n    arithmetic_en: str = ""',
    'text = "包月" if lang == "zh" else "a monthly term"',
])
def test_the_pair_rule_catches_what_it_is_for(source):
    assert paired_literals(source)


def test_the_pair_rule_passes_currency_words_attributes_and_other_choices():
    assert paired_literals('WORDS = [("美元", "USD"), ("元", "CNY")]\nname = r.name_zh if zh else r.name_en\n'
                           'period = "month" if kind == "token" else "job"') == []
