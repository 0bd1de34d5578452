"""``manage.py import_resolution``: output, dry runs, and refusal of unusable input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from resolutions.models import Commitment, Document, Paragraph, Reservation

pytestmark = pytest.mark.django_db

MANAGE = Path(settings.BASE_DIR) / "manage.py"
KIGALI = "ipu-145-kigali-2022-migration-trafficking.md"


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_resolution", *args, stdout=out)
    return out.getvalue()


def row_counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Document, Paragraph, Commitment, Reservation))


# --- behaviour of the command around the service (parser replaced) -------------------------


def test_json_output_is_one_object(tmp_path, reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    path = tmp_path / "resolution.txt"
    path.write_text("some resolution", encoding="utf-8")

    payload = json.loads(run(str(path), "--json"))

    document = Document.objects.get()
    assert payload["document_id"] == document.pk
    assert payload["created"] is True
    assert document.source_name == "resolution.txt"
    assert len(payload["operative"]) == Paragraph.objects.filter(kind="operative", parent=None).count()


def test_human_summary(tmp_path, reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed(operative=4))
    path = tmp_path / "resolution.txt"
    path.write_text("some resolution", encoding="utf-8")

    output = run(str(path))
    assert "Parliamentary action against trafficking" in output
    assert "4 operative" in output
    assert "2024-10-13" in output

    again = run(str(path))
    assert "Already imported" in again
    assert Document.objects.count() == 1


def test_dry_run_saves_nothing(tmp_path, reference_data, fake_parser, make_parsed):
    fake_parser(make_parsed())
    path = tmp_path / "resolution.txt"
    path.write_text("some resolution", encoding="utf-8")
    before = row_counts()

    payload = json.loads(run(str(path), "--dry-run", "--json"))

    assert row_counts() == before
    assert payload["document_id"] is None
    assert "dry run" in run(str(path), "--dry-run")


def test_database_failure_is_one_line_and_saves_nothing(
    tmp_path, reference_data, fake_parser, make_parsed, monkeypatch
):
    fake_parser(make_parsed())
    path = tmp_path / "resolution.txt"
    path.write_text("some resolution", encoding="utf-8")

    def broken_bulk_create(*args, **kwargs):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(Paragraph.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(CommandError) as caught:
        run(str(path), "--json")
    assert "\n" not in str(caught.value)
    assert "nothing was saved" in str(caught.value)
    assert row_counts() == (0, 0, 0, 0)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("text", encoding="utf-8")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(CommandError, match="Permission denied"):
        run(str(path))
    assert Document.objects.count() == 0


# --- hostile input: one clear line, nothing saved ------------------------------------------

SCRIPT_PAGE = (
    "<!DOCTYPE html><html><head><title>Home</title>"
    "<script>window.dataLayer=[];function gtag(){dataLayer.push(arguments);}</script>"
    "<script src='/static/app.js'></script></head><body><nav><a href='/'>Home</a> | "
    "<a href='/news'>News</a></nav><p>Welcome to our website.</p>"
    "<script>document.write('cookie banner');</script></body></html>\n"
) * 20


def _truncated_kigali(seeds_dir: Path) -> bytes:
    text = (seeds_dir / KIGALI).read_text(encoding="utf-8")
    cut = text.index("1. *Requests*")
    return text[:cut].encode("utf-8")


HOSTILE = {
    "empty": lambda seeds: b"",
    "whitespace": lambda seeds: b"   \n\n\t  \n",
    "binary": lambda seeds: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40,
    "json": lambda seeds: json.dumps(
        {"title": "Protection of migrants", "operative": [{"number": 1, "text": "Calls upon States"}]}
    ).encode(),
    "numbers_only": lambda seeds: ("12 345 6789\n3.14 2.72\n" * 200).encode(),
    "html_with_scripts": lambda seeds: SCRIPT_PAGE.encode(),
    "truncated": _truncated_kigali,
    "undecodable": lambda seeds: b"\xff\xfe\xfd\x81\x00\x9d\x8f\x90\x00\x01\x02\x03\x04" * 300,
    "fake_pdf": lambda seeds: b"%PDF-1.7\n1 0 obj garbage \x00\xff endobj",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_input_is_refused_in_one_line(case, tmp_path, seeds_dir, reference_data):
    path = tmp_path / f"{case}.txt"
    path.write_bytes(HOSTILE[case](seeds_dir))
    before = row_counts()

    with pytest.raises(CommandError) as caught:
        run(str(path), "--json")

    message = str(caught.value)
    assert message.strip()
    assert "\n" not in message
    assert row_counts() == before


def test_too_big_file_is_refused(tmp_path, db):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Calls upon parliaments to act;\n" * (5 * 1024 * 1024 // 31 + 10))
    assert path.stat().st_size > 5 * 1024 * 1024
    with pytest.raises(CommandError, match="too large") as caught:
        run(str(path))
    assert "MB" in str(caught.value)
    assert Document.objects.count() == 0


def test_missing_path_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "absent.txt"))


def test_directory_is_refused(tmp_path, db):
    with pytest.raises(CommandError, match="directory"):
        run(str(tmp_path))


# --- encodings the decoder accepts ---------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_other_encodings_import_like_utf8(encoding, tmp_path, seeds_dir, reference_data):
    text = (seeds_dir / KIGALI).read_text(encoding="utf-8").replace("\u2013", "-")
    reference = tmp_path / "utf8.md"
    reference.write_bytes(text.encode("utf-8"))
    other = tmp_path / f"{encoding}.md"
    other.write_bytes(text.encode(encoding))
    if encoding == "utf-16":
        assert other.read_bytes()[:2] in {b"\xff\xfe", b"\xfe\xff"}

    expected = json.loads(run(str(reference), "--json"))
    payload = json.loads(run(str(other), "--json"))

    assert payload["created"] is True
    assert payload["document_id"] != expected["document_id"]
    ignored = {"document_id", "created", "duplicate"}
    assert {k: v for k, v in payload.items() if k not in ignored} == {
        k: v for k, v in expected.items() if k not in ignored
    }
    assert "Türkiye" in [item["who"] for item in payload["reservations"]]
    assert Document.objects.get(pk=payload["document_id"]).source_text == text


# --- as a real process ------------------------------------------------------------------


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [sys.executable, str(MANAGE), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=300,
        check=False,
    )


@pytest.fixture
def process_env(tmp_path) -> dict[str, str]:
    """Environment for a manage.py process working on its own throw-away SQLite database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "tracker.settings.test"
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'process.sqlite3'}"
    env.pop("REDIS_URL", None)
    return env


def test_process_refuses_missing_file_with_one_line(tmp_path, process_env):
    completed = _manage("import_resolution", str(tmp_path / "absent.txt"), "--json", env=process_env)
    assert completed.returncode != 0
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "absent.txt" in lines[0]
    assert "Traceback" not in completed.stderr


def test_process_prints_parseable_json(seeds_dir, process_env):
    for args in (["migrate", "--noinput", "-v", "0"], ["load_reference_data"]):
        prepared = _manage(*args, env=process_env)
        assert prepared.returncode == 0, prepared.stderr

    completed = _manage("import_resolution", str(seeds_dir / KIGALI), "--json", env=process_env)

    assert completed.returncode == 0, completed.stderr
    payload = json.loads(completed.stdout)
    assert payload["kind"] == "resolution"
    assert payload["assembly_number"] == 145
    assert payload["reporting_deadline"]["date"] == "2024-10-13"
    assert isinstance(payload["document_id"], int)

    again = _manage("import_resolution", str(seeds_dir / KIGALI), "--json", env=process_env)
    assert again.returncode == 0, again.stderr
    repeated = json.loads(again.stdout)
    assert (repeated["duplicate"], repeated["document_id"]) == (True, payload["document_id"])
