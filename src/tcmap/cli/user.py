"""`tcmap user`: accounts, their roles and passwords, and API tokens."""

from __future__ import annotations

import sys

import typer
from rich.markup import escape
from rich.table import Table

from tcmap.cli.common import JSON_OPTION, console, console_err, print_json, state

BY = "cli"  # what the audit trail records as the author of changes made here

PASSWORD_STDIN = typer.Option(
    False, "--password-stdin",
    help="Read the password from the first line of standard input (for scripts) instead of "
    "prompting twice.")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def register(app: typer.Typer) -> None:
    user_app = typer.Typer(
        help="Accounts: add, list, disable or enable them, change roles and passwords, "
        "make API tokens.", no_args_is_help=True)
    app.add_typer(user_app, name="user")

    @user_app.command("add")
    def add(ctx: typer.Context,
            name: str = typer.Argument(..., help="Sign-in name: letters, digits, . _ - @."),
            role: str = typer.Option(..., "--role", help="viewer, analyst or admin."),
            display_name: str = typer.Option(None, "--display-name",
                                             help="The name shown (default: NAME)."),
            password_stdin: bool = PASSWORD_STDIN) -> None:
        """Add an account with a role; the password is prompted for (or read from stdin)."""
        from tcmap.users import add_user

        password = _password(password_stdin)
        with state(ctx).store().session() as s, s.begin():
            user = add_user(s, name, role, password, display_name, by=BY)
        console.print(f"Added [bold]{escape(user.name)}[/] ({user.role}).")

    @user_app.command("list")
    def list_(ctx: typer.Context, json_: bool = JSON_OPTION) -> None:
        """List the accounts: role, active, last sign-in, usable API tokens."""
        from tcmap.users import list_users

        with state(ctx).store().session() as s:
            rows = list_users(s)
        if json_:
            return print_json(rows)
        table = Table(title="Users")
        for col in ("name", "display name", "role", "active", "last sign-in", "tokens"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(escape(r["name"]), escape(r["display_name"]), r["role"],
                          "yes" if r["active"] else "no", r["last_login_at"] or "",
                          str(r["tokens"]))
        console.print(table)

    @user_app.command("disable")
    def disable(ctx: typer.Context,
                name: str = typer.Argument(..., help="The account to disable.")) -> None:
        """Disable an account: no sign-in or API token, and its web sessions end."""
        from tcmap.users import disable_user

        with state(ctx).store().session() as s, s.begin():
            user = disable_user(s, name, by=BY)
        console.print(f"Disabled [bold]{escape(user.name)}[/].")

    @user_app.command("enable")
    def enable(ctx: typer.Context,
               name: str = typer.Argument(..., help="The account to enable.")) -> None:
        """Enable a disabled account again."""
        from tcmap.users import enable_user

        with state(ctx).store().session() as s, s.begin():
            user = enable_user(s, name, by=BY)
        console.print(f"Enabled [bold]{escape(user.name)}[/].")

    @user_app.command("role")
    def role(ctx: typer.Context,
             name: str = typer.Argument(..., help="The account."),
             role: str = typer.Argument(..., help="viewer, analyst or admin.")) -> None:
        """Give an account another role."""
        from tcmap.users import set_role

        with state(ctx).store().session() as s, s.begin():
            user = set_role(s, name, role, by=BY)
        console.print(f"[bold]{escape(user.name)}[/] is now {user.role}.")

    @user_app.command("password")
    def password(ctx: typer.Context,
                 name: str = typer.Argument(..., help="The account."),
                 password_stdin: bool = PASSWORD_STDIN) -> None:
        """Set a new password; the account's web sessions end."""
        from tcmap.users import set_password

        secret = _password(password_stdin)
        with state(ctx).store().session() as s, s.begin():
            user = set_password(s, name, secret, by=BY)
        console.print(f"Password of [bold]{escape(user.name)}[/] changed.")

    @user_app.command("token")
    def token(ctx: typer.Context,
              name: str = typer.Argument(..., help="The account the token acts as."),
              token_name: str = typer.Argument(..., help="What the token is for, e.g. "
                                               "nightly-import."),
              revoke: bool = typer.Option(False, "--revoke",
                                          help="Revoke the account's token of that name "
                                          "instead of making one.")) -> None:
        """Make an API token and print it once (or revoke one with --revoke)."""
        from tcmap.users import create_token, revoke_token

        with state(ctx).store().session() as s, s.begin():
            if revoke:
                n = revoke_token(s, name, token_name, by=BY)
            else:
                secret = create_token(s, name, token_name, by=BY)
        if revoke:
            return console.print(f"Revoked {n} token{'s' if n != 1 else ''} named "
                                 f"{escape(token_name)!r}.")
        # The token alone on standard output, so that scripts can capture it.
        typer.echo(secret)
        console_err.print("[bold yellow]This token is shown only now:[/] store it safely; "
                          "tcmap keeps only its hash. Revoke it with "
                          f"`tcmap user token {escape(name)} {escape(token_name)} --revoke`.")
