"""Settings: where the config file is found, what wins, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.errors import ConfigError
from openceir.settings import load_settings

TOML = """
[region]
name = "Ruritania"
country_mcc = ["901"]
country_code = "99"
[[operators]]
id = "one"
name = "One"
mcc_mnc = ["90101"]
"""


def test_config_in_data_dir_is_found(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "openceir.toml").write_text(TOML)
    s = load_settings(environ={"OPENCEIR_DATA_DIR": "d"}, cwd=tmp_path, data_dir=tmp_path / "d")
    assert s.region.name == "Ruritania" and [o.id for o in s.operators] == ["one"]
    assert s.sqlalchemy_url.endswith("/d/openceir.sqlite")


def test_explicit_config_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a file"):
        load_settings(environ={"OPENCEIR_CONFIG": str(tmp_path / "nope.toml")}, cwd=tmp_path)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "openceir.toml"
    bad.write_text("[region\nname=1")
    with pytest.raises(ConfigError, match=r"openceir\.toml: not valid TOML"):
        load_settings(environ={}, cwd=tmp_path)


def test_bad_operator_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text(TOML.replace('"90101"', '"9A101"'))
    with pytest.raises(ConfigError, match=r"operators\.0\.mcc_mnc.*5 or 6 digits"):
        load_settings(environ={}, cwd=tmp_path)


def test_duplicate_operator_id_is_refused(tmp_path: Path) -> None:
    twice = TOML + '[[operators]]\nid = "one"\nname = "Again"\n'
    (tmp_path / "openceir.toml").write_text(twice)
    with pytest.raises(ConfigError, match="configured twice"):
        load_settings(environ={}, cwd=tmp_path)


def test_environment_wins_over_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "openceir.toml").write_text(TOML + '\ndatabase_url = "sqlite:///file.db"\n')
    monkeypatch.setenv("OPENCEIR_DATABASE_URL", "sqlite:///env.db")
    assert load_settings(environ={}, cwd=tmp_path).sqlalchemy_url == "sqlite:///env.db"


def test_unknown_operator_lists_known_ones(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text(TOML)
    s = load_settings(environ={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"'two' is not configured \(known: one\)"):
        s.operator("two")
