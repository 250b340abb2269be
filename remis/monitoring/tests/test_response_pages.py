"""A round's page records the answers of its instrument: the form is built from the
definition in the reader's language, each problem shows on its question with every typed
answer kept, answers to questions that do not apply are dropped, and once saved the page
reads the scores, the band and the answers back."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from remis.cases import actions as cases
from remis.cases.extensions import work_for
from remis.cases.tests.factories import returned_case
from remis.monitoring.models import ContactAttempt, FollowUp, FollowUpStatus, Response
from remis.monitoring.responses import current_instrument, record_response
from remis.monitoring.tests.test_instrument_scoring import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = returned_case(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    return case


def form_data(given: dict[str, Any]) -> dict[str, Any]:
    # The case arrived today: its rounds' windows are months away, so each is closed early.
    data: dict[str, Any] = {
        "step": "response",
        "collected_on": timezone.localdate().isoformat(),
        "early": "on",
    }
    for name, value in given.items():
        data[f"q_{name}"] = value
    return data


def test_the_form_asks_each_question_with_its_choices_and_relevance_note(client, world, case):
    client.force_login(world.bob)
    text = client.get(reverse("follow_up_detail", args=[case.uuid, 1])).text
    assert "Record the answers" in text
    assert 'type="radio" name="q_income_covers_needs" value="always"' in text
    assert 'type="checkbox" name="q_access_to_resources" value="credit"' in text
    assert 'name="q_days_reduced_meals"' in text and 'inputmode="numeric"' in text
    assert "(only if “" in text and "” includes “A loan or credit”)" in text
    # The same condition as data for relevance.js, which hides the question until it applies.
    assert (
        'data-relevant="{&quot;op&quot;: &quot;selected&quot;, '
        "&quot;name&quot;: &quot;access_to_resources&quot;" in text
    )
    assert "remis/relevance.js" in text


def test_the_form_speaks_the_readers_language(client, world, case):
    client.force_login(world.bob)
    text = client.get(reverse("follow_up_detail", args=[case.uuid, 1]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Préfère ne pas répondre" in text and "Un prêt ou un crédit" in text
    # Conditions in words and French quotes: it read "(seulement si “Combien d'enfants…” > 0)".
    notes = re.findall(r"\(seulement si [^)]*\)", html.unescape(text))
    assert notes and not [n for n in notes if "“" in n or " > " in n or " = " in n], notes
    assert "» est supérieur à 0)" in html.unescape(text) and any("« Oui »" in n for n in notes), notes


def test_answers_are_saved_scored_and_read_back(client, world, case):
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    saved = client.post(page, form_data(answers()), follow=True)
    assert "The answers are recorded and scored." in saved.text
    response = Response.objects.get()
    assert response.follow_up == FollowUp.objects.get(case=case, round=1) and response.band == "sustainable"
    assert FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.DONE
    assert "100.0" in saved.text and "Sustainable" in saved.text and "Economic" in saved.text
    assert "Salaried work" in saved.text  # the answer read back by its label, not its code
    assert "Record the answers" not in saved.text  # a round is answered once
    again = client.post(page, form_data(answers()))  # a second tab's form, sent later
    assert again.status_code == 200 and "answered once" in again.text and Response.objects.count() == 1


def test_answers_before_the_window_are_refused_until_the_early_close_is_ticked(client, world, case):
    """Answers were saved on a round months from its window, scored as its outcome."""
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 2])
    shown = client.get(page).text
    assert "answers recorded now close the round early" in shown
    assert 'name="early"' in shown  # the confirmation, offered while the round is upcoming
    data = {**form_data(answers(debt_months="7")), "early": ""}
    refused = client.post(page, data)
    assert refused.status_code == 200 and "Round 2&#x27;s window opens on" in refused.text
    assert 'value="7"' in refused.text and not Response.objects.exists()  # the answers kept
    saved = client.post(page, {**data, "early": "on"}, follow=True)
    assert "The answers are recorded and scored." in saved.text
    assert Response.objects.get().follow_up == FollowUp.objects.get(case=case, round=2)


def test_a_round_stopped_by_the_closure_offers_no_questionnaire(client, world, case):
    FollowUp.objects.filter(case=case, round=3).update(status=FollowUpStatus.STOPPED)
    client.force_login(world.bob)
    page = client.get(reverse("follow_up_detail", args=[case.uuid, 3])).text
    assert "Record the answers" not in page and 'name="step" value="response"' not in page


def test_a_decimal_is_typed_and_read_as_the_language_writes_it(client, world, case):
    """French "1,5" was refused ("Saisissez un nombre."), and "1.5" read back as "1.5"."""
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    english = client.post(page, form_data(answers(debt_months="1,5")), HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 200 and not Response.objects.exists()  # not read as 15
    saved = client.post(page, form_data(answers(debt_months="1,5")), HTTP_ACCEPT_LANGUAGE="fr", follow=True)
    assert Response.objects.get().answers["debt_months"] == "1.5"  # as KoBo and ODK write it
    assert "<dd><bdi>1,5</bdi></dd>" in saved.text
    english_page = client.get(page, HTTP_ACCEPT_LANGUAGE="en").text
    assert "<dd><bdi>1.5</bdi></dd>" in english_page


def test_arabic_indic_digits_are_read_in_number_answers(client, world, case):
    """A "٣" typed on an Arabic keyboard was refused ("أدخل رقماً") in the questionnaire, where
    the needs assessment and the plan took it."""
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    client.post(page, form_data(answers(debt_months="١٫٥")), HTTP_ACCEPT_LANGUAGE="ar", follow=True)
    assert Response.objects.get().answers["debt_months"] == "1.5"


def test_each_problem_shows_on_its_question_and_typed_answers_stay(client, world, case):
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    bad = client.post(page, form_data(answers(days_reduced_meals="many", distress=...)))
    assert bad.status_code == 200 and not Response.objects.exists()
    text = bad.text
    assert 'id="response-q_days_reduced_meals_error"' in text and 'id="response-q_distress_error"' in text
    assert 'value="many"' in text  # kept as typed
    assert 'value="salaried" id="response-q_main_activity_5" checked' in text or (
        'value="salaried"' in text and "checked" in text
    )


def test_answers_to_questions_that_do_not_apply_are_dropped(client, world, case):
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    got = client.post(page, form_data(answers(access_to_resources=["none"], credit_source="a cousin")))
    assert got.status_code == 302, [line for line in got.text.splitlines() if "error" in line]
    assert "credit_source" not in Response.objects.get().answers


def test_a_reader_without_the_permission_sees_no_form_and_cannot_post(client, world, case):
    client.force_login(world.alice)  # the host-country counsellor: reads the case, does not monitor
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    assert "Record the answers" not in client.get(page).text
    assert client.post(page, form_data(answers())).status_code == 404
    assert not Response.objects.exists()


def rss():
    instrument = current_instrument("reintegration-sustainability")
    assert instrument is not None
    return instrument


def _low_response(world, case, round_number=1):
    follow_up = FollowUp.objects.get(case=case, round=round_number)
    day = timezone.localdate()
    response = record_response(
        world.bob, rss(), answers=answers(), collected_on=day, follow_up=follow_up, early=True
    )
    # The scores are the scorer's business (test_instrument_scoring): here only the band counts.
    Response.objects.filter(pk=response.pk).update(band="needs_follow_up")
    return response


def test_a_low_score_puts_the_case_on_my_work_until_someone_follows_it_up(world, case):
    assert "low_scores" not in {w.name for w in work_for(world.bob)}
    _low_response(world, case)
    names = {w.name: w for w in work_for(world.bob)}
    assert names["low_scores"].count == 1
    # The next open round, where a contact attempt or a visit is recorded: round 1's page,
    # answered, takes neither.
    assert names["low_scores"].items[0].url == reverse("follow_up_detail", args=[case.uuid, 2])
    # Not a round whose window has closed (missed): a visit there turned it into "done".
    FollowUp.objects.filter(case=case, round=2).update(
        window_start=timezone.localdate() - dt.timedelta(days=90),
        window_end=timezone.localdate() - dt.timedelta(days=30),
    )
    moved = {w.name: w for w in work_for(world.bob)}["low_scores"].items[0].url
    assert moved == reverse("follow_up_detail", args=[case.uuid, 3])
    FollowUp.objects.filter(case=case, round=2).update(
        window_start=timezone.localdate(), window_end=timezone.localdate() + dt.timedelta(days=60)
    )
    # The day once, in the list's date column: the label said it too.
    assert names["low_scores"].items[0].label == f"{case.reference} · low score"
    assert names["low_scores"].date_label == "Collected on"
    assert "low_scores" not in {w.name for w in work_for(world.alice)}  # does not monitor
    # A call nobody answered is no follow-up: the returnee stays on the list.
    ContactAttempt.objects.create(
        follow_up=FollowUp.objects.get(case=case, round=2),
        case=case,
        attempted_on=timezone.localdate(),
        channel="phone",
        outcome="wrong_number",
        recorded_by=world.bob,
        recorded_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert "low_scores" in {w.name for w in work_for(world.bob)}
    # Nor a call that reached them days before the answers, typed in after them.
    ContactAttempt.objects.create(
        follow_up=FollowUp.objects.get(case=case, round=2),
        case=case,
        attempted_on=timezone.localdate() - dt.timedelta(days=4),
        channel="phone",
        outcome="reached",
        recorded_by=world.bob,
        recorded_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert "low_scores" in {w.name for w in work_for(world.bob)}
    # Nor the visit the answers were collected at (their round's), recorded after them.
    from remis.monitoring.models import Visit

    Visit.objects.create(
        follow_up=FollowUp.objects.get(case=case, round=1),
        case=case,
        visited_on=timezone.localdate(),
        mode="in_person",
        recorded_by=world.bob,
        recorded_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert "low_scores" in {w.name for w in work_for(world.bob)}
    # A contact that reached them, recorded after the response, is the follow-up.
    ContactAttempt.objects.create(
        follow_up=FollowUp.objects.get(case=case, round=2),
        case=case,
        attempted_on=timezone.localdate(),
        channel="phone",
        outcome="reached",
        recorded_by=world.bob,
        recorded_at=timezone.now() + dt.timedelta(seconds=1),
    )
    assert "low_scores" not in {w.name for w in work_for(world.bob)}


def test_the_low_score_item_says_its_day_once_in_the_readers_words(world, case):
    """It wrote the ISO day, which an Arabic page turned into 08-10-2026 (8 Oct or 10 Aug?);
    then the formatted day twice: in the label and in the list's date column."""
    from django.utils import translation
    from django.utils.formats import date_format

    response = _low_response(world, case)
    for language, column in (("en", "Collected on"), ("fr", "Recueilli le"), ("ar", "تاريخ الجمع")):
        with translation.override(language):
            work = next(w for w in work_for(world.bob) if w.name == "low_scores")
            label = work.items[0].label
            assert date_format(response.collected_on, "SHORT_DATE_FORMAT") not in label, (language, label)
            assert response.collected_on.isoformat() not in label
            assert work.items[0].due == response.collected_on and work.date_label == column


def test_a_later_better_response_clears_the_low_score(world, case):
    low = _low_response(world, case)
    # Collected the day before (round 2's answers cannot be dated on round 1's day).
    Response.objects.filter(pk=low.pk).update(collected_on=timezone.localdate() - dt.timedelta(days=1))
    assert "low_scores" in {w.name for w in work_for(world.bob)}
    record_response(
        world.bob,
        rss(),
        answers=answers(),
        collected_on=timezone.localdate(),
        follow_up=FollowUp.objects.get(case=case, round=2),
        early=True,
    )
    assert "low_scores" not in {w.name for w in work_for(world.bob)}


def test_the_case_page_shows_each_rounds_score_and_the_trend_with_its_table(client, world, case):
    record_response(
        world.bob,
        rss(),
        answers=answers(income_covers_needs="never"),
        collected_on=timezone.localdate(),
        follow_up=FollowUp.objects.get(case=case, round=1),
        early=True,
    )
    client.force_login(world.bob)
    text = client.get(reverse("case_detail", args=[case.uuid])).text
    # economic (2*0 + 2 + 3) / 7 = 0.7143; composite (0.7143 + 1 + 1) / 3 = 0.9048
    assert ">90.5<" in text and ">71.4<" in text and "Sustainable" in text
    french = client.get(reverse("case_detail", args=[case.uuid]), HTTP_ACCEPT_LANGUAGE="fr").text
    assert ">90,5<" in french and ">71,4<" in french  # as French writes decimals, like amounts
    assert 'data-chart="monitoring-trend-spec"' in text
    assert '<script id="monitoring-trend-spec" type="application/json">' in text
    assert "vega-lite/v6" in text and "vendor/vega-embed.min.js" in text
    assert "Reintegration scores per response (0–100)" in text  # the table beside the chart
    assert "Recorded monitoring answers" in text and "monitoring.response<" not in text  # the history


def _answered_round_one(client, world, case) -> str:
    """Round 1 answered, bob signed in: the case page's address (it draws the trend)."""
    record_response(
        world.bob,
        rss(),
        answers=answers(),
        collected_on=timezone.localdate(),
        follow_up=FollowUp.objects.get(case=case, round=1),
        early=True,
    )
    client.force_login(world.bob)
    return reverse("case_detail", args=[case.uuid])


def _chart_on(client, url: str, language: str = "en") -> dict[str, Any]:
    """The Vega-Lite spec the case page writes for its score chart, in `language`."""
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).text
    found = re.search(r'id="monitoring-trend-spec" type="application/json">(.*?)</script>', page, re.S)
    assert found is not None, language
    spec: dict[str, Any] = json.loads(found.group(1))
    return spec


def test_an_anonymised_cases_chart_says_months_not_days(client, world, case):
    from remis.cases.models import Case

    url = _answered_round_one(client, world, case)
    by_day = _chart_on(client, url)["encoding"]["x"]["axis"]
    assert by_day["format"] == "%-d %b %Y"
    # One tick per day answered: by day too, Vega ticked every few hours ("22 Aug 2026" two
    # dozen times along the axis).
    answered = Response.objects.get(case=case).collected_on
    assert by_day["values"] == [
        {"year": answered.year, "month": answered.month, "date": answered.day, "utc": True}
    ]
    Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())  # as retention leaves it
    assert _chart_on(client, url)["encoding"]["x"]["axis"]["format"] == "%b %Y"
    # One tick per month answered (Vega's own ticks repeated a month's label), and the axis
    # in UTC, as Vega reads the days (a browser west of Greenwich showed the day before).
    Response.objects.filter(case=case).update(collected_on=dt.date(2024, 3, 1))
    x = _chart_on(client, url)["encoding"]["x"]
    assert x["axis"]["values"] == [{"year": 2024, "month": 3, "date": 1, "utc": True}]
    assert x["scale"]["type"] == "utc"


def test_the_chart_is_mirrored_on_a_right_to_left_page(client, world, case):
    url = _answered_round_one(client, world, case)
    specs = {language: _chart_on(client, url, language)["encoding"] for language in ("en", "fr", "ar")}
    for language in ("en", "fr"):
        assert specs[language]["x"]["scale"]["reverse"] is False
        assert specs[language]["y"]["axis"]["orient"] == "left"
    assert specs["ar"]["x"]["scale"]["reverse"] is True  # time runs from right to left
    assert specs["ar"]["y"]["axis"]["orient"] == "right"
    # Each date laid out right to left ("21 2026 نوفمبر" was drawn for 21 نوفمبر 2026).
    assert specs["ar"]["x"]["axis"]["labelExpr"] == "'\u2067' + datum.label + '\u2069'"
    assert "labelExpr" not in specs["en"]["x"]["axis"]


def test_the_chart_speaks_the_pages_language_and_keeps_its_colours(client, world, case):
    """The axis wrote ISO days (2026-08-10) on pages that write "10 août 2026"; the colours
    followed the labels' alphabetical order, so a dimension changed colour with the language;
    the score axis's title, turned on its side, broke Arabic text apart."""
    url = _answered_round_one(client, world, case)
    specs = {language: _chart_on(client, url, language) for language in ("en", "fr", "ar")}
    assert specs["fr"]["config"]["locale"]["time"]["shortMonths"][7] == "août"
    assert specs["fr"]["config"]["locale"]["time"]["months"][0] == "janvier"
    assert specs["en"]["config"]["locale"]["time"]["shortMonths"][11] == "Dec"
    assert specs["ar"]["config"]["locale"]["time"]["shortMonths"][0] == "يناير"
    colours = {
        language: dict(
            zip(
                spec["encoding"]["color"]["scale"]["domain"],
                spec["encoding"]["color"]["scale"]["range"],
                strict=True,
            )
        )
        for language, spec in specs.items()
    }
    assert len(colours["en"]) == 4  # three dimensions and the composite
    assert list(colours["en"].values()) == list(colours["fr"].values()) == list(colours["ar"].values())
    assert colours["en"]["Economic"] == colours["fr"]["Économique"] != colours["en"]["Social"]
    for language, spec in specs.items():
        assert spec["encoding"]["y"]["title"] is None, language
    assert specs["fr"]["title"]["subtitle"] == "Score (0–100)"
    assert specs["ar"]["title"]["anchor"] == "end" and specs["en"]["title"]["anchor"] == "start"


def test_the_charts_the_page_writes_are_valid_vega_lite(client, world, case):
    """Every variant of the chart the page writes (each language's direction, days and
    months, with its points and ticks) is valid Vega-Lite."""
    import altair as alt

    from remis.cases.models import Case

    url = _answered_round_one(client, world, case)
    for anonymised in (False, True):
        if anonymised:
            Case.objects.filter(pk=case.pk).update(anonymised_at=timezone.now())
        for language in ("en", "fr", "ar"):
            alt.Chart.from_dict(_chart_on(client, url, language), validate=True)  # raises if invalid


def test_the_case_page_draws_no_chart_before_any_answer(client, world, case):
    client.force_login(world.bob)
    text = client.get(reverse("case_detail", args=[case.uuid])).text
    assert "data-chart=" not in text and "vega" not in text


def test_satisfaction_with_an_item_of_the_plan_in_force_is_recorded_and_scored(
    client, world, django_capture_on_commit_callbacks
):
    from remis.assistance.tests.factories import approved_plan, case_at_plan, first_item, make_approvers

    with django_capture_on_commit_callbacks(execute=True):
        case = case_at_plan(world)
    cases.record_consent(
        world.alice, case, purpose="follow_up_contact", given=True, given_on=timezone.localdate()
    )
    item = first_item(approved_plan(world, case, make_approvers(world)[0]))
    client.force_login(world.bob)
    page = reverse("follow_up_detail", args=[case.uuid, 1])
    text = client.get(page).text
    assert "Record satisfaction with an assistance item" in text and str(item.key) in text
    data = {
        "step": "satisfaction",
        "item_key": str(item.key),
        "collected_on": timezone.localdate().isoformat(),
        "q_on_time": "agree",
        "q_fits_needs": "agree",
        "q_good_quality": "agree",
    }
    saved = client.post(page, data, follow=True)
    assert "The answers are recorded and scored." in saved.text
    response = Response.objects.get(instrument__code="assistance-satisfaction")
    assert response.item_key == item.key and response.follow_up is None and response.band == "satisfied"
    assert (
        FollowUp.objects.get(case=case, round=1).status == FollowUpStatus.SCHEDULED
    )  # not the round's answers
    section = saved.text.split('id="satisfaction"')[1]
    assert "75.0" in section and "Satisfied" in section
    # Collected today, months before round 1's window: listed apart, as another day's (every
    # round's page listed every answer alike, as if each its own).
    assert "1 answer collected on other days" in section
    assert "No satisfaction answers collected during this round" in section
    today = timezone.localdate()
    FollowUp.objects.filter(case=case, round=1).update(
        window_start=today - dt.timedelta(days=3), window_end=today + dt.timedelta(days=3)
    )
    section = client.get(page).text.split('id="satisfaction"')[1]
    assert "75.0" in section and "collected on other days" not in section
    forged = client.post(page, {**data, "item_key": "00000000-0000-0000-0000-000000000000"})
    assert forged.status_code == 200 and Response.objects.count() == 1  # only the plan's items


def test_every_low_score_is_listed_on_its_own_page_with_where_to_follow_it_up(world, case, client):
    """The home page shows the first five and linked nowhere else: a manager with 22 low
    scores could reach 5."""
    _low_response(world, case)
    (work,) = [w for w in work_for(world.bob) if w.name == "low_scores"]
    assert work.url == reverse("low_scores")
    client.force_login(world.bob)
    page = client.get(reverse("low_scores")).text
    assert case.reference in page and "Its next round" in page
    assert f'href="{reverse("follow_up_detail", args=[case.uuid, 2])}"' in page
    client.force_login(world.alice)  # does not record monitoring
    assert client.get(reverse("low_scores")).status_code == 403
