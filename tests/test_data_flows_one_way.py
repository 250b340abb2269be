"""Apps import only apps earlier on the data flow (docs/architecture.md, "Layout"): a later
app attaches to an earlier one through events, guards, hooks and registries, never by being
imported from it. Tests, migrations and the demo (which plays every stage) are exempt."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "remis"
ORDER = [
    "accounts",
    "programmes",
    "cases",
    "services",
    "assessments",
    "assistance",
    "referrals",
    "communities",
    "monitoring",
    "reports",
    "indicators",
    "webhooks",
]
SHARED = {"audit", "jobs", "interop", "lib", "formats"}


def _imported_apps(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if len(parts) > 1 and parts[0] == "remis":
                found.add(parts[1])
    return found


def _offences(app: str, forbidden: set[str]) -> list[str]:
    """Each import of a `forbidden` app by a module of `app` (tests and migrations aside)."""
    found = []
    for path in (ROOT / app).rglob("*.py"):
        relative = path.relative_to(ROOT / app).parts
        if relative[0] in ("tests", "migrations"):
            continue
        found += [
            f"remis/{app}/{'/'.join(relative)} imports remis.{other}"
            for other in sorted(_imported_apps(path) & forbidden)
        ]
    return found


def test_no_app_imports_a_later_one():
    wrong = []
    for index, app in enumerate(ORDER):
        wrong += _offences(app, set(ORDER[index + 1 :]))
    assert wrong == []


def test_shared_apps_need_no_more_than_accounts():
    """audit, jobs, interop, lib and formats serve every app: they may know users (accounts)
    and each other, no domain app."""
    wrong = []
    for app in sorted(SHARED):
        wrong += _offences(app, set(ORDER) - {"accounts"})
    assert wrong == []
