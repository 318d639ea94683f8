"""Settings: the one configuration object, validated by pydantic and passed down explicitly.

Precedence, highest first: explicit overrides (`load_settings(**overrides)`), then the
environment (`OPENCEIR_<NAME>`, nested tables as `OPENCEIR_<TABLE>__<KEY>`), then the config
file, then the defaults. The config file is read from `OPENCEIR_CONFIG`, else
`./openceir.toml`, else `<data dir>/openceir.toml`. No other module reads the environment or
the file; `Settings(...)` itself reads neither. `settings.paths` is the one place that knows
the data-dir layout. The country and its operators are configuration (docs/architecture.md,
"Where state lives"), as in DIRBS's `region` section.

Adding a setting: a field on `Settings` (a scalar) or a `BaseModel` table for a group (as
`IngestSettings`), with a one-line docstring, and a heading in docs/configuration.md (a test
fails without one).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from openceir.errors import ConfigError

CONFIG_FILE_NAME = "openceir.toml"
DEFAULT_DATA_DIR = Path("ceir-data")
ENV_PREFIX = "OPENCEIR_"


@dataclass(frozen=True)
class DataPaths:
    """Where each kind of state lives inside the data dir: the one place that knows the layout.

    >>> DataPaths(Path("/srv/ceir")).lake.as_posix()
    '/srv/ceir/lake'
    """

    root: Path

    @property
    def store(self) -> Path:
        """The embedded SQLite store (when no `database_url` is set)."""
        return self.root / "openceir.sqlite"

    @property
    def config(self) -> Path:
        """The config file inside the data dir (`openceir demo` writes one)."""
        return self.root / CONFIG_FILE_NAME

    @property
    def lake(self) -> Path:
        """Network data: Parquet observations by operator and month, with a manifest."""
        return self.root / "lake"

    @property
    def lists(self) -> Path:
        """Signed output list runs, one folder per run."""
        return self.root / "lists"

    @property
    def snapshot(self) -> Path:
        """EIR snapshots (Arrow IPC) and the `current` pointer."""
        return self.root / "eir"

    @property
    def ledger(self) -> Path:
        """The IMEI ledger: Merkle log tiles, checkpoints, participants."""
        return self.root / "ledger"

    @property
    def reports(self) -> Path:
        """Per-run report facts (Parquet) that reports and charts are computed from."""
        return self.root / "reports"

    @property
    def keys(self) -> Path:
        """Private and public keys: the list-signing key, the CEIR's ledger key."""
        return self.root / "keys"

    @property
    def list_key(self) -> Path:
        """The CEIR's Ed25519 list-signing key (private)."""
        return self.keys / "ceir.key"

    @property
    def list_vkey(self) -> Path:
        """The public half of the list-signing key, published for operators."""
        return self.keys / "ceir.vkey"

    @property
    def ledger_key(self) -> Path:
        """The CEIR's own ledger participant key (private), which signs its events."""
        return self.keys / "ledger-ceir.skey"

    @property
    def oauth_clients(self) -> Path:
        """OAuth2 client credentials for the web API and N5g-eir."""
        return self.root / "oauth-clients.toml"

    @property
    def incoming(self) -> Path:
        """Files waiting to be imported (`openceir simulate` and the demo write here)."""
        return self.root / "incoming"

    @property
    def locks(self) -> Path:
        """Lock files that serialise writers (one per import kind)."""
        return self.root / "locks"

    @property
    def classify_lock(self) -> Path:
        """The lock that allows one classification run at a time."""
        return self.root / "classify.lock"

    @property
    def logs(self) -> Path:
        """Output of servers started by `openceir demo --serve`."""
        return self.root / "logs"


class Operator(BaseModel):
    """A mobile network operator of the country, known by a short id."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    name: str
    mcc_mnc: list[str] = Field(default_factory=list)

    @field_validator("mcc_mnc")
    @classmethod
    def _digits(cls, values: list[str]) -> list[str]:
        for value in values:
            if not (value.isascii() and value.isdigit() and len(value) in (5, 6)):
                raise ValueError(f"mcc_mnc {value!r} must be 5 or 6 digits (MCC + MNC)")
        return values


class Region(BaseModel):
    """The country the CEIR serves: its MCCs and calling code."""

    name: str = "Examplestan"
    country_mcc: list[str] = Field(default_factory=lambda: ["639"])
    country_code: str = "254"

    @field_validator("country_mcc")
    @classmethod
    def _mcc(cls, values: list[str]) -> list[str]:
        for value in values:
            if not (value.isascii() and value.isdigit() and len(value) == 3):
                raise ValueError(f"country_mcc {value!r} must be 3 digits")
        return values


# --- [notify] and [cases] (cases lane): message channels, one-time codes, case handling ---


class SmtpSettings(BaseModel):
    """An SMTP relay for e-mail (stdlib smtplib)."""

    host: str
    port: int = 25
    sender: str = "openceir@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0


class SmsWebhookSettings(BaseModel):
    """An SMS gateway reached by an HTTP POST of JSON `{to, text, id}`."""

    url: str = Field(pattern=r"^https?://")
    token: str | None = None
    """Sent as `Authorization: Bearer <token>` when set."""
    timeout: float = 10.0


class NotifySettings(BaseModel):
    """How messages leave: SMS and e-mail channels (console when unset), codes and retries."""

    language: str = "en"
    templates_dir: Path | None = None
    """A folder of `<lang>/<template>.txt` files tried before the built-in ones."""
    smtp: SmtpSettings | None = None
    sms_webhook: SmsWebhookSettings | None = None
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=20, ge=1)
    otp_length: int = Field(default=6, ge=4, le=10)
    otp_ttl_seconds: int = Field(default=600, ge=30)
    otp_max_attempts: int = Field(default=5, ge=1)
    otp_max_sends: int = Field(default=3, ge=1)
    otp_resend_seconds: int = Field(default=30, ge=0)
    """Least time between two sends of a code to the same address."""


class CasesSettings(BaseModel):
    """Lost/stolen case handling: the new user's message, tracing, ledger posting."""

    new_user_template: str = "case_new_user"
    trace_poll_seconds: float = Field(default=5.0, gt=0)
    ledger_key: Path | None = None
    """A ledger participant's private key file; reports and recoveries are posted when set."""
    stations: dict[str, str] = Field(default_factory=dict)
    """Police station id -> its e-mail address or MSISDN, told of trace alerts."""
    station_regions: dict[str, str] = Field(default_factory=dict)
    """Police station id -> region id (nodal officers see a region's cases)."""
    reports_per_hour_per_address: int = Field(default=10, ge=1)


class RegistrySettings(BaseModel):
    """Device registration and Know Your Mobile (registry lane, issue 14)."""

    passport_key: str | None = Field(default=None, repr=False)
    """Secret HMAC key for travellers' passport numbers; traveller registration needs it."""
    traveller_days: int = Field(default=30, ge=1, le=365)
    traveller_devices_per_passport: int = Field(default=2, ge=1)
    """Devices one passport may register per rolling year (Pakistan's traveller misuse)."""
    grace_days: int = Field(default=60, ge=0)
    max_upload_imeis: int = Field(default=1_000_000, ge=1)
    quotas: dict[str, int] = Field(
        default_factory=lambda: {"individual": 5, "importer": 1_000_000,
                                 "manufacturer": 1_000_000, "exporter": 1_000_000}
    )  # fmt: skip
    """IMEIs per request, per applicant role."""


_MEMORY = re.compile(r"^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$")


class IngestSettings(BaseModel):
    """`[ingest]`: the DuckDB limits for operator imports and per-check thresholds."""

    threads: int = 2
    """DuckDB threads for staging an operator dump (1 to 256)."""
    memory_limit: str = "512MB"
    """DuckDB memory limit (DuckDB syntax: 300MB, 1GB); beyond it DuckDB spills to disk."""
    thresholds: dict[str, float] = Field(default_factory=dict)
    """`[ingest.thresholds]`: check name = threshold, over the defaults of `ingest.checks`."""

    @field_validator("threads", mode="before")
    @classmethod
    def _threads(cls, value: Any) -> Any:
        number = int(value) if isinstance(value, str) and value.strip().isdigit() else value
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 256:
            raise ValueError("expected 1 to 256")
        return number

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        if not _MEMORY.match(value.strip()):
            raise ValueError('expected e.g. "512MB"')
        return value.strip()

    @field_validator("thresholds", mode="before")
    @classmethod
    def _numbers(cls, table: Any) -> Any:
        if not isinstance(table, dict):
            raise ValueError("must be a table of check name = number")
        for name, value in table.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"{name} = {value!r}; expected a number")
        return table


class Settings(BaseSettings):
    """Everything configurable; built by `load_settings` and passed down explicitly."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = DEFAULT_DATA_DIR
    """Where the store (SQLite), lake, lists, snapshots, ledger and keys live (`paths`)."""
    database_url: str | None = None
    """The operational store; unset: a SQLite file in the data dir."""
    config_file: Path | None = None
    """The config file these settings were read from (set by `load_settings`)."""
    region: Region = Field(default_factory=Region)
    """`[region]`: the country's name, MCCs and calling code."""
    operators: list[Operator] = Field(default_factory=list)
    """`[[operators]]`: the country's operators."""
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    """`[ingest]`: import limits and check thresholds."""
    handle_prefix: str = Field(default="21.T99999", pattern=r"^[0-9]+(\.[0-9A-Za-z]+)*$")
    """The Handle prefix under which identifier records resolve."""
    public_url: str = "http://127.0.0.1:8000"
    """The address users reach this CEIR at; used in links inside records."""
    spark_master: str = "local[2]"
    """Where `classify --engine spark` runs: `local[N]` or a cluster master URL."""
    notify: NotifySettings = Field(default_factory=NotifySettings)
    cases: CasesSettings = Field(default_factory=CasesSettings)
    registry: RegistrySettings = Field(default_factory=RegistrySettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Only what is passed in: `load_settings` layers file, environment and overrides.
        return (init_settings,)

    @field_validator("operators")
    @classmethod
    def _unique_ids(cls, operators: list[Operator]) -> list[Operator]:
        seen: set[str] = set()
        for op in operators:
            if op.id in seen:
                raise ValueError(f"operator id {op.id!r} is configured twice")
            seen.add(op.id)
        return operators

    @property
    def paths(self) -> DataPaths:
        """Where each kind of state lives under `data_dir`."""
        return DataPaths(self.data_dir)

    @property
    def sqlalchemy_url(self) -> str:
        """The store's URL: `database_url`, else a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.paths.store.as_posix()}"

    def operator(self, operator_id: str) -> Operator:
        """The configured operator with this id, or a ConfigError naming the known ones."""
        for op in self.operators:
            if op.id == operator_id:
                return op
        known = ", ".join(op.id for op in self.operators) or "none configured"
        raise ConfigError(
            f"operator {operator_id!r} is not configured (known: {known}); "
            f"add it under [[operators]] in {CONFIG_FILE_NAME}"
        )


def find_config_file(
    environ: Mapping[str, str], cwd: Path, data_dir: Path | None = None
) -> Path | None:
    """Where the config file is: OPENCEIR_CONFIG, ./openceir.toml, or <data dir>/openceir.toml."""
    explicit = environ.get("OPENCEIR_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"OPENCEIR_CONFIG names {path}, which is not a file")
        return path
    local = cwd / CONFIG_FILE_NAME
    if local.is_file():
        return local
    if data_dir is None:
        data_dir = Path(environ.get("OPENCEIR_DATA_DIR", DEFAULT_DATA_DIR))
    if not data_dir.is_absolute():
        data_dir = cwd / data_dir
    in_data = DataPaths(data_dir).config
    return in_data if in_data.is_file() else None


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse a TOML config file, or raise a ConfigError naming the file and the problem."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def to_toml(data: Mapping[str, Any], comment: str | None = None) -> str:
    """The one TOML writer: `data` (plain values, tables, arrays of tables) as a config file.

    >>> print(to_toml({"region": {"name": "X"}}, comment="made up"), end="")
    # made up
    [region]
    name = "X"
    """
    header = "".join(f"# {line}\n" for line in comment.splitlines()) if comment else ""
    return header + tomli_w.dumps(_plain(data))


def _plain(value: Any) -> Any:
    """`value` with models turned into dicts, paths into strings and None dropped (for TOML)."""
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value


def region_toml(region: Region, operators: list[Operator], comment: str | None = None) -> str:
    """A config file declaring a country and its operators (what demo and simulate write)."""
    return to_toml({"region": region, "operators": operators}, comment)


class _EnvironSource(EnvSettingsSource):
    """The `OPENCEIR_*` variables of a given mapping (tests pass a dict), not `os.environ`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self._environ.items() if k.startswith(ENV_PREFIX)}


def _merge(base: dict[str, Any], top: Mapping[str, Any]) -> dict[str, Any]:
    """`base` updated by `top`, table by table (a nested key in `top` wins, others stay)."""
    out = dict(base)
    for key, value in top.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _error(exc: ValidationError, path: Path | None) -> ConfigError:
    """One line naming the file, the setting, the value and what was expected."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = first["msg"].removeprefix("Value error, ")
    origin = f"{path}: " if path else ""
    if re.match(r"^\w+ = ", message):  # a table's validator named the key and value
        return ConfigError(f"{origin}setting {where}.{message}")
    return ConfigError(f"{origin}setting {where} = {first.get('input')!r}; {message}")


def load_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings: explicit overrides over the environment over the config file."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    env_values = _EnvironSource(Settings, environ)()
    data_dir = overrides.get("data_dir", env_values.get("data_dir"))
    path = find_config_file(environ, cwd, Path(data_dir) if data_dir else None)
    data: dict[str, Any] = read_config_file(path) if path else {}
    data = _merge(_merge(data, env_values), overrides)
    if path:
        data["config_file"] = path
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise _error(exc, path) from None
    if not settings.data_dir.is_absolute():
        settings.data_dir = cwd / settings.data_dir
    return settings


__all__ = [
    "CasesSettings",
    "DataPaths",
    "IngestSettings",
    "NotifySettings",
    "Operator",
    "Region",
    "RegistrySettings",
    "Settings",
    "SmsWebhookSettings",
    "SmtpSettings",
    "find_config_file",
    "load_settings",
    "read_config_file",
    "region_toml",
    "to_toml",
]
