"""Accounts, passwords, throttled sign-in, API tokens and `tcmap user`, on each database."""

from __future__ import annotations

import io
import json
import sys
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from typer.testing import CliRunner

from tcmap import users
from tcmap.cli import app
from tcmap.errors import AuthError, NotFoundError, UserError
from tcmap.store import ApiToken, AuthEvent, User

T0 = datetime(2026, 3, 2, 9, 0)
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch):
    """Argon2 with small parameters: the defaults cost 64 MB and tens of ms per hash."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: cheap)
    return cheap


@pytest.fixture
def ana(store):
    """A store with one analyst, ana, and one admin, root."""
    with store.session() as s, s.begin():
        users.add_user(s, "Ana", "analyst", PASSWORD, "Ana Silva", now=T0)
        users.add_user(s, "root", "admin", "root password 1", now=T0)
    return store


def sign_in(store, name, password, at, remote=None):
    """One attempt as a web app makes it: a refusal rolls its transaction back."""
    with store.session() as s, s.begin():
        return users.authenticate(s, name, password, remote=remote, now=at).name


def events(store, kind=None):
    with store.session() as s:
        rows = s.scalars(select(AuthEvent).order_by(AuthEvent.id)).all()
    return [e for e in rows if kind is None or e.kind == kind]


def test_roles_nest():
    assert users.can("admin", "analyst") and users.can("analyst", "viewer")
    assert users.can("viewer", "viewer") and not users.can("viewer", "analyst")
    assert not users.can("nobody", "viewer")
    with pytest.raises(ValueError):
        users.can("admin", "superuser")


def test_added_users_are_listed_without_hashes(ana):
    with ana.session() as s:
        rows = users.list_users(s)
        stored = s.scalar(select(User).where(User.name == "ana")).password_hash
    assert [(r["name"], r["display_name"], r["role"], r["active"]) for r in rows] == [
        ("ana", "Ana Silva", "analyst", True), ("root", "root", "admin", True)]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert "password_hash" not in rows[0] and stored not in json.dumps(rows)
    assert [e.kind for e in events(ana)] == ["user-added", "user-added"]


def test_names_ignore_case_and_a_duplicate_is_refused(ana):
    with ana.session() as s, pytest.raises(UserError) as err:
        users.add_user(s, "ANA", "viewer", "another password")
    assert "already" in err.value.message and "ignore case" in err.value.hint
    with ana.session() as s:
        assert users.get_user(s, " aNa ").display_name == "Ana Silva"


@pytest.mark.parametrize(("name", "role", "password", "words"), [
    ("ana silva", "viewer", PASSWORD, "cannot name a user"),
    ("x" * 61, "viewer", PASSWORD, "cannot name a user"),
    ("", "viewer", PASSWORD, "cannot name a user"),
    ("bo", "superuser", PASSWORD, "Unknown role"),
    ("bo", "viewer", "short", "too short"),
])
def test_bad_names_roles_and_weak_passwords_are_refused_with_a_hint(store, name, role,
                                                                     password, words):
    with store.session() as s, pytest.raises(UserError) as err:
        users.add_user(s, name, role, password)
    assert words in err.value.message and err.value.hint


def test_the_right_password_signs_in_and_records_it(ana):
    assert sign_in(ana, "ANA", PASSWORD, T0, remote="10.0.0.1") == "ana"
    with ana.session() as s:
        assert users.get_user(s, "ana").last_login_at == T0
    ok = events(ana, "login-ok")
    assert [(e.user_name, e.remote, e.at) for e in ok] == [("ana", "10.0.0.1", T0)]


def test_unknown_name_and_wrong_password_get_the_same_message(ana):
    with pytest.raises(AuthError) as wrong_password:
        sign_in(ana, "ana", "not the password", T0)
    with pytest.raises(AuthError) as unknown_name:
        sign_in(ana, "nobody", PASSWORD, T0)
    assert wrong_password.value.message == unknown_name.value.message
    assert wrong_password.value.hint == unknown_name.value.hint
    assert wrong_password.value.retry_after is None
    # Recorded although each attempt's transaction was rolled back.
    assert [e.user_name for e in events(ana, "login-failed")] == ["ana", "nobody"]


def test_five_failures_lock_the_name_for_15_minutes_even_with_the_right_password(ana):
    for i in range(5):
        with pytest.raises(AuthError):
            sign_in(ana, "ana", f"wrong password {i}", T0 + timedelta(minutes=i))
    with pytest.raises(AuthError) as locked:
        sign_in(ana, "ana", PASSWORD, T0 + timedelta(minutes=5))
    assert "Too many" in locked.value.message
    assert locked.value.retry_after == 14 * 60  # 15 minutes after the fifth failure
    with pytest.raises(AuthError):
        sign_in(ana, "Ana", PASSWORD, T0 + timedelta(minutes=18, seconds=59))
    # Other names are not affected.
    assert sign_in(ana, "root", "root password 1", T0 + timedelta(minutes=6)) == "root"
    assert sign_in(ana, "ana", PASSWORD, T0 + timedelta(minutes=19, seconds=1)) == "ana"
    assert len(events(ana, "locked")) == 2


def test_failures_spread_over_more_than_15_minutes_do_not_lock(ana):
    for i in range(5):
        with pytest.raises(AuthError):
            sign_in(ana, "ana", "wrong password", T0 + timedelta(minutes=4 * i))
    assert sign_in(ana, "ana", PASSWORD, T0 + timedelta(minutes=17)) == "ana"


def test_a_success_clears_the_failures_of_the_name(ana):
    for i in range(4):
        with pytest.raises(AuthError):
            sign_in(ana, "ana", "wrong password", T0 + timedelta(seconds=i))
    sign_in(ana, "ana", PASSWORD, T0 + timedelta(seconds=10))
    with pytest.raises(AuthError) as err:
        sign_in(ana, "ana", "wrong password", T0 + timedelta(seconds=20))
    assert err.value.retry_after is None
    assert sign_in(ana, "ana", PASSWORD, T0 + timedelta(seconds=30)) == "ana"


def test_twenty_failures_from_one_address_lock_that_address(ana):
    for i in range(20):
        with pytest.raises(AuthError):
            sign_in(ana, f"guess{i}", "wrong password", T0 + timedelta(seconds=i),
                    remote="192.0.2.9")
    with pytest.raises(AuthError) as locked:
        sign_in(ana, "ana", PASSWORD, T0 + timedelta(minutes=1), remote="192.0.2.9")
    assert locked.value.retry_after > 0
    assert sign_in(ana, "ana", PASSWORD, T0 + timedelta(minutes=1), remote="192.0.2.10")


def test_a_disabled_user_is_refused_and_their_sessions_end(ana):
    with ana.session() as s, s.begin():
        before = users.get_user(s, "ana").session_version
        users.disable_user(s, "ana")
    with pytest.raises(AuthError) as err:
        sign_in(ana, "ana", PASSWORD, T0)
    assert "disabled" in err.value.message
    with ana.session() as s, s.begin():
        assert users.get_user(s, "ana").session_version == before + 1
        assert users.list_users(s)[0]["active"] is False
        users.enable_user(s, "ana")
    assert sign_in(ana, "ana", PASSWORD, T0) == "ana"


def test_a_new_password_replaces_the_old_one_and_ends_sessions(ana):
    with ana.session() as s, s.begin():
        users.set_password(s, "ana", "a brand new password")
        assert users.get_user(s, "ana").session_version == 2
    with pytest.raises(AuthError):
        sign_in(ana, "ana", PASSWORD, T0)
    assert sign_in(ana, "ana", "a brand new password", T0) == "ana"
    with ana.session() as s, pytest.raises(UserError):
        users.set_password(s, "ana", "short")


def test_a_hash_made_with_old_parameters_is_rehashed_on_sign_in(ana, monkeypatch):
    with ana.session() as s:
        old = users.get_user(s, "ana").password_hash
    monkeypatch.setattr(users, "_hasher", lambda: PasswordHasher(time_cost=2, memory_cost=2048,
                                                                 parallelism=1))
    sign_in(ana, "ana", PASSWORD, T0)
    with ana.session() as s:
        new = users.get_user(s, "ana").password_hash
    assert new != old and "m=2048,t=2,p=1" in new
    assert sign_in(ana, "ana", PASSWORD, T0) == "ana"


def test_role_changes_are_recorded_and_the_last_admin_stays(ana):
    with ana.session() as s, s.begin():
        users.set_role(s, "ana", "viewer", by="root")
    assert events(ana, "role-changed")[0].detail == "analyst -> viewer by root"
    with ana.session() as s, pytest.raises(UserError) as err:
        users.set_role(s, "root", "analyst")
    assert "only active admin" in err.value.message
    with ana.session() as s, pytest.raises(UserError):
        users.disable_user(s, "root")
    with ana.session() as s, pytest.raises(NotFoundError):
        users.set_role(s, "nobody", "viewer")


def test_a_token_is_stored_hashed_verified_and_revoked(ana):
    with ana.session() as s, s.begin():
        token = users.create_token(s, "ana", "nightly-import", now=T0)
    with ana.session() as s:
        row = s.scalar(select(ApiToken))
        assert token not in (row.token_hash, row.prefix) and row.prefix == token[:8]
    with ana.session() as s, s.begin():
        assert users.verify_token(s, token, now=T0 + timedelta(minutes=1)).name == "ana"
    with ana.session() as s, s.begin():
        assert users.list_tokens(s, "ana")[0]["last_used_at"] == "2026-03-02T09:01:00"
        assert users.list_users(s)[0]["tokens"] == 1
        with pytest.raises(UserError):
            users.create_token(s, "ana", "nightly-import")
        assert users.revoke_token(s, "ana", "nightly-import") == 1
    with ana.session() as s, pytest.raises(AuthError):
        users.verify_token(s, token)
    with ana.session() as s, pytest.raises(AuthError):
        users.verify_token(s, token[:-1] + ("A" if token[-1] != "A" else "B"))
    with ana.session() as s, pytest.raises(NotFoundError):
        users.revoke_token(s, "ana", "nightly-import")


def test_a_disabled_users_token_is_refused(ana):
    with ana.session() as s, s.begin():
        token = users.create_token(s, "ana", "ci")
        users.disable_user(s, "ana")
    with ana.session() as s, pytest.raises(AuthError) as err:
        users.verify_token(s, token)
    assert err.value.message == "The API token is not valid."


def test_token_use_is_recorded_once_an_hour(ana):
    with ana.session() as s, s.begin():
        token = users.create_token(s, "ana", "ci", now=T0)
    for minutes in (0, 30, 59, 60):
        with ana.session() as s, s.begin():
            users.verify_token(s, token, remote="10.0.0.2", now=T0 + timedelta(minutes=minutes))
    assert [e.at for e in events(ana, "token-used")] == [T0, T0 + timedelta(minutes=60)]


# The command


def run(store, *args, input=None):
    return CliRunner().invoke(app, ["--db", store.connect_url, "user", *args], input=input,
                              catch_exceptions=False)


def run_main(store, monkeypatch, *args, stdin=""):
    """Run `tcmap.cli.main` as the installed command does; returns its exit code."""
    from tcmap.cli import main

    monkeypatch.setattr(sys, "argv", ["tcmap", "--db", store.connect_url, "user", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        main()
    return exc.value.code


def test_cli_add_reads_the_password_from_stdin_and_list_json_equals_list_users(store):
    added = run(store, "add", "Ana", "--role", "analyst", "--display-name", "Ana Silva",
                "--password-stdin", input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert sign_in(store, "ana", PASSWORD, T0) == "ana"
    listed = run(store, "list", "--json")
    with store.session() as s:
        assert json.loads(listed.stdout) == users.list_users(s)
        stored = users.get_user(s, "ana").password_hash
    table = run(store, "list")
    assert "Ana Silva" in table.stdout
    assert stored not in listed.stdout + table.stdout and "argon2" not in listed.stdout


def test_cli_add_prompts_twice_for_the_password(store):
    result = run(store, "add", "bo", "--role", "viewer", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert sign_in(store, "bo", PASSWORD, T0) == "bo"


def test_cli_changes_roles_passwords_and_disables(store):
    run(store, "add", "ana", "--role", "viewer", "--password-stdin", input=PASSWORD + "\n")
    assert run(store, "role", "ana", "admin").exit_code == 0
    assert run(store, "password", "ana", "--password-stdin", input="the new password\n"
               ).exit_code == 0
    assert sign_in(store, "ana", "the new password", T0) == "ana"
    run(store, "add", "bo", "--role", "admin", "--password-stdin", input=PASSWORD + "\n")
    assert run(store, "disable", "ana").exit_code == 0
    assert json.loads(run(store, "list", "--json").stdout)[0]["active"] is False
    assert run(store, "enable", "ana").exit_code == 0
    assert json.loads(run(store, "list", "--json").stdout)[0]["active"] is True


def test_cli_token_prints_the_token_once_on_stdout_and_revokes_it(store):
    run(store, "add", "ana", "--role", "analyst", "--password-stdin", input=PASSWORD + "\n")
    made = run(store, "token", "ana", "ci")
    token = made.stdout.strip()
    assert made.exit_code == 0 and "shown only now" in made.stderr
    with store.session() as s, s.begin():
        assert users.verify_token(s, token).name == "ana"
    assert run(store, "token", "ana", "ci", "--revoke").exit_code == 0
    with store.session() as s, pytest.raises(AuthError):
        users.verify_token(s, token)


def test_cli_errors_exit_2_with_a_message_and_a_hint(store, monkeypatch, capsys):
    assert run_main(store, monkeypatch, "add", "ana", "--role", "analyst", "--password-stdin",
                    stdin="short\n") == 2
    assert "too short" in capsys.readouterr().err
    assert run_main(store, monkeypatch, "add", "ana", "--role", "boss", "--password-stdin",
                    stdin=PASSWORD + "\n") == 2
    assert "Unknown role" in capsys.readouterr().err
    assert run_main(store, monkeypatch, "add", "ana", "--role", "analyst", "--password-stdin",
                    stdin=PASSWORD + "\n") == 0
    assert run_main(store, monkeypatch, "add", "ANA", "--role", "viewer", "--password-stdin",
                    stdin=PASSWORD + "\n") == 2
    err = capsys.readouterr().err
    assert "already a user" in err and "Hint:" in err
    assert run_main(store, monkeypatch, "disable", "nobody") == 2
    assert "tcmap user list" in capsys.readouterr().err


def test_every_user_subcommand_and_option_is_in_docs_cli():
    import typer.core
    import typer.main

    from conftest import REPO

    section = (REPO / "docs" / "cli.md").read_text().split("## tcmap user", 1)[1]
    section = section.split("\n## ", 1)[0]
    group = typer.main.get_command(app).commands["user"]
    for name, cmd in group.commands.items():
        assert cmd.help and f"tcmap user {name}" in section
        for param in cmd.params:
            if isinstance(param, typer.core.TyperOption) and param.name != "help":
                assert param.help and any(o in section for o in param.opts), param.opts
