"""Two platform operators moving items of the same configuration list (the vulnerabilities)
at once, each from the list as their page showed it: the same item moved down twice (two
clicks), two neighbours swapped from both ends, and two moves around the same middle item.

A move is "one place up or down from where the item is now", so both are applied, one after
the other, and never interleaved: the list ends exactly as one of the two orders of applying
them would leave it (a move that has nowhere left to go changes nothing), with positions
still distinct, and the audit log has one entry per move applied, each naming the positions
that move swapped."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from remis.audit.models import AuditEntry
from remis.cases.tests.factories import make_user
from remis.programmes import actions
from remis.programmes.models import Vulnerability

ROUNDS = 3  # which move goes first is left to chance: a few races on the same list
Move = tuple[int, int]  # (index in the list as read, offset: -1 up, +1 down)
Logged = list[tuple[int, list[int]]]  # (item id, [position before, position after]) per move

MOVES: dict[str, tuple[Move, Move]] = {
    "the same item down twice": ((0, 1), (0, 1)),
    "two neighbours swapped from both ends": ((0, 1), (1, -1)),
    "two moves around the middle item": ((0, 1), (2, -1)),
}


def _order() -> list[Vulnerability]:
    return list(Vulnerability.objects.order_by("position", "name", "pk"))


def _serially(read: Sequence[Vulnerability], moves: Sequence[tuple[int, int]]) -> tuple[list[int], Logged]:
    """The list's order (ids) and the audit entries after applying `moves` ((id, offset))
    one after the other to the list as read: what running them in turn gives."""
    order = [item.pk for item in read]
    positions = {item.pk: item.position for item in read}
    logged: Logged = []
    for pk, offset in moves:
        here = order.index(pk)
        there = here + offset
        if not 0 <= there < len(order):
            continue  # already first or last: nothing changes, nothing is audited
        other = order[there]
        mine, theirs = positions[pk], positions[other]
        positions[pk], positions[other] = theirs, mine
        order[here], order[there] = other, pk
        logged.append((pk, [mine, theirs]))
    return order, logged


@pytest.mark.parametrize("name", list(MOVES))
def test_two_operators_moving_items_of_a_list_at_once_apply_both_moves_in_turn(parallel_db, world, name):
    olga = make_user("olga", world.be_office, "platform_operator", [])
    oscar = make_user("oscar", world.nl_office, "platform_operator", [])
    entries = AuditEntry.objects.filter(action="config.move_item", object_type="programmes.vulnerability")
    for _round in range(ROUNDS):
        read = _order()
        assert len(read) >= 3 and len({item.position for item in read}) == len(read)
        moves = [(read[index].pk, offset) for index, offset in MOVES[name]]
        before = entries.count()
        results = parallel_db(
            *[
                # Each from the item as their page loaded it, before either moved anything.
                lambda actor=actor, pk=pk, offset=offset: actions.move_configuration_item(
                    actor, Vulnerability.objects.get(pk=pk), offset
                )
                for actor, (pk, offset) in zip((olga, oscar), moves, strict=True)
            ]
        )
        assert not [r for r in results if isinstance(r, BaseException)], results
        stored = _order()
        assert len({item.position for item in stored}) == len(stored)
        logged = [(int(e.object_id), e.changes["position"]) for e in entries.order_by("id")[before:]]
        outcome = ([item.pk for item in stored], logged)
        # One move after the other, in either order; interleaved moves (both swapping from
        # the same read) leave an order, or entries, that neither gives.
        assert outcome in (_serially(read, moves), _serially(read, moves[::-1])), outcome
    assert {e.actor_id for e in entries} <= {olga.pk, oscar.pk}


def test_two_operators_editing_one_item_from_the_same_read_one_is_refused(parallel_db, world):
    """Both forms opened on the same item: one edit is recorded, the other is a conflict, and
    nothing of the refused one is written (the first one's name stays)."""
    from remis.lib.errors import Conflict
    from remis.programmes.actions.configuration import item_read

    olga = make_user("olga", world.be_office, "platform_operator", [])
    oscar = make_user("oscar", world.nl_office, "platform_operator", [])
    item = Vulnerability.objects.order_by("pk").first()
    assert item is not None
    read = item_read(item)
    edits = {olga: {"fr": "Nom A"}, oscar: {"ar": "اسم ب"}}
    results = parallel_db(
        *[
            lambda actor=actor, names=names: actions.update_configuration_item(
                actor, Vulnerability.objects.get(pk=item.pk), name=item.name, names=names, read=read
            )
            for actor, names in edits.items()
        ]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert not [r for r in results if isinstance(r, BaseException) and not isinstance(r, Conflict)]
    winner = next(actor for actor, r in zip(edits, results, strict=True) if not isinstance(r, BaseException))
    assert Vulnerability.objects.get(pk=item.pk).names == edits[winner]
    entries = AuditEntry.objects.filter(action="config.update_item", object_id=str(item.pk))
    assert [e.actor_id for e in entries] == [winner.pk]


def test_two_managers_recording_settings_from_the_same_page_one_is_told(parallel_db, world):
    """Both pages listed the same versions: one new version is recorded, the other is a
    conflict (its page then lists the first), and nothing of it is written."""
    import datetime as dt

    from remis.lib.errors import Conflict
    from remis.programmes.models import ProgrammeSettings
    from remis.programmes.queries import latest_settings_id

    maria = make_user("maria", world.be_office, "programme_manager", ["BE"])
    marc = make_user("marc", world.be_office, "programme_manager", ["BE"])
    seen = latest_settings_id(world.programme)
    day = dt.date(2027, 1, 1)
    grants = {maria: "1500", marc: "1200"}
    results = parallel_db(
        *[
            lambda actor=actor, grant=grant: actions.change_programme_settings(
                actor, world.programme, day, {"grant_per_person": grant}, seen_latest=seen
            )
            for actor, grant in grants.items()
        ]
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    winner = next(actor for actor, r in zip(grants, results, strict=True) if not isinstance(r, BaseException))
    kept = ProgrammeSettings.objects.filter(programme=world.programme, effective_from=day)
    assert [str(v.grant_per_person) for v in kept] == [f"{grants[winner]}.00"]
    entries = AuditEntry.objects.filter(
        action="programme.settings_change", actor=marc if winner is maria else maria
    )
    assert not entries.exists()
