"""Settings: where the config file is found, what wins, and clear errors."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from openceir.errors import ConfigError
from openceir.settings import DataPaths, Operator, Region, Settings, load_settings, region_toml

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


def test_environment_wins_over_file(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text('database_url = "sqlite:///file.db"\n' + TOML)
    assert load_settings(environ={}, cwd=tmp_path).sqlalchemy_url == "sqlite:///file.db"
    env = {"OPENCEIR_DATABASE_URL": "sqlite:///env.db"}
    assert load_settings(environ=env, cwd=tmp_path).sqlalchemy_url == "sqlite:///env.db"


def test_explicit_overrides_win_over_the_environment(tmp_path: Path) -> None:
    env = {"OPENCEIR_DATA_DIR": str(tmp_path / "env"), "OPENCEIR_DATABASE_URL": "sqlite:///e.db"}
    s = load_settings(environ=env, cwd=tmp_path, data_dir=tmp_path / "mine")
    assert s.data_dir == tmp_path / "mine"
    assert s.sqlalchemy_url == "sqlite:///e.db"


def test_the_given_environment_is_the_only_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENCEIR_DATABASE_URL", "sqlite:///process.db")
    assert load_settings(environ={}, cwd=tmp_path).database_url is None
    assert Settings().database_url is None
    assert load_settings(cwd=tmp_path).database_url == "sqlite:///process.db"


def test_nested_tables_merge_key_by_key(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text('[ingest]\nthreads = 1\nmemory_limit = "300MB"\n')
    s = load_settings(environ={"OPENCEIR_INGEST__THREADS": "4"}, cwd=tmp_path)
    assert (s.ingest.threads, s.ingest.memory_limit) == (4, "300MB")
    with pytest.raises(ConfigError, match=r"setting ingest.threads = '0'; expected 1 to 256"):
        load_settings(environ={"OPENCEIR_INGEST__THREADS": "0"}, cwd=tmp_path)


def test_ingest_table_is_typed(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text("[ingest.thresholds]\nforeign_imsi = 0.15\n")
    s = load_settings(environ={}, cwd=tmp_path)
    assert s.ingest.thresholds == {"foreign_imsi": 0.15}
    assert (s.ingest.threads, s.ingest.memory_limit) == (2, "512MB")
    (tmp_path / "openceir.toml").write_text("[ingest]\nthresholds = 3\n")
    with pytest.raises(ConfigError, match=r"openceir.toml: setting ingest.thresholds = 3; must"):
        load_settings(environ={}, cwd=tmp_path)


def test_paths_name_every_place_in_the_data_dir(tmp_path: Path) -> None:
    s = load_settings(environ={}, cwd=tmp_path, data_dir=tmp_path / "d")
    root = tmp_path / "d"
    assert s.paths == DataPaths(root)
    assert (s.paths.lake, s.paths.lists, s.paths.ledger) == (
        root / "lake",
        root / "lists",
        root / "ledger",
    )
    assert (s.paths.snapshot, s.paths.keys) == (root / "eir", root / "keys")
    assert s.sqlalchemy_url == f"sqlite:///{(root / 'openceir.sqlite').as_posix()}"
    assert DataPaths(root).root == root


def test_region_toml_round_trips_through_the_reader(tmp_path: Path) -> None:
    region = Region(name='Say "hi"', country_mcc=["901"], country_code="99")
    operators = [Operator(id="one", name="One", mcc_mnc=["90101"])]
    (tmp_path / "openceir.toml").write_text(region_toml(region, operators, comment="test"))
    s = load_settings(environ={}, cwd=tmp_path)
    assert s.region == region and s.operators == operators
    assert (tmp_path / "openceir.toml").read_text().startswith("# test\n")


def test_unknown_operator_lists_known_ones(tmp_path: Path) -> None:
    (tmp_path / "openceir.toml").write_text(TOML)
    s = load_settings(environ={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"'two' is not configured \(known: one\)"):
        s.operator("two")


DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def _tables(annotation: object) -> list[type[BaseModel]]:
    """The pydantic models inside a field's type (`X`, `X | None`, `list[X]`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _tables(arg)]


def setting_names(model: type[BaseModel] = Settings, prefix: str = "") -> list[str]:
    """Every setting as its dotted name: `data_dir`, `region.name`, `ingest.thresholds`, ..."""
    names = []
    for name, field in model.model_fields.items():
        names.append(prefix + name)
        for table in _tables(field.annotation):
            names += setting_names(table, f"{prefix}{name}.")
    return names


def documented(text: str) -> set[str]:
    """Names in backticks on the Markdown headings of `text`."""
    return {
        name
        for line in text.splitlines()
        if line.startswith("#")
        for name in re.findall(r"`([^`]+)`", line)
    }


def test_every_setting_has_a_docs_heading() -> None:
    names = setting_names()
    assert {"data_dir", "region.country_mcc", "operators.mcc_mnc", "ingest.threads"} <= set(names)
    missing = [n for n in names if n not in documented(DOCS.read_text(encoding="utf-8"))]
    assert missing == [], f"settings without a heading in docs/configuration.md: {missing}"


def test_the_docs_check_notices_an_undocumented_setting() -> None:
    class Extra(BaseModel):
        colour: str = "red"

    class Wider(Settings):
        extra: Extra = Extra()

    assert "extra.colour" in setting_names(Wider)
    assert "extra.colour" not in documented(DOCS.read_text(encoding="utf-8"))
    assert documented("## `a.b` and `c`\ntext `d`\n") == {"a.b", "c"}
