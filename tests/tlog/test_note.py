"""C2SP signed notes against the Go sumdb/note and C2SP vectors."""

from __future__ import annotations

from pathlib import Path

import pytest

from openceir.tlog import note
from openceir.tlog.errors import TlogError

NOTES = Path(__file__).resolve().parents[1] / "data" / "vectors" / "note"
GO = NOTES / "golang-x-mod-sumdb-note"
C2SP = NOTES / "c2sp-signed-note"


def _vkey(path: Path) -> note.Verifier:
    return note.parse_vkey(path.read_text())


def test_go_note_signed_by_peter_verifies() -> None:
    opened = note.open_note(
        (GO / "signed-peter.note").read_bytes(), [_vkey(GO / "PeterNeumann.vkey")]
    )
    assert opened.text == (GO / "text.txt").read_text()
    assert [(s.name, s.key_id) for s in opened.sigs] == [("PeterNeumann", 0xC74F20A3)]
    assert opened.unverified == ()


def test_go_note_with_two_signatures_verifies_both_or_keeps_unknown_as_unverified() -> None:
    msg = (GO / "signed-peter-enoch.note").read_bytes()
    peter, enoch = _vkey(GO / "PeterNeumann.vkey"), _vkey(GO / "EnochRoot.vkey")
    both = note.open_note(msg, [peter, enoch])
    assert [s.name for s in both.sigs] == ["PeterNeumann", "EnochRoot"]
    only_peter = note.open_note(msg, [peter])
    assert [s.name for s in only_peter.unverified] == ["EnochRoot"]
    assert only_peter.unverified[0].key_id == 0xAF0CFE78


def test_signing_with_the_test_skey_reproduces_the_go_note() -> None:
    signer = note.parse_skey((GO / "PeterNeumann.TEST-ONLY.skey").read_text())
    assert signer.verifier.vkey == (GO / "PeterNeumann.vkey").read_text().strip()
    assert (
        note.sign((GO / "text.txt").read_text(), signer) == (GO / "signed-peter.note").read_bytes()
    )


def test_c2sp_example_note_verifies() -> None:
    opened = note.open_note((C2SP / "example.note").read_bytes(), [_vkey(C2SP / "example.vkey")])
    assert opened.text == "This is an example message.\n"
    assert opened.sigs[0].name == "example.com/foo"


def test_unverifiable_note_parses_with_its_signature_unverified() -> None:
    parsed = note.parse((C2SP / "quasimodo-unverifiable.note").read_bytes())
    assert parsed.text.startswith("Ognuno sta solo sul cuor della terra\n")
    assert parsed.text.endswith("ed è subito sera.\n")
    assert [s.name for s in parsed.unverified] == ["quasimodo.example/salvatore"]


def test_note_signed_by_nobody_known_is_unverified_error_carrying_the_note() -> None:
    with pytest.raises(note.UnverifiedNoteError) as info:
        note.open_note((C2SP / "example.note").read_bytes(), [_vkey(GO / "PeterNeumann.vkey")])
    assert info.value.note.unverified[0].name == "example.com/foo"
    assert isinstance(info.value, TlogError)


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0x01
    return bytes(b)


def test_every_flipped_bit_in_text_or_signature_is_rejected() -> None:
    msg = (GO / "signed-peter.note").read_bytes()
    peter = _vkey(GO / "PeterNeumann.vkey")
    text_len = len((GO / "text.txt").read_bytes())
    sig_start = msg.index(b"x08go")
    for at in [*range(0, text_len - 1, 7), *range(sig_start + 8, len(msg) - 2, 5)]:
        with pytest.raises(note.NoteError):
            note.open_note(_flip(msg, at), [peter])


def test_flipped_signature_bit_names_the_key() -> None:
    msg = (GO / "signed-peter.note").read_bytes()
    at = msg.index(b"x08go") + 20
    bad = msg[:at] + (b"A" if msg[at : at + 1] != b"A" else b"B") + msg[at + 1 :]
    with pytest.raises(note.InvalidSignatureError) as info:
        note.open_note(bad, [_vkey(GO / "PeterNeumann.vkey")])
    assert (info.value.name, info.value.key_id) == ("PeterNeumann", 0xC74F20A3)


@pytest.mark.parametrize(
    "msg",
    [
        b"no signature block\n",
        b"text\n\n",
        b"text\n\n\xe2\x80\x94 name AAAA\n",  # signature shorter than 5 bytes
        b"text\n\n- name AAAAAAAAAAAAAAAA\n",  # ASCII dash
        b"text\n\n\xe2\x80\x94 name AAAAAAAAAAAAAAAA",  # no final newline
        b"te\rxt\n\n\xe2\x80\x94 name AAAAAAAAAAAAAAAA\n",  # control character
        b"\xff\n\n\xe2\x80\x94 name AAAAAAAAAAAAAAAA\n",  # not UTF-8
        b"text\n\n\xe2\x80\x94 na+me AAAAAAAAAAAAAAAA\n",  # '+' in name
        b"text\n\n\xe2\x80\x94 name !!!!\n",  # not base64
    ],
)
def test_malformed_notes_are_rejected(msg: bytes) -> None:
    with pytest.raises(note.MalformedNoteError):
        note.parse(msg)


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong id
        "PeterNeumann+c74f20a3+AhpcQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # bad length
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_malformed_vkeys_are_rejected(key: str) -> None:
    with pytest.raises(note.MalformedNoteError):
        note.parse_vkey(key)


def test_generated_key_round_trips_and_signs() -> None:
    signer = note.generate_key("ceir.test/log")
    again = note.parse_skey(signer.skey)
    assert again == signer
    verifier = note.parse_vkey(signer.verifier.vkey)
    opened = note.open_note(note.sign("hello\n", signer), [verifier])
    assert opened.text == "hello\n"
    with pytest.raises(note.MalformedNoteError):
        note.generate_key("bad name")
