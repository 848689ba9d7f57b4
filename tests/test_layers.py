"""The code's shape holds: settings read in one module, and package imports that only point down.

Both walk the source with ast, so they see imports and reads inside functions too.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not the app: tests, benchmarks, scripts, the docs' examples (a vendor's own program, run apart from
# the app), Alembic's env and gunicorn's own config keep their reads.
NOT_APP = {"tests", "bench", "scripts", "docs", "migrations", ".venv", "instance"}
SERVER_CONFIG = {"gunicorn.conf.py"}


def app_modules(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.py")
                  if not NOT_APP & set(p.relative_to(root).parts[:-1]) and p.name not in SERVER_CONFIG)


def environment_reads(path: Path, root: Path = ROOT) -> list[str]:
    """`os.environ`, `os.getenv`, `from os import environ/getenv` and `<x>.testing` in one file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os"
                and node.attr in ("environ", "getenv", "environb", "putenv")):
            found.append(f"{path.relative_to(root)}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module == "os":
            found += [f"{path.relative_to(root)}:{node.lineno} from os import {a.name}" for a in node.names
                      if a.name in ("environ", "getenv", "environb")]
        elif isinstance(node, ast.Attribute) and node.attr == "testing":
            found.append(f"{path.relative_to(root)}:{node.lineno} .testing (set the behaviour in config instead)")
    return found


def test_only_settings_reads_the_environment_and_nothing_branches_on_testing():
    reads = [hit for path in app_modules() if path.name != "settings.py" for hit in environment_reads(path)]
    assert reads == [], "read configuration through settings.py and app.config:\n" + "\n".join(reads)


def test_the_environment_check_sees_a_read_inside_a_function(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("def f(app):\n    import os\n    return os.getenv('X') or app.testing\n")
    assert sorted(hit.split(" ", 1)[1] for hit in environment_reads(sneaky, tmp_path)) == [
        ".testing (set the behaviour in config instead)", "os.getenv"]


# Each top-level package or module, and what it may import of ours (README, "Layout").
BASE = {"pricing", "settings", "extensions", "task_queue"}
AREAS = {"offers", "checkout", "compare", "accounts", "vouchers", "alerts", "bank"}
MAY_IMPORT = {
    "pricing": set(),  # pure: no Flask, no database
    "settings": set(),
    "extensions": set(),
    "task_queue": set(),  # the queue object areas declare their tasks on (Huey; Flask for the app context)
    "web": BASE,  # the shell: it imports no area; areas hand it what it needs at init_app
    "catalog": BASE | {"web"},
    **{area: BASE | {"web", "catalog"} for area in AREAS},  # another area only through its package (below)
    "app": {"*"},
    "wsgi": {"*"},
}
NO_FLASK = {"pricing", "settings"}


def owner(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else path.stem


def import_problems(path: Path, root: Path = ROOT) -> list[str]:
    """The imports in one file that point up, sideways into another area's modules, or (for pure code) at Flask."""
    me = owner(path, root)
    allowed = MAY_IMPORT.get(me)
    where = f"{path.relative_to(root)}"
    if allowed is None:
        return [f"{where}: {me} has no place in tests/test_layers.py MAY_IMPORT (and the README's layout)"]
    problems = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if me in NO_FLASK and top in ("flask", "flask_sqlalchemy", "werkzeug"):
                problems.append(f"{where}:{node.lineno} imports {name}: {me} stays free of Flask")
            if top == me or top not in MAY_IMPORT or "*" in allowed or top in allowed:
                continue
            if me in AREAS and top in AREAS and name == top:
                continue  # another area's public face: the names its __init__.py exports
            problems.append(f"{where}:{node.lineno} imports {name}: {me} may import only "
                            f"{', '.join(sorted(allowed)) or 'nothing of ours'}"
                            + (f", and {top} only as `from {top} import …`" if me in AREAS and top in AREAS else ""))
    return problems


def area_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Which area imports which other area (through its package)."""
    graph: dict[str, set[str]] = {area: set() for area in AREAS}
    for path in app_modules(root):
        me = owner(path, root)
        if me not in AREAS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in AREAS - {me}:
                graph[me].add(node.module)
            elif isinstance(node, ast.Import):
                graph[me] |= {a.name.split(".")[0] for a in node.names} & (AREAS - {me})
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle in the graph, or []."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        stack.pop()
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return []


def test_every_import_points_down_the_layers():
    problems = [p for path in app_modules() for p in import_problems(path)]
    assert problems == [], "\n".join(problems)


def test_areas_use_each_other_without_a_cycle():
    assert cycle(area_graph()) == []


def test_the_layer_check_catches_an_upward_and_a_sideways_import(tmp_path):
    (tmp_path / "catalog").mkdir()
    (tmp_path / "offers").mkdir()
    (tmp_path / "pricing").mkdir()
    upward = tmp_path / "catalog" / "x.py"
    upward.write_text("def f():\n    from offers.schema import ALL_COLUMNS\n")
    sideways = tmp_path / "offers" / "y.py"
    sideways.write_text("from accounts.membership import vendor_required\nfrom accounts import vendor_required\n")
    impure = tmp_path / "pricing" / "z.py"
    impure.write_text("import flask\n")
    assert [p.split(": ", 1)[0] for p in import_problems(upward, tmp_path)] == ["catalog/x.py:2 imports offers.schema"]
    assert [p.split(": ", 1)[0] for p in import_problems(sideways, tmp_path)] == [
        "offers/y.py:1 imports accounts.membership"]
    assert [p.split(": ", 1)[0] for p in import_problems(impure, tmp_path)] == ["pricing/z.py:1 imports flask"]
    assert cycle({"offers": {"accounts"}, "accounts": {"checkout"}, "checkout": {"offers"}}) == [
        "accounts", "checkout", "offers", "accounts"]
