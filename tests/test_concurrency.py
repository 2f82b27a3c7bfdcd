"""Several processes importing into one case at once lose nothing and keep the chain valid; `report` and
`verify` running while another process imports see a consistent, committed state. Both on a plain and on an
encrypted case."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from evidence.api import Case
from evidence.case import vault
from evidence.case.formats import KEYS_DIR
from evidence.verify import Report
from evidence.verify.case import verify_case as _verify_case
from evidence.verify.report import _extract

PASS = "concurrency test passphrase"
KINDS = [pytest.param(False, id="plain"), pytest.param(True, id="encrypted")]


def _init(root: Path, encrypted: bool) -> Case:
    return Case.init(
        root,
        title="t",
        tz="UTC",
        passphrase=PASS if encrypted else None,
        encrypted=encrypted,
        cost=vault.TEST_COST,
    )


def _open(root: Path, *, readonly: bool = False) -> Case:
    return Case.open(root, readonly=readonly, passphrase=PASS)


def verify_case(root: Path) -> Report:
    """``verify_case``, given the keys when the case is encrypted."""
    return _verify_case(root, keys=vault.unlock(root / KEYS_DIR, PASS) if vault.is_encrypted(root) else None)


@pytest.mark.parametrize("encrypted", KINDS)
def test_concurrent_imports_serialize(tmp_path: Path, encrypted: bool) -> None:
    with _init(tmp_path / "case", encrypted):
        pass
    script = textwrap.dedent(
        """
        import sys
        from pathlib import Path
        from evidence.api import Case
        case_dir, src, n = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
        files = []
        src.mkdir()
        for i in range(n):
            f = src / f"{src.name}-{i}.txt"
            f.write_text(f"{src.name} {i}")
            files.append(f)
        shared = Path(sys.argv[4])
        with Case.open(case_dir, passphrase=sys.argv[5]) as case:
            for f in files:
                case.import_files([f, shared])
        """
    )
    shared = tmp_path / "shared.txt"
    shared.write_text("imported by every process")
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                str(tmp_path / "case"),
                str(tmp_path / f"p{k}"),
                "10",
                str(shared),
                PASS,
            ]
        )
        for k in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    with _open(tmp_path / "case") as case:
        assert case.head().seq == 1 + 4 * 10 * 2
        exhibits = case.exhibits()
        assert len(exhibits) == 41  # 40 distinct files + the shared one
        assert [e["exhibit"] for e in exhibits] == [f"EX-{n:04d}" for n in range(1, 42)]
    report = verify_case(tmp_path / "case")
    assert report.ok, [str(f) for f in report.findings]


_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from evidence.api import Case
    case_dir, src, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    for r in range(rounds):
        folder = src / f"round-{r}"
        folder.mkdir(parents=True)
        sms = [
            f'<sms address="+4477009{r:02d}{i:03d}" date="{1700000000000 + 60000 * (100 * r + i)}" type="1" '
            f'body="round {r} message {i}" readable_date="x" contact_name="A" />'
            for i in range(20)
        ]
        (folder / f"sms-{r}.xml").write_text('<?xml version="1.0"?><smses count="20">' + "".join(sms) + "</smses>")
        for i in range(40):
            (folder / f"note-{i:03d}.txt").write_text(f"round {r} note {i}")
        with Case.open(case_dir, passphrase=sys.argv[4]) as case:
            case.import_files([folder])
        (src / f"done-{r}").touch()
        while not (src / f"ack-{r}").exists():
            time.sleep(0.01)
    """
)


def _committed_at(case: Case, seq: int) -> tuple[set[str], set[str]]:
    """The record ids and exhibit numbers the ledger holds at entry ``seq``, read from the entries and blobs."""
    records: set[str] = set()
    exhibits: set[str] = set()
    for entry in case.entries():
        if entry.seq > seq:
            break
        body = json.loads(entry.body_text)
        if entry.kind == "item.acquired" and not body["duplicate_of"]:
            exhibits.add(body["exhibit"])
        elif entry.kind == "records.derived":
            blob = json.loads(case.store.read_bytes(body["blob_sha256"]))
            records |= {rec["id"] for rec in blob["records"]}
    return records, exhibits


@pytest.mark.parametrize("encrypted", KINDS)
def test_report_and_verify_during_imports_see_a_committed_state(tmp_path: Path, encrypted: bool) -> None:
    """While another process imports (rounds of 41 files, each one all-or-nothing import), `verify` and
    `report` run here: verify passes every time, and each report's manifest names an entry of the ledger
    (its sequence number and hash) and exactly the records and exhibits committed at that entry."""
    root = tmp_path / "case"
    with _init(root, encrypted):
        pass
    src = tmp_path / "src"
    src.mkdir()
    rounds = 2
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(root), str(src), str(rounds), PASS])
    heads: list[int] = []
    verifies = 0
    try:
        for r in range(rounds):
            # Verify repeatedly while round r imports; then a report at (at least) the head of round r.
            while not (src / f"done-{r}").exists():
                assert writer.poll() is None, "the importing process died"
                report = verify_case(root)
                assert report.ok, [str(f) for f in report.findings if f.code != "INCOMPLETE_IMPORT"]
                verifies += 1
            with _open(root) as case:
                written = case.report(tmp_path / f"report-{r}.pdf")
                manifest = json.loads(_extract((tmp_path / f"report-{r}.pdf").read_bytes()) or b"null")
                head = manifest["built_from"]
                assert head == {"seq": written.built_from.seq, "hash": written.built_from.hash}
                assert case.conn.execute(
                    "SELECT hash FROM ledger WHERE seq = ?", (head["seq"],)
                ).fetchone() == (head["hash"],)
                records, exhibits = _committed_at(case, head["seq"])
                assert {rec["record_id"] for rec in manifest["records"]} == records
                assert len(manifest["records"]) == len(records) == 20 * (r + 1)
                assert {ex["exhibit"] for ex in manifest["exhibits"]} == exhibits
                heads.append(head["seq"])
            (src / f"ack-{r}").touch()
        assert writer.wait(timeout=120) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert verifies >= rounds
    # Each round adds 41 acquisitions + 1 derivation + 1 tactics.suggested (the tagger read the texts); each
    # report 2 entries (its checkpoint, which the report is built from, and report.generated).
    assert heads == [1 + r * 45 + 44 for r in range(rounds)]
    with _open(root, readonly=True) as case:
        assert case.head().seq == 1 + rounds * 45
        assert len(case.exhibits()) == rounds * 41
        assert len(case.records()) == rounds * 20
    final = verify_case(root)
    assert final.ok and final.findings == [], [str(f) for f in final.findings]
