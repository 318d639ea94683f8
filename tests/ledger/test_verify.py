"""verify_log audits a log from its files and names the first bad item."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.errors import IntegrityError
from openceir.ledger.log import Log
from openceir.ledger.verify import AuditError, verify_log
from openceir.tlog import note

ORIGIN = "ceir.testland.example/log"
VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors" / "tiles"


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    log = Log.create(tmp_path / "ledger", ORIGIN)
    log.append([f"entry {i}".encode() for i in range(300)])
    log.append([f"entry {i}".encode() for i in range(300, 520)])
    return tmp_path / "ledger"


def _data_files(root: Path) -> list[str]:
    names = [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()]
    return sorted(n for n in names if n == "checkpoint" or n.startswith("tile/"))


def test_intact_log_verifies_and_returns_its_checkpoint(ledger: Path) -> None:
    cp = verify_log(ledger)
    assert (cp.origin, cp.size) == (ORIGIN, 520)


def test_tessera_test_log_verifies_with_its_published_key() -> None:
    key = note.parse_vkey((VECTORS / "tessera-testdata-log.vkey").read_text())
    assert verify_log(VECTORS / "tessera-testdata-log", log_key=key).size == 15


def test_changing_one_byte_of_any_file_is_reported_naming_that_file(ledger: Path) -> None:
    names = _data_files(ledger)
    assert names == [
        "checkpoint",
        "tile/0/000", "tile/0/001", "tile/0/002.p/8", "tile/1/000.p/2",
        "tile/entries/000", "tile/entries/001", "tile/entries/002.p/8",
    ]  # fmt: skip
    for name in names:
        path = ledger / name
        original = path.read_bytes()
        for at in (5, len(original) // 2, len(original) - 3):
            data = bytearray(original)
            data[at] ^= 0x04
            path.write_bytes(bytes(data))
            with pytest.raises(AuditError) as info:
                verify_log(ledger)
            assert info.value.item.startswith(name), (name, at, str(info.value))
        path.write_bytes(original)
    verify_log(ledger)


def test_altered_entry_is_named_with_its_log_index(ledger: Path) -> None:
    path = ledger / "tile/entries/001"
    path.write_bytes(path.read_bytes().replace(b"entry 300", b"entry 999"))
    with pytest.raises(AuditError, match=r"tile/entries/001 entry 44 \(log index 300\)"):
        verify_log(ledger)


def test_missing_tile_is_named(ledger: Path) -> None:
    (ledger / "tile/1/000.p/2").unlink()
    with pytest.raises(AuditError, match=r"^tile/1/000\.p/2: "):
        verify_log(ledger)


def test_checkpoint_by_another_key_is_rejected(ledger: Path) -> None:
    other = note.generate_key(ORIGIN).verifier
    with pytest.raises(AuditError, match=r"^checkpoint: "):
        verify_log(ledger, log_key=other)


def test_entry_check_failure_names_the_entry(ledger: Path) -> None:
    def check(index: int, entry: bytes) -> None:
        if entry == b"entry 257":
            raise IntegrityError("not a signed event")

    with pytest.raises(
        AuditError, match=r"tile/entries/001 entry 1 \(log index 257\): not a signed"
    ):
        verify_log(ledger, check_entry=check)
