"""Settings: environment variables over an optional `openceir.toml`, validated by pydantic.

The config file is read from `OPENCEIR_CONFIG`, else `./openceir.toml`, else
`<data dir>/openceir.toml`. The country and its operators are configuration (DESIGN §4),
as in DIRBS's `region` section.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from openceir.errors import ConfigError

CONFIG_FILE_NAME = "openceir.toml"
DEFAULT_DATA_DIR = Path("ceir-data")


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


# --- [eir] (eir lane): the real-time EIR servers ---


class EirSettings(BaseModel):
    """`openceir eir serve` (N5g-eir) and `openceir eir s13`: snapshot, policy, events, limits.

    Every worker process of the N5g-eir server reads these through `load_settings` like any
    command (the parent hands its resolved `[eir]` table down as `OPENCEIR_EIR`, JSON).
    """

    snapshot_dir: Path | None = None
    """The snapshot root [default: `<data dir>/eir`]."""
    restrictive: bool = False
    """Whitelist mode: unregistered equipment is not WHITELISTED."""
    unknown: Literal["not-found", "greylisted", "blacklisted"] = "not-found"
    """The answer for unregistered equipment in restrictive mode."""
    oauth_clients: Path | None = None
    """A TOML file of OAuth2 clients; enables OAuth2 on N5g-eir."""
    events: bool = True
    """Record check events (with a SIM identity) in the lake."""
    server: Literal["granian", "hypercorn"] | None = None
    """The ASGI server for N5g-eir [default: granian when installed, else hypercorn]."""
    reload_seconds: float = Field(default=1.0, gt=0)
    """How often a worker looks at the snapshot's `current` pointer and overlay."""
    flush_seconds: float = Field(default=1.0, gt=0)
    """Longest time a check event waits in memory before it is written to the lake."""
    s13_write_high_water: int = Field(default=256 * 1024, ge=1024)
    """S13: stop reading a peer while this many answer bytes wait to be sent to it."""
    s13_write_limit: int = Field(default=8 * 1024 * 1024, ge=4096)
    """S13: drop a peer that lets this many answer bytes pile up unread."""


class Settings(BaseSettings):
    """Everything configurable; read once at start-up and passed down explicitly."""

    model_config = SettingsConfigDict(env_prefix="OPENCEIR_", extra="ignore")

    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None
    config_file: Path | None = None
    region: Region = Field(default_factory=Region)
    operators: list[Operator] = Field(default_factory=list)
    handle_prefix: str = Field(default="21.T99999", pattern=r"^[0-9]+(\.[0-9A-Za-z]+)*$")
    public_url: str = "http://127.0.0.1:8000"
    spark_master: str = "local[2]"
    """Where `classify --engine spark` runs: `local[N]` or a cluster master URL."""
    notify: NotifySettings = Field(default_factory=NotifySettings)
    cases: CasesSettings = Field(default_factory=CasesSettings)
    eir: EirSettings = Field(default_factory=EirSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the config file, which arrives as init kwargs.
        return (env_settings, init_settings)

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
    def sqlalchemy_url(self) -> str:
        """The store's URL: OPENCEIR_DATABASE_URL, else a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'openceir.sqlite').as_posix()}"

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


def find_config_file(environ: Mapping[str, str], cwd: Path) -> Path | None:
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
    data_dir = Path(environ.get("OPENCEIR_DATA_DIR", DEFAULT_DATA_DIR))
    if not data_dir.is_absolute():
        data_dir = cwd / data_dir
    in_data = data_dir / CONFIG_FILE_NAME
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


def load_settings(
    environ: Mapping[str, str] | None = None, cwd: Path | None = None, **overrides: Any
) -> Settings:
    """Build the settings from the environment, the config file and explicit overrides."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    path = find_config_file(environ, cwd)
    data: dict[str, Any] = read_config_file(path) if path else {}
    data.update(overrides)
    if path:
        data["config_file"] = path
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        origin = f"{path}: " if path else ""
        raise ConfigError(f"{origin}setting {where}: {first['msg']}") from None
    if not settings.data_dir.is_absolute():
        settings.data_dir = cwd / settings.data_dir
    return settings


__all__ = [
    "CasesSettings",
    "EirSettings",
    "NotifySettings",
    "Operator",
    "Region",
    "Settings",
    "SmsWebhookSettings",
    "SmtpSettings",
    "find_config_file",
    "load_settings",
]
