"""Every refusal a person reads is in their language: a domain error's message is a gettext
msgid when it is raised (so it is built in the language of the request), and every such
msgid has a French and an Arabic translation.

The scan reads the source with `ast` instead of grepping, so a message split over lines,
an f-string or `"…" % x` is seen for what it is. A message that is a variable (a guard's
reason, a helper's argument) is the business of the code that wrote the literal."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils.translation import trans_real

import remis
from remis.lib.errors import DomainError

ROOT = Path(remis.__file__).parent
GETTEXT = {
    "_",
    "said",
    "gettext_noop",
    "gettext",
    "gettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "ngettext",
    "ngettext_lazy",
}


def _error_classes() -> set[str]:
    names, pending = {DomainError.__name__}, [DomainError]
    while pending:
        for sub in pending.pop().__subclasses__():
            names.add(sub.__name__)
            pending.append(sub)
    return names


ERROR_CLASSES = _error_classes()


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _is_gettext(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) in GETTEXT


def _untranslated(node: ast.expr) -> bool:
    """The expression is, or is built from, a string literal that no gettext call wraps."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):  # "…" % x, "…" + x
        return _untranslated(node.left) or (isinstance(node.op, ast.Add) and _untranslated(node.right))
    if isinstance(node, ast.IfExp):
        return _untranslated(node.body) or _untranslated(node.orelse)
    if isinstance(node, ast.BoolOp):  # message or "default"
        return any(_untranslated(value) for value in node.values)
    if isinstance(node, ast.Call):
        if _is_gettext(node):
            return False
        if _name(node.func) == "format" and isinstance(node.func, ast.Attribute):
            return _untranslated(node.func.value)
        if _name(node.func) == "str" and node.args:
            return _untranslated(node.args[0])
    return False


def _message(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _default_messages(cls: ast.ClassDef) -> Iterator[tuple[int, ast.expr]]:
    """A DomainError's default message, as a default value of its `message` parameter."""
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            arguments = item.args.posonlyargs + item.args.args
            # The last len(defaults) arguments have the defaults (none: `[-0:]` would be all).
            with_defaults = arguments[len(arguments) - len(item.args.defaults) :]
            for argument, default in zip(with_defaults, item.args.defaults, strict=True):
                if argument.arg == "message":
                    yield default.lineno, default
            for argument, kw_default in zip(item.args.kwonlyargs, item.args.kw_defaults, strict=True):
                if argument.arg == "message" and kw_default is not None:
                    yield kw_default.lineno, kw_default


def message_sites(tree: ast.AST, *, value_errors: bool) -> Iterator[tuple[int, ast.expr]]:
    """(line, message) of each place a person-facing message is given: a DomainError
    built or its default message, a problem added (`problems.add(field, message)`,
    `self.add` inside Problems), an API error body, and, in API schemas, a validator's
    ValueError (it becomes the 422 body's message)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name in ERROR_CLASSES:
            yield from _default_messages(node)
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        message = None
        if name in ERROR_CLASSES or name == "error_body" or (value_errors and name == "ValueError"):
            message = _message(node, 0)
        elif name == "add" and isinstance(node.func, ast.Attribute) and len(node.args) == 2:
            message = _message(node, 1)  # a set's add takes one argument
        if message is not None:
            yield node.lineno, message


def _sources() -> list[Path]:
    return [
        path
        for path in sorted(ROOT.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
    ]


def _untranslated_messages(source: str, *, value_errors: bool) -> list[int]:
    tree = ast.parse(source)
    sites = message_sites(tree, value_errors=value_errors)
    return sorted(line for line, message in sites if _untranslated(message))


def test_every_domain_error_message_is_wrapped_in_gettext():
    found = []
    for path in _sources():
        lines = _untranslated_messages(path.read_text(), value_errors=path.name.endswith("api.py"))
        found += [f"{path.relative_to(ROOT.parent)}:{line}" for line in lines]
    assert found == [], "messages not wrapped in gettext (use _('… %(name)s …') % {...}):\n" + "\n".join(
        found
    )


def test_the_scan_sees_the_usual_ways_of_writing_an_untranslated_message():
    source = textwrap.dedent(
        """
        raise ValidationFailed("Plain.", "field")                       # 2
        raise TransitionRefused(f"“{target}” is not a stage.", "stage")  # 3
        problems.add("host", f"Programme {code} does not cover {host}.")  # 4
        raise Conflict(message="Stale " + "record.")                   # 5
        raise NotFound("No %s here." % thing)                          # 6
        self.add(field_name, "This field is required.")                # 7
        raise PermissionDenied("Not {}.".format(who))                  # 8
        raise ValueError("Bad value.")                                 # 9
        raise ValidationFailed(_("Fine."), "field")
        raise ValidationFailed(_("Fine %(x)s.") % {"x": x}, "field")
        problems.add("host", _("Programme %(code)s.") % {"code": code})
        raise Conflict()
        raise NotFound(missing)
        raise TransitionRefused(why_not, "stage")
        seen.add("a set member, not a message")
        return error_body("The request is not valid.", [])            # 17
        class NotFound(DomainError):
            def __init__(self, message: str = "Not found.") -> None:  # 19
                super().__init__(message)
        """
    )
    assert _untranslated_messages(source, value_errors=True) == [2, 3, 4, 5, 6, 7, 8, 9, 17, 19]
    assert _untranslated_messages(source, value_errors=False) == [2, 3, 4, 5, 6, 7, 8, 17, 19]


def _is_domain_module(path: Path) -> bool:
    """Where refusals are written: actions, the lifecycle's guards, the API, the errors."""
    parts = path.relative_to(ROOT).parts
    return (
        "actions" in parts or path.stem.startswith("actions") or path.stem in {"lifecycle", "api", "errors"}
    )


def _literal_msgids(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _is_gettext(node) and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                yield first.value


def _msgids() -> set[str]:
    """Every literal msgid of the domain modules (guards' reasons and helpers' arguments
    included), and those given as messages anywhere else."""
    msgids: set[str] = set()
    for path in _sources():
        tree = ast.parse(path.read_text())
        if _is_domain_module(path):
            msgids.update(_literal_msgids(tree))
        else:
            for _line, message in message_sites(tree, value_errors=True):
                msgids.update(_literal_msgids(message))
    return msgids


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_every_domain_error_message_has_a_translation(language):
    msgids = _msgids()
    assert len(msgids) > 40  # the scan found the messages (it would pass vacuously otherwise)
    # The catalogue merges REMIS's with Django's (e.g. "This field is required.").
    catalogue = trans_real.translation(language)._catalog  # type: ignore[attr-defined]
    # A plural message (ngettext) is catalogued by (msgid, form).
    missing = sorted(m for m in msgids if m not in catalogue and (m, 0) not in catalogue)
    assert missing == [], f"no {language} translation in remis/locale/{language}/LC_MESSAGES/django.po"
