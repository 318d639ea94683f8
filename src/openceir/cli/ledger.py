"""`openceir ledger`: the global IMEI ledger (Merkle transparency log) under <data dir>/ledger."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import httpx
import typer

from openceir.cli import _context
from openceir.errors import InputError
from openceir.ledger import federation, witness
from openceir.ledger.entries import sign_event
from openceir.ledger.events import ImeiLedger, verify_ledger
from openceir.ledger.foreign_stolen import sync_foreign_stolen
from openceir.ledger.log import Log, default_origin
from openceir.ledger.participants import ROLES, add_participant
from openceir.ledger.storage import write_atomic
from openceir.store.migrate import current_revision
from openceir.tlog import checkpoint, cosignature, note

app = typer.Typer(
    help="The global IMEI ledger: a signed, append-only Merkle log of IMEI events.",
    no_args_is_help=True,
)
participant_app = typer.Typer(help="Participants who may sign ledger events.", no_args_is_help=True)
app.add_typer(participant_app, name="participant")
peer_app = typer.Typer(help="Other CEIRs' ledgers this one follows.", no_args_is_help=True)
app.add_typer(peer_app, name="peer")
witness_app = typer.Typer(
    help="Witnessing other CEIRs' logs (C2SP tlog-witness).", no_args_is_help=True
)
app.add_typer(witness_app, name="witness")


def ledger_dir() -> Path:
    """The ledger directory of the configured data dir."""
    return _context.settings().paths.ledger


@app.command("init")
def init_cmd(
    origin: str = typer.Option(
        None, help="The log's origin (its key name); default ceir.<region>.example/log."
    ),
) -> None:
    """Create the ledger: an Ed25519 log key (private key mode 0600) and an empty checkpoint.

    Example: openceir ledger init --origin ceir.examplestan.example/log
    """
    origin = origin or default_origin(_context.settings().region.name)
    log = Log.create(ledger_dir(), origin)
    typer.echo(f"Created ledger {origin} in {ledger_dir()}")
    typer.echo(f"Log public key (publish it): {log.verifier.vkey}")


@participant_app.command("add")
def participant_add_cmd(
    name: str = typer.Argument(..., help="The participant's key name, e.g. police.examplestan."),
    role: list[str] = typer.Option(..., "--role", help=f"One of: {', '.join(sorted(ROLES))}."),
    vkey: str = typer.Option(None, help="The participant's public key (C2SP vkey) if it has one."),
    key_out: Path = typer.Option(
        None, help="Generate a key pair and write its private key here (mode 0600)."
    ),
) -> None:
    """Register a participant with roles, by its public key or by a new key pair.

    Example: openceir ledger participant add police.examplestan --role police --key-out police.skey
    """
    if (vkey is None) == (key_out is None):
        raise InputError("give exactly one of --vkey and --key-out", field="vkey")
    if key_out is not None:
        if key_out.exists():
            raise InputError(f"{key_out} exists; refusing to overwrite a private key")
        signer = note.generate_key(name)
        write_atomic(key_out, (signer.skey + "\n").encode(), mode=0o600)
        vkey = signer.verifier.vkey
    if note.parse_vkey(vkey).name != name:
        raise InputError(f"the key is named {note.parse_vkey(vkey).name!r}, not {name!r}")
    participant = add_participant(ledger_dir(), vkey, role)
    roles = ", ".join(sorted(participant.roles))
    typer.echo(f"Participant {participant.name} ({roles}): {vkey}")


def _read_events(source: str) -> list[dict[str, Any]]:
    """Events from a JSON object or a JSONL file (`-` for stdin), with line numbers on error."""
    if source.lstrip().startswith("{"):
        text, name = source, "event"
    elif source == "-":
        text, name = sys.stdin.read(), "stdin"
    else:
        text, name = _read_text(Path(source)), source
    stripped = text.strip()
    if stripped.startswith("{") and "\n{" not in stripped:
        try:
            return [json.loads(stripped)]
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", source=name) from None
    events = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", source=name, line=number) from None
        if not isinstance(event, dict):
            raise InputError("each line must be a JSON object", source=name, line=number)
        events.append(event)
    if not events:
        raise InputError("no events", source=name)
    return events


def _read_text(path: Path) -> str:
    try:
        return path.read_text()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", source=str(path)) from None


@app.command("append")
def append_cmd(
    events: str = typer.Argument(
        ..., help="A JSON event (inline), or a file of JSON or JSONL events; - for stdin."
    ),
    key: Path = typer.Option(..., help="The participant's private key file (skey)."),
) -> None:
    """Sign events with a participant's key and append them as one batch.

    Example: openceir ledger append stolen.jsonl --key police.skey
    where each line is {"type":"reported_stolen","imeis":["352099001761481"],"case":"PS-42"}
    """
    signer = note.parse_skey(_read_text(key))
    batch = []
    for number, event in enumerate(_read_events(events), start=1):
        try:
            batch.append(sign_event(event, signer))
        except InputError as exc:
            where = "event" if events.lstrip().startswith("{") else events
            raise InputError(exc.reason, source=where, line=number, field=exc.field) from None
    indexes = ImeiLedger.open(ledger_dir()).append(batch)
    typer.echo(f"Appended {len(indexes)} events: entries {indexes[0]}..{indexes[-1]}")


@app.command("checkpoint")
def checkpoint_cmd() -> None:
    """Print the latest signed checkpoint (C2SP tlog-checkpoint).

    Example: openceir ledger checkpoint
    """
    typer.echo(Log.open(ledger_dir()).checkpoint().decode(), nl=False)


@app.command("prove")
def prove_cmd(
    index: int = typer.Argument(None, help="The entry index to prove."),
    imei: str = typer.Option(None, help="Prove the latest event about this IMEI instead."),
) -> None:
    """Print an inclusion proof JSON (checkpoint, entry, audit path) anyone can check offline.

    Example: openceir ledger prove --imei 352099001761481
    """
    if (index is None) == (imei is None):
        raise InputError("give an entry index or --imei, not both", field="index")
    ledger = ImeiLedger.open(ledger_dir())
    if imei is not None:
        index = ledger.latest_index(imei)
    typer.echo(json.dumps(ledger.inclusion_bundle(index), indent=2))


@app.command("verify")
def verify_cmd(
    vkey: Path = typer.Option(None, help="The log public key to trust (default: log.vkey)."),
) -> None:
    """Audit the whole ledger from its files; exit 1 naming the first bad file or entry.

    Example: openceir ledger verify --vkey examplestan.vkey
    """
    key = note.parse_vkey(_read_text(vkey)) if vkey else None
    cp: checkpoint.Checkpoint = verify_ledger(ledger_dir(), key)
    typer.echo(f"OK: {cp.origin} has {cp.size} entries, all verified")


@peer_app.command("add")
def peer_add_cmd(
    name: str = typer.Argument(..., help="A local name for the peer, e.g. betaland."),
    url: str = typer.Argument(..., help="The base URL of the peer's /ledger/ files."),
    vkey: str = typer.Option(..., help="The peer's log public key (C2SP vkey)."),
) -> None:
    """Register another CEIR's ledger to follow.

    Example: openceir ledger peer add betaland https://ceir.betaland.example/ledger/
    --vkey "$(cat betaland.vkey)"
    """
    peer = federation.add_peer(ledger_dir(), name, url, vkey)
    typer.echo(f"Peer {peer.name}: {peer.url} ({peer.log_key.name})")


@app.command("follow")
def follow_cmd(
    name: str = typer.Argument(..., help="The peer to follow (see `ledger peer add`)."),
) -> None:
    """Fetch a peer's new checkpoint and entries, verify them, import its theft records.

    Exits 1 on a fork (the evidence is kept under peers/<name>/).

    Example: openceir ledger follow betaland
    """
    peer = federation.load_peer(ledger_dir(), name)
    with httpx.Client(timeout=30) as client:
        result = federation.follow(ledger_dir(), peer, client)
    typer.echo(
        f"Peer {name} verified at size {result.size}: {result.new_entries} new entries, "
        f"{result.imported} events imported"
    )
    engine = _context.engine()
    if not current_revision(engine):
        typer.echo(
            "Stolen list not updated: the store is empty (run: openceir db upgrade, "
            "then follow again; foreign reports are kept until then)."
        )
        return
    synced = sync_foreign_stolen(_context.settings(), engine=engine)
    if synced is None:
        typer.echo("Stolen list: no change from foreign reports.")
    else:
        typer.echo(f"Stolen list: {synced.message or 'updated from foreign reports'}")


@witness_app.command("init")
def witness_init_cmd(
    name: str = typer.Argument(
        ..., help="The witness's key name, e.g. ceir.examplestan.example/witness."
    ),
    log: list[str] = typer.Option(..., "--log", help="A log public key (vkey) to witness."),
) -> None:
    """Make this CEIR a witness for other logs, served at POST /ledger/witness/add-checkpoint.

    Example: openceir ledger witness init ceir.examplestan.example/witness
    --log "$(cat betaland.vkey)"
    """
    key = witness.init_witness(ledger_dir() / "witness", name, log)
    typer.echo(f"Witness public key (give it to the logs): {key.vkey}")


@app.command("publish")
def publish_cmd(
    witness_spec: list[str] = typer.Option(
        ..., "--witness", help="URL=VKEY: a witness's add-checkpoint URL and its cosigner key."
    ),
    quorum: int = typer.Option(1, help="How many cosignatures make the checkpoint published."),
) -> None:
    """Ask witnesses to cosign the latest checkpoint; exit 1 below the quorum.

    Example: openceir ledger publish --quorum 1
    --witness "https://w.example/ledger/witness/add-checkpoint=$(cat w.vkey)"
    """
    witnesses = []
    for spec in witness_spec:
        url, sep, vkey = spec.rpartition("=")  # a vkey never holds '=' (33 bytes of base64)
        if not sep:
            raise InputError(f"{spec!r} is not URL=VKEY", field="witness")
        witnesses.append((url, cosignature.parse_cosigner_vkey(vkey)))
    log = Log.open(ledger_dir())
    with httpx.Client(timeout=30) as client:
        msg = witness.publish(log, witnesses, quorum, client)
    got = cosignature.cosignature_times(msg, [k for _, k in witnesses])
    typer.echo(f"Published with {len(got)} cosignatures: {', '.join(sorted(got))}")


__all__ = ["app"]
