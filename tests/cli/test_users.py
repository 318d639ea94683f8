"""`openceir users` and `openceir clients` as a user runs them: output, exit codes, errors."""

from __future__ import annotations

import re


def _env(tmp_path) -> dict[str, str]:
    return {"OPENCEIR_DATA_DIR": str(tmp_path / "data")}


def test_users_add_list_disable_reset_and_set_role(cli, tmp_path) -> None:
    env = _env(tmp_path)
    assert cli("db", "upgrade", env=env).returncode == 0
    added = cli("users", "add", "root", "--role", "admin", "--name", "Root", env=env)
    assert added.returncode == 0, added.stderr
    assert "Added root (admin)." in added.stdout
    assert re.search(r"Password for root: \S{12,}", added.stdout)
    assert "otpauth://totp/openceir:root" in added.stdout
    listed = cli("users", "list", env=env)
    assert "root" in listed.stdout and "admin" in listed.stdout and "yes" in listed.stdout
    assert cli("users", "disable", "root", env=env).stdout.strip() == "root is disabled."
    assert "disabled" in cli("users", "list", env=env).stdout
    reset = cli("users", "reset-password", "root", env=env)
    assert reset.returncode == 0 and "Password for root:" in reset.stdout
    police = cli("users", "set-role", "root", "--role", "police", "--station", "c", env=env)
    assert police.returncode == 0 and "root is now police." in police.stdout


def test_users_errors_are_one_line(cli, tmp_path) -> None:
    env = _env(tmp_path)
    cli("db", "upgrade", env=env)
    bad = cli("users", "add", "ada", "--role", "operator", env=env)
    assert bad.returncode == 1
    assert bad.stderr.strip() == (
        "Error: field operator: an operator account needs --operator (its operator id)"
    )
    unknown = cli("users", "add", "ada", "--role", "operator", "--operator", "zeta", env=env)
    assert unknown.returncode == 1 and "operator 'zeta' is not configured" in unknown.stderr
    missing = cli("users", "disable", "nobody", env=env)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "no user 'nobody'" in missing.stderr


def test_clients_add_list_rotate_revoke(cli, tmp_path) -> None:
    env = _env(tmp_path)
    cli("db", "upgrade", env=env)
    added = cli("clients", "add", "reg-eir", "--scope", "ceir-admin", env=env)
    assert added.returncode == 0 and "Client secret (shown once):" in added.stdout
    secret = added.stdout.rsplit(": ", 1)[1].strip()
    rotated = cli("clients", "rotate", "reg-eir", env=env)
    assert rotated.returncode == 0 and secret not in rotated.stdout
    assert cli("clients", "revoke", "reg-eir", env=env).returncode == 0
    assert "revoked" in cli("clients", "list", env=env).stdout
    again = cli("clients", "rotate", "reg-eir", env=env)
    assert again.returncode == 1 and "no active client 'reg-eir'" in again.stderr
    bad = cli("clients", "add", "x y", "--scope", "ceir-lists", env=env)
    assert bad.returncode == 1 and "client id 'x y'" in bad.stderr
