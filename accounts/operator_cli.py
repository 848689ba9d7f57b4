"""`flask operator grant|revoke EMAIL`: the only way to make or unmake an operator, each with its audit row."""

import click

from accounts.operators import OperatorRefused, grant, revoke
from extensions import db

MESSAGES = {
    "no_account": "no account has this email / 没有使用该邮箱的账户",
    "already_operator": "already an operator / 已是运营人员",
    "not_operator": "not an operator / 不是运营人员",
}


@click.group("operator")
def operator_command() -> None:
    """Programme administrators (operators): grant or revoke the role."""


def _run(action, email: str, done: str) -> None:
    try:
        user = action(db.session, email)
        db.session.commit()
    except OperatorRefused as exc:
        db.session.rollback()
        raise click.ClickException(MESSAGES[exc.code]) from None
    click.echo(f"{user.email}: {done}")


@operator_command.command("grant")
@click.argument("email")
def grant_command(email: str) -> None:
    """Make the account with this email an operator."""
    _run(grant, email, "operator now / 已设为运营人员")


@operator_command.command("revoke")
@click.argument("email")
def revoke_command(email: str) -> None:
    """Take the operator role from the account with this email."""
    _run(revoke, email, "no longer an operator / 已取消运营人员")


def init_app(app) -> None:
    app.cli.add_command(operator_command)
