"""Demo accounts: one per role, each able to sign in, made once however often the demo runs."""

from __future__ import annotations

from openceir.access import roles, totp, users
from openceir.access.demo import DEMO_PASSWORD, create_demo_users
from openceir.store.migrate import upgrade
from openceir.store.session import connect


def test_one_account_per_role_each_signs_in_and_a_rerun_changes_nothing(settings) -> None:
    engine = connect(settings.sqlalchemy_url)
    upgrade(engine)
    made = create_demo_users(engine, settings)
    assert {a.role for a in made} == set(roles.ROLES)
    again = create_demo_users(engine, settings)
    assert [(a.username, a.totp_secret) for a in again] == [
        (a.username, a.totp_secret) for a in made
    ]
    assert len(users.list_users(engine)) == len(made)
    for account in made:
        code = totp.code_at(account.totp_secret) if account.totp_secret else ""
        who = users.authenticate(engine, account.username, DEMO_PASSWORD, code)
        assert who.role == account.role
    by_name = {a.username: a for a in made}
    assert by_name["admin"].totp_secret and by_name["operator-alpha"].scope == "operator alpha"
    assert by_name["police-nodal"].scope == "region capital"
