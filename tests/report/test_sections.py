"""The registry of report sections is complete: one module per section id a profile can name, each in it."""

from __future__ import annotations

import pkgutil

from evidence.report import sections
from evidence.report.templates import SECTION_IDS


def test_every_section_id_has_its_module_in_the_registry() -> None:
    assert tuple(sections.SECTIONS) == SECTION_IDS
    for section_id, add in sections.SECTIONS.items():
        assert add.__module__ == f"evidence.report.sections.{section_id}"


def test_every_module_of_the_package_is_registered() -> None:
    modules = {info.name for info in pkgutil.iter_modules(sections.__path__)}
    assert modules == set(SECTION_IDS)
