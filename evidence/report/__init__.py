"""The court-ready PDF report: rendered from a case's timeline, exhibits and ledger, never from sources.

``templates`` finds the wording (profiles and declarations, plain data a user can copy and edit);
``render`` turns a :class:`~evidence.report.data.ReportData` into deterministic PDF bytes.
"""

from __future__ import annotations

from evidence.report.render import ReportData, render
from evidence.report.templates import DEFAULT_PROFILE, PROFILES, Profile, load_profile, templates_dir

__all__ = ["DEFAULT_PROFILE", "PROFILES", "Profile", "ReportData", "load_profile", "render", "templates_dir"]
