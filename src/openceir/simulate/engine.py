"""`simulate`: write a synthetic national network's operator dumps, registers and truth.

Layout under the output directory:

    openceir.toml                       region and operators (only when none are configured)
    tac_catalog.csv                     GSMA pipe format
    stolen.csv, registration.csv, pairing.csv   DIRBS list formats (architecture §5)
    operators/<op>/<op>_<YYYYMMDD>_<YYYYMMDD>.csv   one dump per operator per day
    truth/<phenomenon>.csv              what was injected, to check classification against

Subscribers are generated in chunks, each from its own seed, and day files are written
chunk by chunk, so memory stays flat however many subscribers there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from openceir.errors import ConfigError, InputError
from openceir.settings import CONFIG_FILE_NAME, Operator, Region, Settings
from openceir.simulate.catalog import GSMA_HEADER
from openceir.simulate.files import FORMATS, TableWriter
from openceir.simulate.network import made_up_operators, profiles, region_config
from openceir.simulate.numbering import MAX_SUBSCRIBERS
from openceir.simulate.population import CLONE_VARIANTS, build_chunk
from openceir.simulate.rates import Rates
from openceir.simulate.registers import REGISTRATION_COLUMNS
from openceir.simulate.traffic import day_lines, leading_zero_day
from openceir.simulate.truth import TRUTH_COLUMNS
from openceir.simulate.world import CHUNK_SIZE, World, build_world

MAX_OPEN_FILES = 240  # day files open at once; longer runs pass over the chunks again
Progress = Callable[[int, int], None]


@dataclass
class SimulationSummary:
    """What a simulation wrote: files, rows per kind of file, rows per truth file."""

    out: Path
    operators: tuple[str, ...]
    start: dt.date
    days: int
    subscribers: int
    seed: int
    fmt: str
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    truth: dict[str, int] = field(default_factory=dict)
    config_written: Path | None = None


def _resolve_operators(
    settings_or_operators: Settings | Sequence[Operator],
) -> tuple[Region, list[Operator], bool]:
    """Region, operators, and whether they need a config snippet (they are not configured).

    Settings with operators are used as configured; a bare list of operators, or none at
    all (then three made-up ones), gets the default region and an `openceir.toml`.
    """
    if isinstance(settings_or_operators, Settings):
        region, operators = settings_or_operators.region, list(settings_or_operators.operators)
        configured = bool(operators)
    else:
        region, operators, configured = Region(), list(settings_or_operators), False
    if not (region.country_code.isascii() and region.country_code.isdigit()):
        raise ConfigError(
            f'region country_code {region.country_code!r} must be digits (e.g. "254")'
        )
    return region, operators or made_up_operators(), not configured


def _check(subscribers: int, days: int, seed: int, fmt: str) -> None:
    if not 1 <= subscribers <= MAX_SUBSCRIBERS:
        raise InputError(
            f"{subscribers} subscribers, expected 1 to {MAX_SUBSCRIBERS:,}", field="subscribers"
        )
    if not 1 <= days <= 3660:
        raise InputError(f"{days} days, expected 1 to 3660", field="days")
    if seed < 0:
        raise InputError(f"seed {seed} is negative, expected 0 or more", field="seed")
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}, expected one of {', '.join(FORMATS)}", field="format")


def simulate(
    settings_or_operators: Settings | Sequence[Operator],
    out: Path,
    *,
    subscribers: int,
    days: int,
    start: dt.date,
    seed: int = 0,
    fmt: str = "csv",
    rates: Rates | None = None,
    progress: Progress | None = None,
    clone_variants: Sequence[str] = ("classic",),
) -> SimulationSummary:
    """Simulate `days` days of a national network from `start`; same arguments, same bytes.

    Operators come from `settings_or_operators`: configured Settings are used as they are;
    a list of operators, or no operators (three made-up ones), also gets `<out>/openceir.toml`
    declaring them, so the files can be imported.

    `clone_variants` names the variants cloned IMEIs are drawn from (population.CLONE_VARIANTS).
    `progress(done, total)` is called with subscriber-days done. Existing files of the same
    names under `out` are overwritten; nothing else there is touched.
    """
    _check(subscribers, days, seed, fmt)
    unknown = sorted(set(clone_variants) - set(CLONE_VARIANTS)) or (
        ["(none)"] if not clone_variants else []
    )
    if unknown:
        raise InputError(
            f"clone variant {', '.join(unknown)} unknown, expected some of "
            f"{', '.join(CLONE_VARIANTS)}",
            field="clone_variants",
        )
    rates = rates or Rates()
    region, operators, made_up = _resolve_operators(settings_or_operators)
    world = build_world(
        seed=seed,
        start=start,
        days=days,
        subscribers=subscribers,
        rates=rates,
        operators=profiles(operators),
        country_code=region.country_code,
        clone_variants=tuple(clone_variants),
    )
    summary = SimulationSummary(
        out=out,
        operators=tuple(op.id for op in operators),
        start=start,
        days=days,
        subscribers=subscribers,
        seed=seed,
        fmt=fmt,
    )
    try:
        _write_all(
            world,
            out,
            fmt,
            summary,
            progress,
            region_config(region, operators) if made_up else None,
        )
    except OSError as exc:
        where = exc.filename or out
        raise InputError(f"cannot write {where}: {exc.strerror or exc}", field="out") from None
    return summary


def _write_all(
    world: World,
    out: Path,
    fmt: str,
    summary: SimulationSummary,
    progress: Progress | None,
    config_text: str | None,
) -> None:
    """Write every file; writers are closed (and compressed files finished) even on error."""
    out.mkdir(parents=True, exist_ok=True)
    if config_text is not None:
        config = out / CONFIG_FILE_NAME
        config.write_text(config_text, encoding="utf-8")
        summary.config_written = config
        summary.files.append(config)
    with ExitStack() as stack:
        catalog = stack.enter_context(TableWriter(out, "tac_catalog", fmt, GSMA_HEADER))
        catalog.write_text(world.catalog.rows())
        lists = {
            name: stack.enter_context(TableWriter(out, name, fmt, header))
            for name, header in (
                ("stolen", "imei,reporting_date,status"),
                ("registration", ",".join(REGISTRATION_COLUMNS)),
                ("pairing", "imei,imsi,msisdn"),
            )
        }
        truth = {
            name: stack.enter_context(TableWriter(out / "truth", name, "csv", ",".join(columns)))
            for name, columns in TRUTH_COLUMNS.items()
        }
        dump_rows = _write_dumps(world, out, fmt, lists, truth, summary, progress)
    summary.files.append(catalog.path)
    summary.rows = {"operator_dump": dump_rows, "tac_catalog": catalog.rows}
    for name, writer in lists.items():
        summary.files.append(writer.path)
        summary.rows[name] = writer.rows
    for name, writer in truth.items():
        summary.files.append(writer.path)
        summary.truth[name] = writer.rows


def _write_dumps(
    world: World,
    out: Path,
    fmt: str,
    lists: dict[str, TableWriter],
    truth: dict[str, TableWriter],
    summary: SimulationSummary,
    progress: Progress | None,
) -> int:
    """Write every operator-day file, passing over the chunks once per window of days."""
    n_ops = len(world.operators)
    window = max(1, MAX_OPEN_FILES // n_ops)
    total = world.subscribers * world.days
    done = 0
    rows = 0
    fault = leading_zero_day(world)
    expected = world.subscribers * 1.2 * 130 / max(1, n_ops)  # bytes per operator-day, roughly
    for first in range(0, world.days, window):
        span = range(first, min(world.days, first + window))
        with ExitStack() as stack:
            writers = {
                (k, d): stack.enter_context(
                    TableWriter(
                        out / "operators" / op.id,
                        f"{op.id}_{world.dates[d]}_{world.dates[d]}",
                        fmt,
                        ",".join(op.columns),
                        large=expected > 1.5e9,
                    )
                )
                for k, op in enumerate(world.operators)
                for d in span
            }
            for chunk in range(world.n_chunks):
                part = build_chunk(world, chunk)
                if first == 0:
                    lists["registration"].write_line_array(part.registration)
                    lists["pairing"].write_table(part.pairing)
                    lists["stolen"].write_table(part.stolen)
                    for name, lines in part.truth.items():
                        truth[name].write_lines(lines)
                for d in span:
                    lines, losses = day_lines(world, part.streams, chunk, d)
                    for k, body in enumerate(lines):
                        writers[(k, d)].write_line_array(body)
                    if losses and fault is not None:
                        name = writers[fault].path.name
                        truth["leading_zero_loss"].write_lines([(name, *x) for x in losses])
                done += min(CHUNK_SIZE, world.subscribers - chunk * CHUNK_SIZE) * len(span)
                if progress:
                    progress(done, total)
        for writer in writers.values():
            rows += writer.rows
            summary.files.append(writer.path)
    return rows
