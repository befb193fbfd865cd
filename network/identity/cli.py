"""`flask identity …`: the demo code, and the operator's reset of a second factor (an admin's own, lost)."""

import click

from network.errors import DomainError
from network.extensions import db
from network.identity.blueprint import bp
from network.identity.demo import demo_code
from network.identity.services import reset_second_factor
from network.members.models import Member
from network.members.services import member_by_email


@bp.cli.command("demo-code")
@click.argument("email")
def demo_code_command(email):
    """Print the current second-factor code of a demo account (never in production)."""
    code = demo_code(email)
    if code is None:
        raise click.ClickException(f"{email} is not a demo account enrolled with the demo authenticator.")
    click.echo(code)


@bp.cli.command("reset-second-factor")
@click.argument("email")
def reset_second_factor_command(email):
    """Reset a member's second factor from the server's shell (e.g. the only admin's lost phone); audited, emailed."""
    member = member_by_email(email)
    if member is None:
        raise click.ClickException(f"No member has the address {email}.")
    operator = Member(id=None, role="admin", network_id=None, email="", first_name="L'exploitant",
                      last_name="de la plateforme")  # the shell operator, never saved
    try:
        reset_second_factor(member, actor=operator)
    except DomainError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Second factor of {member.email} reset; the member is told by email.")
