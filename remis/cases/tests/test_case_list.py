from __future__ import annotations

import pytest
from django.urls import reverse

from remis.cases.tests.factories import PASSWORD, make_person, register

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_list_shows_only_the_users_cases(client, world, alice, dave):
    case = register(world)
    login(client, alice)
    assert case.reference in client.get(reverse("case_list")).content.decode()
    client.logout()
    login(client, dave)
    body = client.get(reverse("case_list")).content.decode()
    assert case.reference not in body
    assert "No case matches" in body


def test_search_by_name_is_posted_and_accent_insensitive(client, world, alice):
    wanted = register(world, person=make_person(given_name="Aïssatou", family_name="Sow"))
    other = register(world, person=make_person(given_name="Moussa", family_name="Traoré"))
    login(client, alice)
    body = client.post(reverse("case_list"), {"q": "aissatou"}).content.decode()
    assert wanted.reference in body and other.reference not in body


def test_filters_and_sorting(client, world, alice):
    first = register(world)
    second = register(world, origin="SN")
    login(client, alice)
    body = client.get(reverse("case_list"), {"origin_country": "SN"}).content.decode()
    assert second.reference in body and first.reference not in body
    body = client.post(reverse("case_list"), {"sort": "reference"}).content.decode()
    assert body.index(first.reference) < body.index(second.reference)
    # The other way too, as the API sorts (the page said "Select a valid choice").
    body = client.post(reverse("case_list"), {"sort": "-reference"}).content.decode()
    assert body.index(second.reference) < body.index(first.reference)
    body = client.post(
        reverse("case_list"), {"arrived_from": "2026-02-01", "arrived_to": "2026-01-01"}
    ).content.decode()
    assert "before its start" in body


def test_sorting_by_stage_follows_the_journey_with_closed_last(client, world, alice):
    """Sorted by code, "Closed" came between "Assistance" and "Counselling", "Registered"
    near the end."""
    from remis.cases import actions

    closed, registered = register(world), register(world)
    counselled = register(world)
    actions.transition_case(world.alice, counselled, "counselling")
    actions.close_case(world.admin, closed, "withdrew")
    login(client, alice)
    body = client.get(reverse("case_list"), {"sort": "stage", "stage": ""}).content.decode()
    assert body.index(registered.reference) < body.index(counselled.reference) < body.index(closed.reference)


def test_pagination_and_htmx_partial(client, world, alice):
    for _ in range(27):
        register(world)
    login(client, alice)
    body = client.post(reverse("case_list"), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "Page 2 of 2" in body
    assert "<html" not in body  # htmx gets the results fragment only
    assert body.count("<tr>") == 1 + 2  # header row + the last two cases


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999999999999999999"])
def test_a_page_number_edited_into_the_address_shows_the_first_page(client, world, alice, page):
    """page=abc replaced the list by "Page: Enter a whole number.", in English on an Arabic page."""
    case = register(world)
    login(client, alice)
    body = client.get(reverse("case_list"), {"page": page}).content.decode()
    assert case.reference in body and "Page:" not in body and "form-errors" not in body


def test_list_query_count_does_not_grow_with_rows(client, world, alice, django_assert_max_num_queries):
    for _ in range(30):
        register(world)
    login(client, alice)
    with django_assert_max_num_queries(12):
        client.get(reverse("case_list"))


def test_past_the_count_cap_pages_still_go_on(client, world, alice, monkeypatch):
    monkeypatch.setattr("remis.lib.paging.COUNT_CAP", 3)
    for _ in range(30):
        register(world)
    login(client, alice)
    body = client.post(reverse("case_list"), {"page": 1}, HTTP_HX_REQUEST="true").content.decode()
    assert "More than 3 cases" in body and "Page 1<" in body and "Next" in body
    body = client.post(reverse("case_list"), {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert "Page 2<" in body and "Next" not in body and "Previous" in body
    assert body.count("<tr>") == 1 + 5


def test_a_sensitive_category_is_neither_shown_nor_filterable_without_the_right(client, world, alice, carol):
    """An M&E officer reads case records but not trafficking details: the list shows the
    category it reads as ("Other": "Restricted" gave it away, the one sensitive category),
    the filter does not offer it, refuses it if sent, and finds the case under "Other"."""
    trafficked = register(world, category="victim_of_trafficking")
    login(client, alice)
    page = client.get(reverse("case_list")).content.decode()
    assert "Victim of trafficking" in page  # a counsellor holds sensitive.protection
    client.logout()

    login(client, carol)
    page = client.get(reverse("case_list")).content.decode()
    assert trafficked.reference in page
    assert "Victim of trafficking" not in page and "victim_of_trafficking" not in page
    assert "Restricted" not in page and "Other" in page
    other = client.post(reverse("case_list"), {"category": "other"}, HTTP_HX_REQUEST="true").content.decode()
    assert trafficked.reference in other
    filtered = client.post(
        reverse("case_list"), {"category": "victim_of_trafficking"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert trafficked.reference not in filtered
    assert "Category: Select a valid choice" in filtered


def test_bad_filters_show_the_error_not_the_unfiltered_list(client, world, alice):
    case = register(world)
    login(client, alice)
    response = client.post(
        reverse("case_list"),
        {"arrived_from": "2026-05-01", "arrived_to": "2026-04-01"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert "Arrived until: The end of the arrival range is before its start." in body
    assert case.reference not in body


def test_configured_names_follow_the_readers_language(client, world, alice):
    register(world, category="stranded_migrant")
    alice.preferred_language = "fr"
    alice.save()
    login(client, alice)
    page = client.get(reverse("case_list")).content.decode()
    assert "Migrant en détresse" in page  # the row and the filter's choice
    assert "Stranded migrant" not in page


def test_search_follows_renames_and_partial_words(world, alice):
    """The search index (a trigram table on SQLite) is kept in step with every write."""
    from remis.cases import actions
    from remis.cases.queries import CaseFilters, count_cases, filter_cases
    from remis.cases.tests.factories import make_person

    case = register(world, person=make_person(given_name="Mariama", family_name="Conceição"))
    register(world, person=make_person(given_name="Oumar", family_name="Bah"))

    def found(q):
        return [c.reference for c in filter_cases(alice, CaseFilters(q=q))]

    assert found("ceica") == [case.reference]  # partial, accent-insensitive
    assert found("ba") != []  # two letters: no trigram, still found by scanning
    person = case.principal
    actions.update_person(
        alice,
        case,
        person,
        make_person(given_name="Mariama", family_name="Kourouma"),
        expected_version=person.version,
    )
    assert found("ceica") == [] and found("kourou") == [case.reference]
    assert count_cases(alice, CaseFilters(q="kourou"), 10) == 1
    assert found("100%") == []  # LIKE wildcards typed by the user match literally


@pytest.mark.parametrize(
    "names",
    [[("Aïssatou", "Dia'llo"), ("Abdel", 'Ka"der'), ("Jean-Paul", "100%_Bah"), ("Mamadou", "Bah")]],
)
def test_indexed_search_finds_exactly_what_a_full_scan_finds(world, alice, names):
    """Whatever is typed (quotes, LIKE wildcards, FTS syntax, short words), the indexed
    search answers like a substring scan of the folded column (a short word: at a name
    word's start)."""
    from django.db.models import Q
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from remis.cases.models import Case
    from remis.cases.queries import search_condition, visible_cases
    from remis.cases.tests.factories import make_person
    from remis.lib.text import fold, fold_document_number

    for given_name, family_name in names:
        register(world, person=make_person(given_name=given_name, family_name=family_name))

    @settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
    @given(st.text(alphabet="abdilmou\"'%_- ïAND*", min_size=1, max_size=8))
    def check(q):
        words = fold(q).split()
        reference = Q()
        for word in words:
            # A word of one or two letters starts a name word (" ba"); a longer one anywhere.
            reference &= Q(search_text__contains=f" {word}" if len(word) < 3 else word)
        compact = fold_document_number(q)
        if compact:  # a document number, maybe typed with spaces
            reference |= Q(document_text__contains=compact)
        scanned = Case.objects.filter(reference)
        indexed = visible_cases(alice).filter(search_condition(q))
        assert set(indexed.values_list("id", flat=True)) == set(scanned.values_list("id", flat=True))

    check()


def test_a_role_without_case_records_is_told_so_instead_of_an_empty_search(client, world):
    from remis.cases.tests.factories import PASSWORD

    assert client.login(username=world.victor.username, password=PASSWORD)  # a donor's viewer
    response = client.get(reverse("case_list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 403
    assert "Votre rôle ne donne pas accès aux dossiers." in response.content.decode()


def test_the_route_points_the_readers_way_and_names_keep_their_order(client, world, alice):
    """Arabic pages mirror the arrow between the host and origin countries (the page's own
    arrow, flipped by the stylesheet, not a character inside a text) and isolate each name."""
    register(world, person=make_person(given_name="Aïssatou", family_name="Diallo"))
    alice.preferred_language = "ar"
    alice.save()
    login(client, alice)
    page = client.get(reverse("case_list")).content.decode()
    # The countries are named in the reader's language (the codes were shown).
    assert '<bdi>بلجيكا</bdi> <span class="arrow" aria-hidden="true">→</span>' in page
    assert "<bdi>Aïssatou Diallo</bdi>" in page and "BE → GN" not in page and "<bdi>BE</bdi>" not in page


def test_letters_marked_in_themselves_are_found_by_their_plain_letter(world):
    """ "Duc" did not find "Đức", nor "Yildiz" "Yıldız": their marks are no combining accents."""
    import importlib

    from django.apps import apps

    from remis.cases.models import Case
    from remis.cases.queries import CaseFilters, filter_cases
    from remis.cases.tests.factories import make_person, register

    hai = register(world, person=make_person(given_name="Đức Hải", family_name="Nguyễn"))
    murat = register(world, person=make_person(given_name="Murat", family_name="Yıldız"))
    found = {c.pk for c in filter_cases(world.alice, CaseFilters(q="duc"))}
    assert hai.pk in found and murat.pk not in found
    assert {c.pk for c in filter_cases(world.alice, CaseFilters(q="Yildiz"))} == {murat.pk}
    # A text folded before is folded again by the migration.
    Case.objects.filter(pk=murat.pk).update(search_text="gin-2026-000002 murat yıldız")
    refold = importlib.import_module("remis.cases.migrations.0019_fold_plain_letters").refold
    refold(apps, None)
    assert Case.objects.get(pk=murat.pk).search_text == "gin-2026-000002 murat yildiz"


def test_arabic_letters_typed_either_way_find_the_same_name(world):
    """ "الحسيني" did not find "الحسينى" (final yeh typed as alef maqsura), nor "فاطمة"
    "فاطمه": everyday typing variants, which the duplicate check missed too."""
    import importlib

    from django.apps import apps

    from remis.cases.models import Case
    from remis.cases.queries import CaseFilters, filter_cases
    from remis.cases.tests.factories import make_person, register

    husseini = register(world, person=make_person(given_name="محمد", family_name="الحسينى"))
    fatima = register(world, person=make_person(given_name="فاطمه", family_name="کریمی"))
    assert {c.pk for c in filter_cases(world.alice, CaseFilters(q="الحسيني"))} == {husseini.pk}
    assert {c.pk for c in filter_cases(world.alice, CaseFilters(q="فاطمة كريمي"))} == {fatima.pk}
    # A text folded before is folded again by the migration.
    Case.objects.filter(pk=husseini.pk).update(search_text="irq-2026-000001 محمد الحسينى")
    refold = importlib.import_module("remis.cases.migrations.0024_fold_arabic_variants").refold
    refold(apps, None)
    assert Case.objects.get(pk=husseini.pk).search_text == "irq-2026-000001 محمد الحسيني"


def test_the_country_filters_offer_the_countries_the_readers_cases_can_have(client, world, alice, bob):
    """A Belgian counsellor was offered some 105 host countries, every other one finding
    nothing; a Guinean partner reads cases returned to Guinea from any of the programme's
    hosts."""
    import datetime as dt

    from remis.accounts.system import system_actor
    from remis.programmes import actions as programmes

    programmes.create_programme(
        system_actor(),
        code="DE-IQ",
        name="Another programme",
        funder="Someone",
        host_countries=["DE", "AT"],
        origin_countries=["IQ"],
        starts_on=dt.date(2024, 1, 1),
        currency="EUR",
    )

    def options(user, name):
        login(client, user)
        body = client.get(reverse("case_list")).content.decode()
        select = body[body.index(f'name="{name}"') : body.index("</select>", body.index(f'name="{name}"'))]
        return {code for code in ("BE", "NL", "DE", "AT", "GN", "SN", "IQ") if f'value="{code}"' in select}

    assert options(alice, "host_country") == {"BE"}  # alice reads cases in Belgium only
    assert options(alice, "origin_country") == {"GN", "SN", "IQ"}  # those Belgium returns people to
    assert options(bob, "origin_country") == {"GN"}
    assert options(bob, "host_country") == {"BE", "NL"}  # not Germany: no programme returns to Guinea from it
    assert options(world.admin, "host_country") >= {"BE"}


def test_the_case_worker_filter_offers_those_who_edit_cases_only(client, world, alice):
    """It offered the data-protection focal point and the platform operator."""
    from remis.cases.tests.factories import make_user

    focal = make_user("dpo", world.be_office, "data_protection_focal_point", ["BE"])
    register(world)
    login(client, alice)
    body = client.get(reverse("case_list")).content.decode()
    options = body[body.index('name="worker"') : body.index("</select>", body.index('name="worker"'))]
    assert f'value="{alice.pk}"' in options and f'value="{focal.pk}"' not in options


def test_similar_spellings_find_a_name_written_otherwise(client, world, alice, dave):
    """A name written down by ear (Muhammad, Mouhamed, Mohamed) is found by another of its
    spellings when the user asks for similar spellings, and only then."""
    from remis.cases.queries import CaseFilters, count_cases, filter_cases

    mohamed = register(world, person=make_person(given_name="Mohamed", family_name="Kamara"))
    fatoumata = register(
        world,
        person=make_person(given_name="Fatoumata", family_name="Diallo", alternate_names="Fanta Diallo"),
    )
    other = register(world, person=make_person(given_name="Mariama", family_name="Bangoura"))

    def found(q, similar):
        return {c.reference for c in filter_cases(alice, CaseFilters(q=q, similar=similar))}

    assert found("muhammad", similar=False) == set()
    assert found("muhammad", similar=True) == {mohamed.reference}
    assert found("Mouhamed Camara", similar=True) == {mohamed.reference}  # every word, alike
    assert found("mouhamed diallo", similar=True) == set()
    assert found("fatimata", similar=True) == {fatoumata.reference}
    assert found("fantah", similar=True) == {fatoumata.reference}  # an alternate spelling too
    assert found("mariama", similar=True) == {other.reference}  # as typed still matches
    # A reference has no key: GIN-… did not find every name said "gn" (Gana).
    register(world, person=make_person(given_name="Sali", family_name="Gana"))
    assert found(mohamed.reference, similar=True) == {mohamed.reference}
    assert count_cases(alice, CaseFilters(q="muhammad", similar=True), 10) == 1
    # A key is never matched by an ordinary search ("mmt" is Mohamed's key, not a name).
    assert found("mmt", similar=False) == set() and found("kmr", similar=False) == set()
    # Written with a hyphen or an apostrophe, or without: one name.
    hyphen = register(world, person=make_person(given_name="Amal", family_name="Al-Kubaisi"))
    apostrophe = register(world, person=make_person(given_name="Fatou", family_name="N'Diaye"))
    assert found("Al Kubaissi", similar=True) == {hyphen.reference}
    assert found("alkubaisi", similar=True) == {hyphen.reference}
    assert found("Fatou Ndiaye", similar=True) == {apostrophe.reference}
    assert found("Fatou N’Diaye", similar=True) == {apostrophe.reference}
    # Another office's reader finds nothing more by sound than by name.
    assert {c.reference for c in filter_cases(dave, CaseFilters(q="muhammad", similar=True))} == set()

    # On the page: a tick box beside the search, kept in the address when paging back.
    login(client, alice)
    plain = client.post(reverse("case_list"), {"q": "muhammad"}).content.decode()
    assert mohamed.reference not in plain and "Similar spellings" in plain
    alike = client.post(reverse("case_list"), {"q": "muhammad", "similar": "on"}, HTTP_HX_REQUEST="true")
    assert mohamed.reference in alike.content.decode()
    assert "similar=True" in alike["HX-Push-Url"] and "muhammad" not in alike["HX-Push-Url"]
    back = client.get(alike["HX-Push-Url"]).content.decode()
    assert mohamed.reference in back


def test_similar_spellings_follow_renames_and_erasure(world, alice):
    from remis.cases import actions
    from remis.cases.models import Case
    from remis.cases.queries import CaseFilters, filter_cases

    case = register(world, person=make_person(given_name="Ousmane", family_name="Sylla"))

    def found(q):
        return [c.reference for c in filter_cases(alice, CaseFilters(q=q, similar=True))]

    assert found("usman") == [case.reference]
    person = case.principal
    actions.update_person(
        alice,
        case,
        person,
        make_person(given_name="Ibrahima", family_name="Sylla"),
        expected_version=person.version,
    )
    assert found("usman") == [] and found("ibrahim") == [case.reference]
    assert Case.objects.get(pk=case.pk).sound_text == " ibrm sl "


def test_the_migration_gives_stored_cases_their_sound_keys(world):
    """Cases stored before sound keys existed get them from their members' names."""
    import importlib

    from django.apps import apps

    from remis.cases.models import Case

    case = register(
        world, person=make_person(given_name="Youssouf", family_name="Camara", alternate_names="Yusuf")
    )
    Case.objects.filter(pk=case.pk).update(sound_text="")
    migration = importlib.import_module("remis.cases.migrations.0026_sound_text")
    migration.fill(apps, None)
    assert Case.objects.get(pk=case.pk).sound_text == " kmr ysf "


def test_the_migration_gives_short_names_their_keys(world, alice):
    """Ba, Bah, Sow, Awa had no sound key: cases stored before get theirs, and a similar
    search for Hawa Ba then finds Awa Bah."""
    import importlib

    from django.apps import apps

    from remis.cases.models import Case
    from remis.cases.queries import CaseFilters, filter_cases

    case = register(world, person=make_person(given_name="Awa", family_name="Bah"))
    other = register(world, person=make_person(given_name="Mariama", family_name="Sow"))
    Case.objects.filter(pk__in=[case.pk, other.pk]).update(sound_text=" mrm ")  # as keyed before
    migration = importlib.import_module("remis.cases.migrations.0027_sound_text_short_names")
    migration.refill(apps, None)
    assert Case.objects.get(pk=case.pk).sound_text == " aua ba "
    assert Case.objects.get(pk=other.pk).sound_text == " mrm su "
    found = {c.reference for c in filter_cases(alice, CaseFilters(q="Hawa Ba", similar=True))}
    assert found == {case.reference}


def test_a_case_found_by_a_household_member_names_the_member(client, world, alice):
    """Searching for a child listed his mother's case under her name only, with nothing to
    say why it was found; now the line names the member, as typed or said alike."""
    from remis.cases import actions
    from remis.cases.tests.factories import erase

    case = register(world, person=make_person(given_name="Fatoumata", family_name="Diallo"))
    actions.add_household_member(
        alice, case, make_person(given_name="Ousmane", family_name="Diallo"), "child"
    )
    login(client, alice)

    def listed(q, **extra):
        return client.post(reverse("case_list"), {"q": q, **extra}).content.decode()

    by_child = listed("ousmane")
    assert case.reference in by_child and "Matches <bdi>Ousmane Diallo (child)</bdi>" in by_child
    assert "Matches" not in listed("fatoumata diallo")  # the principal's own name: nothing to add
    assert "Matches" not in listed(case.reference)
    alike = listed("usman", similar="on")
    assert case.reference in alike and "Matches <bdi>Ousmane Diallo (child)</bdi>" in alike
    french = client.post(reverse("case_list"), {"q": "ousmane"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Correspond à <bdi>Ousmane Diallo (enfant)</bdi>" in french
    # An erased member is no longer searched, nor named.
    child = case.members.get(relation="child").person
    erase(world, case, child, "recorded_in_error")
    assert "Ousmane" not in listed("ousmane")


def test_a_word_of_one_or_two_letters_finds_names_starting_with_it(world, alice):
    """ "Ba" listed Kaba, Demba and Tshibanda before any Ba; "li" filled the first page with
    Khalid and Oliveira."""
    from remis.cases.queries import CaseFilters, filter_cases

    ba = register(world, person=make_person(given_name="Awa", family_name="Ba"))
    bah = register(world, person=make_person(given_name="Oumar", family_name="Bah"))
    bakary = register(world, person=make_person(given_name="Bakary", family_name="Camara"))
    register(world, person=make_person(given_name="Demba", family_name="Kaba"))
    register(world, person=make_person(given_name="Khalid", family_name="Oliveira"))

    def found(q, similar=False):
        return {c.reference for c in filter_cases(alice, CaseFilters(q=q, similar=similar))}

    assert found("ba") == {ba.reference, bah.reference, bakary.reference}
    assert found("Bâ", similar=True) == {ba.reference, bah.reference, bakary.reference}
    assert found("li") == set() and found("lid") != set()  # three letters: anywhere, as before
    assert found("awa ba") == {ba.reference}


def test_a_hidden_category_reads_as_other_on_the_case_page_and_in_its_history(client, world, alice, carol):
    """ "Restricted" was the one sensitive category (victim of trafficking) under another
    name: the page reads it as "Other", and a change between "Other" and it leaves no
    "Other → Other" line in the history to say something hidden changed."""
    from remis.cases import actions
    from remis.programmes.models import MigrantCategory

    case = register(world, category="other")
    actions.update_case_details(
        alice,
        case,
        expected_version=case.version,
        category=MigrantCategory.objects.get(code="victim_of_trafficking"),
        vulnerabilities=[],
        intended_return_date=None,
        assigned_workers=[],
    )
    login(client, carol)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "<dt>Migrant category</dt><dd>Other</dd>" in page
    history = page[page.index('id="history"') :]
    assert "Other → Other" not in history and "Other &rarr; Other" not in history
    client.logout()
    login(client, alice)
    page = client.get(reverse("case_detail", args=[case.uuid])).content.decode()
    assert "<dt>Migrant category</dt><dd>Victim of trafficking</dd>" in page
