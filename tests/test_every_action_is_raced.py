"""Every action that changes shared state has a race test, found from the code.

An action changes shared state, for this test, when it is a public function of an
`actions` module that takes an `expected_version` (the version the user read) or locks
rows (`select_for_update`), itself or through a private helper of its module. It has a race
test when a test that runs calls together (one taking the `parallel_db` fixture) calls it by
name (or its module lists it in a table of the cases it races), or when such a test names
it in a `@pytest.mark.races("remis.app.actions.name")` mark (for actions raced through
pages or the API). A new locking or versioned action without one
fails here, naming it; so does a mark naming an action that does not exist.

The building blocks that actions share (check a version, save under one, write audit
entries) are listed below with the reason they have no race test of their own.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# `hold_case`: the case actions' lock on their case (cases/actions/common.py);
# `refuse_if_recorded_since`: a programme's lock for a new version of its configuration
# (programmes/versioned.py).
SIGNS = ("select_for_update", "expected_version", "hold_case", "refuse_if_recorded_since")

# Functions of actions modules that the scan takes for actions but that change nothing of
# their own: each is exercised under race by every raced action that calls it.
BUILDING_BLOCKS = {
    "remis.accounts.actions.members.check_invitation": (
        "reads an invitation for the page; its helper locks for accept_invitation only"
    ),
    "remis.cases.actions.common.save_versioned": "saves a record under the version its action was given",
    "remis.cases.actions.common.check_version": "compares the version its action was given",
    "remis.cases.actions.common.apply_changes": "applies a form's changes for an action",
    "remis.cases.actions.common.hold_case": "locks the case for each case action that calls it",
    "remis.assistance.actions.common.hold_open_case": (
        "locks the case (refusing a closed one) for the plan and payment actions that call it"
    ),
    "remis.cases.actions.registration.next_reference": "takes the next case number for register_case",
    "remis.programmes.actions.common.check_programme_version": "compares a programme's version",
    "remis.programmes.actions.common.bump_version": "moves a programme's version inside its actions",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _action_modules() -> list[Path]:
    # A package's __init__.py counts too: accounts.actions defines actions there besides
    # re-exporting its modules' (only functions defined in a module are scanned).
    remis = ROOT / "remis"
    return sorted([*remis.glob("*/actions.py"), *remis.glob("*/actions/*.py")])


def _called_names(node: ast.AST) -> set[str]:
    names = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call):
            if isinstance(call.func, ast.Name):
                names.add(call.func.id)
            elif isinstance(call.func, ast.Attribute):
                names.add(call.func.attr)
    return names


def _signs(function: ast.FunctionDef, source: str) -> bool:
    parameters = [a.arg for a in (*function.args.args, *function.args.kwonlyargs)]
    text = ast.get_source_segment(source, function) or ""
    return "expected_version" in parameters or any(sign in text for sign in SIGNS)


def shared_state_actions() -> set[str]:
    """Dotted names of the public functions of actions modules that lock or take a version,
    directly or through their module's private helpers."""
    actions: set[str] = set()
    for path in _action_modules():
        source = path.read_text(encoding="utf-8")
        functions = {n.name: n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)}
        locking = {name for name, f in functions.items() if _signs(f, source)}
        changed = True
        while changed:  # private helpers that call locking helpers lock too
            changed = False
            for name, function in functions.items():
                if name not in locking and _called_names(function) & {
                    n for n in locking if n.startswith("_")
                }:
                    locking.add(name)
                    changed = True
        module = _module_name(path)
        actions |= {f"{module}.{name}" for name in locking if not name.startswith("_")}
    return actions


def _referenced_names(node: ast.AST) -> set[str]:
    """Every function named in the code: called, or listed in a table of cases."""
    names = set()
    for found in ast.walk(node):
        if isinstance(found, ast.Name):
            names.add(found.id)
        elif isinstance(found, ast.Attribute):
            names.add(found.attr)
    return names


def _race_modules() -> list[tuple[ast.Module, list[ast.FunctionDef]]]:
    """Test modules with tests taking `parallel_db`, and those tests."""
    modules = []
    for path in [*(ROOT / "remis").rglob("test_*.py"), *(ROOT / "tests").rglob("test_*.py")]:
        source = path.read_text(encoding="utf-8")
        if "parallel_db" not in source:
            continue
        module = ast.parse(source)
        tests = [
            node
            for node in ast.walk(module)
            if isinstance(node, ast.FunctionDef)
            and node.name.startswith("test")
            and "parallel_db" in [a.arg for a in node.args.args]
        ]
        if tests:
            modules.append((module, tests))
    return modules


def _marked(test: ast.FunctionDef) -> set[str]:
    """The names in the test's `@pytest.mark.races(...)` marks."""
    names = set()
    for decorator in test.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr == "races"
        ):
            names |= {a.value for a in decorator.args if isinstance(a, ast.Constant)}
    return names


def test_every_action_that_changes_shared_state_has_a_race_test():
    actions = shared_state_actions()
    assert len(actions) > 40  # the scan finds them (it found 71 when written)
    called: set[str] = set()
    marked: set[str] = set()
    for module, tests in _race_modules():
        # A table-driven module lists its actions beside the tests that race them.
        called |= _referenced_names(module)
        for test in tests:
            marked |= _marked(test)
    unknown = marked - actions
    assert not unknown, f"marks naming no locking or versioned action: {sorted(unknown)}"
    missing = sorted(
        name
        for name in actions - set(BUILDING_BLOCKS)
        if name not in marked and name.rsplit(".", 1)[1] not in called
    )
    assert not missing, (
        "actions that lock or take a version with no race test (call them in a test taking "
        f"`parallel_db`, or mark the test that races them through a page): {missing}"
    )


def test_the_building_blocks_still_exist_and_lock():
    """A stale exemption would hide a new action of the same name."""
    actions = shared_state_actions()
    assert set(BUILDING_BLOCKS) <= actions, set(BUILDING_BLOCKS) - actions
