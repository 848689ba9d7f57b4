"""The code's shape holds: settings read in one module, and package imports that only point down.

Both walk the source with ast, so they see imports and reads inside functions too.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not the app: tests, benchmarks, scripts, Alembic's env and gunicorn's own config keep their reads.
NOT_APP = {"tests", "bench", "scripts", "migrations", ".venv", "instance"}
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
