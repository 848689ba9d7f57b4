"""Create or update voucher programmes from their JSON files (spec §7), all or nothing. No Flask."""

import json
from collections.abc import Mapping
from pathlib import Path

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from vouchers.models import VoucherProgram
from vouchers.program_schema import program_from_file


class ProgramFileError(ValueError):
    """A file that cannot be loaded; the message names the file and each bad key."""


def _keyed(messages, prefix: str = "") -> list[str]:
    if isinstance(messages, Mapping):
        return [line for key, value in messages.items()
                for line in _keyed(value, f"{prefix}.{key}" if prefix else str(key))]
    if isinstance(messages, list | tuple) and all(isinstance(m, str) for m in messages):
        return [f"{prefix or 'file'}: {'; '.join(messages)}"]
    if isinstance(messages, list | tuple):
        return [line for m in messages for line in _keyed(m, prefix)]
    return [f"{prefix or 'file'}: {messages}"]


def read_program_file(path: Path) -> list[dict]:
    """The programmes a file defines (one object, or a list of them), checked; the database untouched.

    :raise ProgramFileError: not JSON, not objects, or a key that breaks the schema.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProgramFileError(f"{path}: not a readable JSON file ({exc})") from None
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(item, dict) for item in items):
        raise ProgramFileError(f"{path}: a programme is a JSON object (or a list of them)")
    programs, problems = [], []
    for number, item in enumerate(items):
        where = f"[{number}] " if isinstance(data, list) else ""
        try:
            programs.append(program_from_file(item))
        except ValidationError as exc:
            problems += [f"{where}{line}" for line in _keyed(exc.messages)]
    codes = [p["code"] for p in programs]
    problems += [f"code: {c!r} is defined twice" for c in sorted({c for c in codes if codes.count(c) > 1})]
    if problems:
        raise ProgramFileError(f"{path}: " + "\n  ".join(["bad programme file:", *problems]))
    return programs


def save_programs(session: Session, programs: list[dict]) -> dict[str, list[str]]:
    """Create or update each programme by code in one transaction; commits. {created|updated|unchanged: [codes]}."""
    report: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for columns in programs:
        program = session.scalar(select(VoucherProgram).where(VoucherProgram.code == columns["code"]))
        if program is None:
            session.add(VoucherProgram(**columns))
            report["created"].append(columns["code"])
        elif any(getattr(program, name) != value for name, value in columns.items()):
            for name, value in columns.items():
                setattr(program, name, value)
            report["updated"].append(columns["code"])
        else:
            report["unchanged"].append(columns["code"])
    session.commit()
    return report


def load_program_files(session: Session, paths: list[Path]) -> dict[str, list[str]]:
    """Check every file first, then save them together: a bad file leaves the database as it was.

    :raise ProgramFileError: see read_program_file.
    """
    programs = [program for path in paths for program in read_program_file(path)]
    codes = [p["code"] for p in programs]
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        raise ProgramFileError(f"code: {', '.join(map(repr, twice))} defined in more than one file")
    return save_programs(session, programs)
