"""The IMEI ledger: signed events appended to the log, checked, indexed by IMEI and proven.

`append_events` checks each entry (signature by a registered participant whose roles allow
the event type, schema, no personal data) before any is appended, appends the batch as one
checkpoint, then updates the IMEI index `index/imei.tsv` (`<imei>\\t<entry index>` lines,
derived data: `index/imei.size` records how much of the log it covers, and a stale index is
caught up from the entries on open). `inclusion_bundle` is the offline-verifiable proof
JSON the CLI's `prove` and the web's identifier resolution hand out.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from openceir.errors import IntegrityError, NotFound
from openceir.ledger import entries, verify
from openceir.ledger.log import Log
from openceir.ledger.participants import Participants, load_participants
from openceir.ledger.storage import CHECKPOINT, LedgerFiles, write_atomic
from openceir.tlog import checkpoint, merkle, note
from openceir.tlog.errors import TlogError

INDEX = "index/imei.tsv"
INDEX_SIZE = "index/imei.size"


class ImeiIndex:
    """IMEI -> entry indexes, in log order, persisted beside the log and caught up on open."""

    def __init__(self, log: Log) -> None:
        self.log = log
        self.by_imei: dict[str, list[int]] = {}
        self.size = 0
        self._load()

    def _load(self) -> None:
        root = self.log.files.root
        size_file, tsv = root / INDEX_SIZE, root / INDEX
        covered = int(size_file.read_text()) if size_file.is_file() else 0
        covered = min(covered, self.log.size)
        if tsv.is_file():
            with tsv.open() as fh:
                for line in fh:
                    imei, _, index_text = line.rstrip("\n").partition("\t")
                    if not line.endswith("\n") or not index_text.isdigit():
                        continue  # a line torn by a crash; the catch-up below restores it
                    index = int(index_text)
                    if index < covered:
                        self.by_imei.setdefault(imei, []).append(index)
        self.size = covered
        if covered < self.log.size:
            self._rewrite_and_catch_up()

    def _rewrite_and_catch_up(self) -> None:
        """Rebuild the file from memory, then add the entries it does not cover yet."""
        rows = sorted((i, imei) for imei, idx in self.by_imei.items() for i in idx)
        text = "".join(f"{imei}\t{i}\n" for i, imei in rows)
        write_atomic(self.log.files.root / INDEX, text.encode())
        missing = range(self.size, self.log.size)
        self.update(missing, [entries.parse_entry(self.log.entry(i)) for i in missing])

    def update(self, indexes: Sequence[int], events: Sequence[entries.Event]) -> None:
        """Record the IMEIs of newly appended events (append-only file, then the size)."""
        lines = []
        for index, event in zip(indexes, events, strict=True):
            for imei in entries.imeis_of(event):
                self.by_imei.setdefault(imei, []).append(index)
                lines.append(f"{imei}\t{index}\n")
        root = self.log.files.root
        (root / INDEX).parent.mkdir(parents=True, exist_ok=True)
        with (root / INDEX).open("a") as fh:
            fh.write("".join(lines))
        self.size = self.log.size
        write_atomic(root / INDEX_SIZE, str(self.size).encode())

    def lookup(self, imei: str) -> list[int]:
        """The indexes of the entries about this IMEI, oldest first (empty when none)."""
        return list(self.by_imei.get(imei, ()))


CHUNK = 256


def check_batch(batch: Sequence[bytes], participants: Participants) -> list[entries.Event]:
    """Check every entry of a batch (see `entries.check_entry`); returns their events.

    Signature checks release the GIL, so large batches are checked in chunks on a few
    threads. The error names the first bad entry's position in the batch (1-based).
    """

    def check_chunk(start: int) -> list[entries.Event]:
        out = []
        for pos in range(start, min(start + CHUNK, len(batch))):
            try:
                out.append(entries.check_entry(batch[pos], participants))
            except (IntegrityError, TlogError) as exc:
                raise IntegrityError(f"event {pos + 1} of the batch: {exc}") from None
        return out

    starts = range(0, len(batch), CHUNK)
    if len(starts) <= 1:
        return [e for start in starts for e in check_chunk(start)]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        return [e for chunk in pool.map(check_chunk, starts) for e in chunk]


class ImeiLedger:
    """A log of signed IMEI events with its participants and IMEI index."""

    def __init__(self, log: Log, participants: Participants) -> None:
        self.log = log
        self.participants = participants
        self.index = ImeiIndex(log)

    @classmethod
    def open(cls, path: Path) -> ImeiLedger:
        """Open the ledger directory `path` (see `Log.open`)."""
        log = Log.open(path)
        return cls(log, load_participants(path))

    def append(self, batch: Sequence[bytes]) -> list[int]:
        """Check every entry, then append the batch; returns the entry indexes.

        Nothing is appended when any entry fails: the error names its position.
        """
        self.participants = load_participants(self.log.files.root)
        events = check_batch(batch, self.participants)
        indexes = self.log.append(batch)
        self.index.update(indexes, events)
        return indexes

    def event(self, index: int) -> dict[str, Any]:
        """The event at entry `index`."""
        return entries.parse_entry(self.log.entry(index))

    def event_about(self, imei: str, index: int) -> dict[str, Any]:
        """The event at `index`, checked to be about `imei`: the index is derived data on disk,
        so an entry it names is never trusted to be the IMEI's until read (IntegrityError)."""
        event = self.event(index)
        if imei not in entries.imeis_of(event):
            raise IntegrityError(
                f"{INDEX} is wrong: entry {index} is not about IMEI {imei}; run "
                f"`openceir ledger verify`, then delete the ledger's index/ to rebuild it"
            )
        return event

    def events_for(self, imei: str) -> list[tuple[int, dict[str, Any]]]:
        """Every event about an IMEI as (entry index, event), oldest first."""
        entries.validate_imei(imei, "imei")
        return [(i, self.event_about(imei, i)) for i in self.index.lookup(imei)]

    def manufacturer_binding(self, imei: str) -> dict[str, Any] | None:
        """The latest `device_manufactured` event about an IMEI (its manufacturer binding:
        model, serial hash, software version when given), or None when it has none."""
        for index in reversed(self.index.lookup(entries.validate_imei(imei, "imei"))):
            event = self.event_about(imei, index)
            if event["type"] == "device_manufactured":
                return event
        return None

    def latest_index(self, imei: str) -> int:
        """The index of the latest event about an IMEI (checked to be about it), or NotFound."""
        found = self.index.lookup(entries.validate_imei(imei, "imei"))
        if not found:
            raise NotFound(f"IMEI {imei} has no event in the ledger")
        self.event_about(imei, found[-1])
        return found[-1]

    def inclusion_bundle(self, index: int) -> dict[str, Any]:
        """Everything needed to check offline that entry `index` is in the signed log."""
        return inclusion_bundle(self.log, index)

    def check_entry(self, index: int, entry: bytes) -> None:
        """A verify.EntryCheck: the entry is a valid event signed by an allowed participant."""
        entries.check_entry(entry, self.participants)


def append_event(ledger: ImeiLedger, event: entries.Event, key: note.Signer) -> int:
    """Sign one event with a participant's key, check and append it; returns its entry index.

    One checkpoint per call: for many events, sign each and call `ImeiLedger.append` once.
    """
    return ledger.append([entries.sign_event(event, key)])[0]


def inclusion_bundle(log: Log, index: int, size: int | None = None) -> dict[str, Any]:
    """Proof JSON: checkpoint note, entry, leaf index, tree size and the RFC 9162 audit path."""
    size = log.size if size is None else size
    if size != log.size:
        raise NotFound("inclusion bundles are served for the latest checkpoint only")
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    entry = log.entry(index)
    return {
        "origin": log.origin,
        "log_key": log.verifier.vkey,
        "index": index,
        "tree_size": size,
        "leaf_hash": b64(log.leaf_hash(index)),
        "proof": [b64(h) for h in log.inclusion_proof(index, size)],
        "checkpoint": log.checkpoint().decode(),
        "entry": entry.decode(),
    }


def verify_inclusion_bundle(bundle: dict[str, Any], log_key: note.Verifier) -> dict[str, Any]:
    """Check a proof JSON offline against the log key you trust; returns the event."""
    try:
        cp, _ = checkpoint.open_checkpoint(bundle["checkpoint"].encode(), log_key)
    except TlogError as exc:
        raise IntegrityError(f"proof checkpoint: {exc}") from None
    except (KeyError, TypeError, AttributeError):
        raise IntegrityError("proof JSON is missing fields or malformed") from None
    try:
        entry = bundle["entry"].encode()
        proof = [base64.b64decode(h) for h in bundle["proof"]]
        index, size = int(bundle["index"]), int(bundle["tree_size"])
    except (KeyError, TypeError, ValueError, AttributeError):
        raise IntegrityError("proof JSON is missing fields or malformed") from None
    if size != cp.size:
        raise IntegrityError(f"proof is for tree size {size}, the checkpoint says {cp.size}")
    try:
        merkle.verify_inclusion(index, size, merkle.leaf_hash(entry), proof, cp.root)
    except TlogError as exc:
        raise IntegrityError(f"proof of entry {index}: {exc}") from None
    return entries.parse_entry(entry)


def verify_ledger(path: Path, log_key: note.Verifier | None = None) -> checkpoint.Checkpoint:
    """Audit a ledger: the log (see `verify.verify_log`), every event's signature and role,
    then the IMEI index against the entries (see `check_index`)."""
    participants = load_participants(path)
    about: list[list[str]] = []

    def check(_index: int, entry: bytes) -> None:
        about.append(entries.imeis_of(entries.check_entry(entry, participants)))

    verified = verify.verify_log(path, log_key, check)
    check_index(Path(path), about)
    return verified


def check_index(path: Path, about: Sequence[Sequence[str]]) -> None:
    """Check `index/imei.tsv` against the entries: `about[i]` is the IMEIs of entry i.

    Over the part of the log the index says it covers (`index/imei.size`), every complete
    line must name an entry about its IMEI and every (IMEI, entry) pair must have its line;
    lines beyond that part, or torn by a crash, are what opening the ledger catches up.
    A ledger copy without an index passes. Raises verify.AuditError naming the first fault.
    """
    tsv, size_file = path / INDEX, path / INDEX_SIZE
    if not tsv.is_file():
        return
    size_text = size_file.read_text().strip() if size_file.is_file() else "0"
    if not size_text.isdigit():
        raise verify.AuditError(INDEX_SIZE, f"{size_text[:20]!r} is not an entry count")
    covered = min(int(size_text), len(about))
    want = {(imei, i) for i in range(covered) for imei in about[i]}
    seen: set[tuple[str, int]] = set()
    with tsv.open(encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            imei, _, index_text = line.rstrip("\n").partition("\t")
            if not line.endswith("\n") or not index_text.isdigit() or len(index_text) > 20:
                continue
            index = int(index_text)
            if index >= covered:
                continue
            if (imei, index) not in want:
                raise verify.AuditError(
                    INDEX,
                    f"line {number} says IMEI {imei[:20]} is in entry {index}, which is about "
                    f"{', '.join(about[index]) or 'no IMEI'}: the index was altered",
                )
            seen.add((imei, index))
    missing = sorted(want - seen, key=lambda pair: pair[1])
    if missing:
        imei, index = missing[0]
        raise verify.AuditError(
            INDEX, f"the line for entry {index} (IMEI {imei}) is missing: the index was altered"
        )


__all__ = [
    "ImeiIndex",
    "ImeiLedger",
    "append_event",
    "check_batch",
    "check_index",
    "inclusion_bundle",
    "verify_inclusion_bundle",
    "verify_ledger",
]


class OpenLedger:
    """A ledger opened once and reopened when the checkpoint on disk changes (another writer).

    Shared by long-lived readers (the web routes, identifier resolution); thread-safe.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._ledger: ImeiLedger | None = None

    def get(self) -> ImeiLedger:
        files = LedgerFiles(self.path)
        if not files.exists():
            raise NotFound("this CEIR has no ledger yet")
        current = files.read(CHECKPOINT)
        with self._lock:
            if self._ledger is None or self._ledger.log.checkpoint() != current:
                self._ledger = ImeiLedger.open(self.path)
            return self._ledger
