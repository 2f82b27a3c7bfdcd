"""The importer registry is explicit: every module of evidence/importers is listed, once; and importers do not
import each other (what they share lives in private modules, ``importers/_*``)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

from evidence import importers
from evidence.importers.base import Importer


def test_every_importer_module_is_registered() -> None:
    modules = {
        m.name
        for m in pkgutil.iter_modules(importers.__path__)
        if m.name not in {"base"} and not m.name.startswith("_")
    }
    registered_modules = {cls.__module__.rsplit(".", 1)[1] for cls in importers.REGISTRY}
    assert modules == registered_modules, f"modules not in REGISTRY: {modules - registered_modules}"
    for name in modules:
        module = importlib.import_module(f"evidence.importers.{name}")
        classes = [
            v
            for v in vars(module).values()
            if isinstance(v, type) and issubclass(v, Importer) and v is not Importer
        ]
        assert any(c in importers.REGISTRY for c in classes), name


def test_importers_declare_name_version_and_description() -> None:
    names = [cls.name for cls in importers.REGISTRY]
    assert len(names) == len(set(names))
    for cls in importers.REGISTRY:
        assert cls.name and cls.version and cls.description


IMPORTERS_DIR = Path(importers.__file__).resolve().parent
PACKAGE = "evidence.importers"
# Importer modules that may still import another importer module, and exactly which names (none: keep it so).
STILL_IMPORTING: dict[tuple[str, str], set[str]] = {}


def _importer_modules() -> set[str]:
    return {
        m.name
        for m in pkgutil.iter_modules(importers.__path__)
        if m.name != "base" and not m.name.startswith("_")
    }


def _imported(path: Path, package: str) -> dict[str, set[str]]:
    """The ``evidence.importers`` submodules ``path`` imports (absolute or relative), with the names taken."""
    found: dict[str, set[str]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    found.setdefault(alias.name.split(".")[2], set()).add("*")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = {alias.name for alias in node.names}
            if target == PACKAGE:
                for name in names:  # "from evidence.importers import whatsapp"
                    found.setdefault(name, set()).add("*")
            elif target.startswith(PACKAGE + "."):
                found.setdefault(target.split(".")[2], set()).update(names)
    return found


def test_no_importer_imports_another_importer() -> None:
    importer_modules = _importer_modules()
    offences: list[str] = []
    used_exemptions: set[tuple[str, str]] = set()
    for path in sorted(IMPORTERS_DIR.rglob("*.py")):
        relative = path.relative_to(IMPORTERS_DIR).with_suffix("")
        if relative.parts == ("__init__",):
            continue  # the registry imports every importer: that is its job
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        package = ".".join([PACKAGE, *relative.parts[:-1]])
        me = parts[0]
        for target, names in _imported(path, package).items():
            if target == me or target not in importer_modules:
                continue  # itself, base, or a private shared module (_mail, _wall, _json, _utf16, ...)
            allowed = STILL_IMPORTING.get((me, target))
            if allowed is not None and names <= allowed:
                used_exemptions.add((me, target))
                continue
            offences.append(f"{relative}.py imports {sorted(names)} from importers/{target}.py")
    assert not offences, "move what importers share into a private module (importers/_*.py): " + "; ".join(
        offences
    )
    stale = set(STILL_IMPORTING) - used_exemptions
    assert not stale, f"these no longer import each other; delete them from STILL_IMPORTING: {sorted(stale)}"


def test_the_import_check_sees_every_form_of_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "import evidence.importers.whatsapp\n"
        "from evidence.importers import csvlog, base\n"
        "from evidence.importers.email import localize\n"
        "from . import signal\n"
        "from .telegram import TelegramImporter\n"
        "from ._mail.dates import parse_date\n"
        "def late() -> None:\n"
        "    from evidence.importers.smsbackup import SmsBackupImporter\n",
        encoding="utf-8",
    )
    assert _imported(module, PACKAGE) == {
        "whatsapp": {"*"},
        "csvlog": {"*"},
        "base": {"*"},
        "email": {"localize"},
        "signal": {"*"},
        "telegram": {"TelegramImporter"},
        "_mail": {"parse_date"},
        "smsbackup": {"SmsBackupImporter"},
    }
    nested = tmp_path / "n.py"
    nested.write_text("from ..email import EmailImporter\nfrom .dates import ParsedDate\n", encoding="utf-8")
    assert _imported(nested, PACKAGE + "._mail") == {"email": {"EmailImporter"}, "_mail": {"ParsedDate"}}
