"""The importer registry is explicit: every module of evidence/importers is listed, once."""

from __future__ import annotations

import importlib
import pkgutil

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
