"""`flask voucher-programs [--load FILE ...]`: list the programmes, or create/update them from JSON files."""

import json
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from extensions import db
from vouchers.models import VoucherProgram
from vouchers.program_loader import ProgramFileError, load_program_files


@click.command("voucher-programs")
@click.option("--load", "paths", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A programme file (spec §7); repeat for several. All land, or none.")
def voucher_programs_command(paths: tuple[str, ...]) -> None:
    """Show the voucher programmes, or create or update them by code from JSON files."""
    if paths:
        try:
            report = load_program_files(db.session, [Path(p) for p in paths])
        except ProgramFileError as exc:
            db.session.rollback()
            click.echo(str(exc), err=True)
            sys.exit(1)
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    for program in db.session.scalars(select(VoucherProgram).order_by(VoucherProgram.code)):
        click.echo(f"{program.code}\t{program.valid_from}..{program.valid_to}\t{program.name_zh} / {program.name_en}")


def init_app(app: Flask) -> None:
    app.cli.add_command(voucher_programs_command)
