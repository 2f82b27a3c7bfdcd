"""Several processes importing into one case at once lose nothing and keep the chain valid."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from evidence.api import Case
from evidence.verify.case import verify_case


def test_concurrent_imports_serialize(tmp_path: Path) -> None:
    with Case.init(tmp_path / "case", title="t", tz="UTC"):
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
        with Case.open(case_dir) as case:
            for f in files:
                case.import_files([f, shared])
        """
    )
    shared = tmp_path / "shared.txt"
    shared.write_text("imported by every process")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path / "case"), str(tmp_path / f"p{k}"), "10", str(shared)]
        )
        for k in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    with Case.open(tmp_path / "case") as case:
        assert case.head().seq == 1 + 4 * 10 * 2
        exhibits = case.exhibits()
        assert len(exhibits) == 41  # 40 distinct files + the shared one
        assert [e["exhibit"] for e in exhibits] == [f"EX-{n:04d}" for n in range(1, 42)]
    report = verify_case(tmp_path / "case")
    assert report.ok, [str(f) for f in report.findings]
