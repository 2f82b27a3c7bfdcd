"""``verify`` of an encrypted case while another process imports into it: every verify passes (the sealed files
an import places after the ledger was read are named by the import journal or by entries committed since,
read again through the keyed snapshot and matched by their sealed names), and the last one finds nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from evidence.api import Case
from evidence.case import vault
from evidence.verify import WARNING
from evidence.verify.case import verify_case

PASSPHRASE = "concurrent passphrase"

_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from evidence.api import Case
    case_dir, src, rounds, passphrase = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    for r in range(rounds):
        folder = src / f"round-{r}"
        folder.mkdir(parents=True)
        for i in range(40):
            (folder / f"note-{i:03d}.txt").write_text(f"round {r} note {i}")
        with Case.open(case_dir, passphrase=passphrase) as case:
            case.import_files([folder])
        (src / f"done-{r}").touch()
        while not (src / f"ack-{r}").exists():
            time.sleep(0.01)
    """
)


def test_verify_during_imports_into_an_encrypted_case_passes_every_time(tmp_path: Path) -> None:
    root = tmp_path / "case"
    with Case.init(
        root, title="t", tz="UTC", passphrase=PASSPHRASE, encrypted=True, cost=vault.TEST_COST
    ) as case:
        keys = case.keys
    src = tmp_path / "src"
    src.mkdir()
    rounds = 2
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(root), str(src), str(rounds), PASSPHRASE])
    verifies = 0
    try:
        for r in range(rounds):
            while not (src / f"done-{r}").exists():
                assert writer.poll() is None, "the importing process died"
                report = verify_case(root, keys=keys)
                assert report.ok, [str(f) for f in report.findings]
                assert all(f.severity == WARNING for f in report.findings)
                verifies += 1
            (src / f"ack-{r}").touch()
        assert writer.wait(timeout=120) == 0
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert verifies >= rounds
    final = verify_case(root, keys=keys)
    assert final.ok and final.findings == [], [str(f) for f in final.findings]
    assert final.checked["objects"] == rounds * 40
