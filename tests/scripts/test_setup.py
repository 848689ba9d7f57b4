"""Set-up: the app's packages apart from the test tools, every one pinned, and a clear word on an old Python."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
TEST_TOOLS = {"pytest", "hypothesis", "schemathesis", "playwright", "ruff", "pip-tools"}


def _names(requirements: Path) -> set[str]:
    names = set()
    for line in requirements.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def _pins(lock: Path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", lock.read_text(encoding="utf-8"), re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_the_runtime_needs_no_test_tools_and_the_dev_file_adds_them():
    assert _names(ROOT / "requirements.txt") & TEST_TOOLS == set()
    assert _names(ROOT / "requirements-dev.txt") >= TEST_TOOLS
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def test_every_requirement_is_pinned_and_both_locks_agree():
    runtime, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    assert _names(ROOT / "requirements.txt") <= set(runtime)
    assert _names(ROOT / "requirements-dev.txt") <= set(dev)
    assert TEST_TOOLS & set(runtime) == set()  # scripts/run.sh installs no Playwright, no schemathesis
    assert {name: dev[name] for name in runtime} == runtime


def test_setup_refuses_an_old_python_saying_which_and_what_to_do(tmp_path):
    old = tmp_path / "python3.9"
    old.write_text('#!/bin/sh\ncase "$2" in *platform*) echo 3.9.18;; *) exit 1;; esac\n')
    old.chmod(0o755)
    result = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh")], env={"PATH": "/usr/bin:/bin",
                            "PYTHON": str(old)}, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "needs Python 3.11 or newer" in result.stderr and "is 3.9.18" in result.stderr
