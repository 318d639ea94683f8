"""`simulate`: layout, headers and formats of every file, determinism, streaming, errors."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import re
import zipfile
from pathlib import Path

import pytest
from stdnum import luhn

from openceir.errors import ConfigError, InputError
from openceir.settings import Operator, Region, Settings, load_settings
from openceir.simulate import engine as engine_module
from openceir.simulate import simulate
from tests.simulate.conftest import DAYS, START, read_csv

CODES = {"001", "002", "006", "008", "009", "010"}
WORDS = {"2G", "3G", "4G", "5G"}


def _digests(out: Path) -> dict[str, str]:
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def _small(out: Path, **kwargs) -> None:
    args = {"subscribers": 600, "days": 4, "start": START, "seed": 3, "fmt": "csv"}
    args.update(kwargs)
    simulate([], out, **args)


def test_layout_has_one_dump_per_operator_per_day(simulated) -> None:
    out = simulated.out
    for op in ("alpha", "beta", "gamma"):
        names = sorted(p.name for p in (out / "operators" / op).iterdir())
        days = [(START + dt.timedelta(days=d)).strftime("%Y%m%d") for d in range(DAYS)]
        assert names == [f"{op}_{d}_{d}.csv" for d in days]
    for name in ("tac_catalog.csv", "stolen.csv", "registration.csv", "pairing.csv"):
        assert (out / name).is_file()
    assert simulated.summary.rows["operator_dump"] == len(simulated.rows)


def test_dump_headers_follow_each_operator_profile(simulated) -> None:
    headers = {
        op: (simulated.out / "operators" / op).glob("*.csv").__next__().read_text().split("\n")[0]
        for op in ("alpha", "beta", "gamma")
    }
    assert headers["alpha"] == "date,imei,imsi,msisdn,rat,imeisv,cell,lat,lon,time"
    assert headers["beta"] == "date,imei,imsi,msisdn,rat,cell,lat,lon,time"
    assert headers["gamma"] == "date,imei,imsi,msisdn,rat"


def test_every_dump_row_is_well_formed(simulated) -> None:
    for r in simulated.rows:
        day = r["file"].split("_")[1]
        assert r["date"] == day
        assert r["imsi"].isdigit() and len(r["imsi"]) == 15
        assert r["msisdn"].isdigit() and 11 <= len(r["msisdn"]) <= 15
        tokens = set(r["rat"].split("|"))
        assert tokens <= (WORDS if r["operator"] == "gamma" else CODES), r
        if r["operator"] != "gamma":
            assert r["cell"].isdigit()
            assert -6 < float(r["lat"]) < 6 and 32 < float(r["lon"]) < 43
            assert re.fullmatch(r"\d\d:\d\d:\d\d", r["time"])


def test_numeric_imeis_have_valid_check_digits_and_imeisv_matches(simulated) -> None:
    fifteen = [r["imei"] for r in simulated.rows if len(r["imei"]) == 15 and r["imei"].isdigit()]
    assert len(fifteen) > 1000
    assert all(luhn.is_valid(i) for i in fifteen)
    sixteen = [r for r in simulated.rows if len(r["imei"]) == 16]
    assert sixteen and all(r["operator"] == "beta" for r in sixteen)
    with_sv = [r for r in simulated.rows if r.get("imeisv")]
    assert with_sv and all(r["imeisv"][:14] == r["imei"][:14] for r in with_sv)


def test_catalog_is_gsma_pipe_format(simulated) -> None:
    lines = (simulated.out / "tac_catalog.csv").read_text().splitlines()
    assert lines[0] == (
        "TAC|Manufacturer|Model_Name|Bands|Allocation_Date|Device_Type|Brand_Name|"
        "Operating_System|Radio_Interface"
    )
    fields = [line.split("|") for line in lines[1:]]
    assert all(len(f) == 9 for f in fields)
    tacs = [f[0] for f in fields]
    assert len(set(tacs)) == len(tacs) and all(re.fullmatch(r"\d{8}", t) for t in tacs)
    types = {f[5] for f in fields}
    assert types == {"Smartphone", "Feature Phone", "Modem", "IoT Device", "Tablet"}
    assert all(dt.date.fromisoformat(f[4]) < START for f in fields)
    assert any(f[3] == "GSM 850,GSM 900,GSM 1800,GSM 1900" for f in fields), "2G-only phones"
    assert any("NR n78" in f[3] for f in fields) and any("GSM" not in f[3] for f in fields)


def test_lists_have_dirbs_columns_and_valid_imeis(simulated) -> None:
    out = simulated.out
    registration = read_csv(out / "registration.csv")
    assert list(registration[0]) == [
        "approved_imei", "make", "model", "status", "model_number", "brand_name",
        "device_type", "radio_interface", "device_id",
    ]  # fmt: skip
    assert all(luhn.is_valid(r["approved_imei"]) for r in registration)
    registered = {r["approved_imei"] for r in registration}
    assert all(c["imei"] in registered for c in simulated.truth("clones"))
    assert not registered & {c["imei"] for c in simulated.truth("counterfeit_unallocated_tac")}
    stolen = read_csv(out / "stolen.csv")
    assert list(stolen[0]) == ["imei", "reporting_date", "status"]
    assert {s["status"] for s in stolen} <= {"", "stolen"}
    first, last = START - dt.timedelta(days=365), START + dt.timedelta(days=DAYS - 1)
    dates = [dt.datetime.strptime(s["reporting_date"], "%Y%m%d").date() for s in stolen]
    assert all(first <= d <= last for d in dates)
    old = {s["imei"] for s, d in zip(stolen, dates, strict=True) if d < START}
    assert len(old) > len(stolen) / 2, "most of a stolen list is history"
    assert not old & {r["imei"] for r in simulated.rows}, "old thefts are never seen again"
    pairing = read_csv(out / "pairing.csv")
    assert pairing and list(pairing[0]) == ["imei", "imsi", "msisdn"]


def test_made_up_operators_come_with_a_loadable_config(simulated) -> None:
    config = simulated.out / "openceir.toml"
    assert simulated.summary.config_written == config
    settings = load_settings(environ={"OPENCEIR_CONFIG": str(config)}, cwd=simulated.out)
    assert [op.id for op in settings.operators] == ["alpha", "beta", "gamma"]
    assert settings.operator("beta").mcc_mnc == ["63902"]


def test_configured_operators_are_used_and_no_config_is_written(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        region=Region(name="Testland", country_mcc=["610"], country_code="44"),
        operators=[Operator(id="one", name="One", mcc_mnc=["61010"])],
    )
    summary = simulate(settings, tmp_path / "out", subscribers=300, days=2, start=START, seed=1)
    assert summary.config_written is None and not (tmp_path / "out" / "openceir.toml").exists()
    rows = read_csv(tmp_path / "out" / "operators" / "one" / "one_20261101_20261101.csv")
    assert rows and all(r["imsi"].startswith("61010") for r in rows if r["imsi"][:3] == "610")
    assert any(r["msisdn"].startswith("44") for r in rows)
    roamers = read_csv(tmp_path / "out" / "truth" / "roamers.csv")
    assert {r["kind"] for r in roamers} == {"inbound"}, "one operator: no national roaming"


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    _small(tmp_path / "a", fmt="zip")
    _small(tmp_path / "b", fmt="zip")
    _small(tmp_path / "c", fmt="zip", seed=4)
    first, again, other = (_digests(tmp_path / x) for x in "abc")
    assert first == again
    assert first.keys() == other.keys()
    assert (
        first["operators/alpha/alpha_20261101_20261101.zip"]
        != (other["operators/alpha/alpha_20261101_20261101.zip"])
    )


def test_passes_over_chunks_do_not_change_the_output(tmp_path: Path, monkeypatch) -> None:
    _small(tmp_path / "one_pass")
    monkeypatch.setattr(engine_module, "MAX_OPEN_FILES", 3)  # one day per pass
    _small(tmp_path / "many_passes")
    assert _digests(tmp_path / "one_pass") == _digests(tmp_path / "many_passes")


def test_zip_holds_exactly_one_csv_and_gzip_the_same_bytes(tmp_path: Path) -> None:
    _small(tmp_path / "csv")
    _small(tmp_path / "gz", fmt="csv.gz")
    _small(tmp_path / "zip", fmt="zip")
    stem = "operators/beta/beta_20261102_20261102"
    plain = (tmp_path / "csv" / f"{stem}.csv").read_bytes()
    with zipfile.ZipFile(tmp_path / "zip" / f"{stem}.zip") as zf:
        assert zf.namelist() == ["beta_20261102_20261102.csv"]
        assert zf.read("beta_20261102_20261102.csv") == plain
    assert gzip.decompress((tmp_path / "gz" / f"{stem}.csv.gz").read_bytes()) == plain
    with zipfile.ZipFile(tmp_path / "zip" / "stolen.zip") as zf:
        assert zf.namelist() == ["stolen.csv"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"days": 0}, "days"),
        ({"subscribers": 0}, "subscribers"),
        ({"seed": -1}, "seed"),
        ({"fmt": "xlsx"}, "format"),
    ],
)
def test_bad_parameters_are_input_errors(tmp_path: Path, kwargs, field) -> None:
    with pytest.raises(InputError) as caught:
        _small(tmp_path, **kwargs)
    assert caught.value.field == field
    assert not (tmp_path / "operators").exists()


def test_a_single_subscriber_still_makes_every_file(tmp_path: Path) -> None:
    summary = simulate([], tmp_path, subscribers=1, days=1, start=START, seed=0)
    assert summary.rows["operator_dump"] == 1
    assert len(list((tmp_path / "operators").rglob("*.csv"))) == 3
    assert summary.rows["tac_catalog"] > 100 and (tmp_path / "truth" / "clones.csv").is_file()


def test_a_country_code_that_is_not_digits_is_a_config_error(tmp_path: Path) -> None:
    settings = Settings(region=Region(country_code="+254"))
    with pytest.raises(ConfigError, match="country_code '\\+254' must be digits"):
        simulate(settings, tmp_path, subscribers=10, days=1, start=START)
    assert not (tmp_path / "operators").exists()


def test_an_output_path_that_is_a_file_is_an_input_error(tmp_path: Path) -> None:
    blocker = tmp_path / "taken"
    blocker.write_text("not a directory")
    with pytest.raises(InputError, match="cannot write") as caught:
        simulate([], blocker, subscribers=10, days=1, start=START)
    assert caught.value.field == "out"
    assert blocker.read_text() == "not a directory"


def test_operators_given_as_a_list_get_a_config_snippet(tmp_path: Path) -> None:
    ops = [Operator(id="solo", name="Solo", mcc_mnc=["63907"])]
    summary = simulate(ops, tmp_path, subscribers=50, days=1, start=START)
    assert summary.config_written == tmp_path / "openceir.toml"
    settings = load_settings(environ={"OPENCEIR_CONFIG": str(summary.config_written)}, cwd=tmp_path)
    assert [(op.id, op.mcc_mnc) for op in settings.operators] == [("solo", ["63907"])]
