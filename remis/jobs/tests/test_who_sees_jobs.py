"""A job is seen by its owner only, on the Jobs page and in the API: another's is 404."""

from __future__ import annotations

from remis.accounts.tests.tokens import bearer_key
from remis.jobs import actions
from remis.jobs.models import Job, JobStatus
from remis.jobs.runner import execute


def _bearer(user):
    raw = bearer_key(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_lists_only_the_token_owners_jobs(client, world, alice, carol, test_kinds):
    mine = actions.start_job(alice, "test.count")
    actions.start_job(carol, "test.count")
    execute(mine.pk)

    response = client.get("/api/v1/jobs", **_bearer(alice))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == str(mine.uuid)
    assert item["status"] == "succeeded"
    assert (item["done"], item["total"]) == (3, 3)
    assert item["outcome"] == "Counted to three."


def test_another_persons_job_is_not_found_in_the_api(client, world, alice, carol, test_kinds):
    theirs = actions.start_job(carol, "test.count")

    assert client.get(f"/api/v1/jobs/{theirs.uuid}", **_bearer(alice)).status_code == 404
    assert client.get(f"/api/v1/jobs/{theirs.uuid}", **_bearer(carol)).status_code == 200


def test_starting_a_job_through_the_api_is_checked_like_the_page(client, world, alice, olga):
    refused = client.post(
        "/api/v1/jobs", {"kind": "audit.verify_chain"}, content_type="application/json", **_bearer(alice)
    )
    started = client.post(
        "/api/v1/jobs", {"kind": "audit.verify_chain"}, content_type="application/json", **_bearer(olga)
    )

    assert refused.status_code == 403
    assert started.status_code == 202
    assert started.json()["status"] == "queued"
    assert Job.objects.get().owner == olga


def test_the_jobs_page_shows_progress_and_polls_while_a_job_is_active(client, world, alice, test_kinds):
    job = actions.start_job(alice, "test.count")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=1, total=3)
    client.force_login(alice)

    page = client.get("/jobs/").content.decode()

    assert '<progress max="3" value="1">' in page
    assert 'data-hx-trigger="every 2s"' in page
    assert "Cancel" in page


def test_the_jobs_page_stops_polling_once_every_job_finished(client, world, alice, test_kinds):
    execute(actions.start_job(alice, "test.count").pk)
    client.force_login(alice)

    partial = client.get("/jobs/", HTTP_HX_REQUEST="true").content.decode()

    assert "Counted to three." in partial
    assert "data-hx-trigger" not in partial
    assert "<html" not in partial  # htmx asks for the table alone


def test_the_jobs_page_has_an_empty_state_and_offers_only_what_the_user_may_start(client, world, alice, olga):
    client.force_login(alice)
    page = client.get("/jobs/").content.decode()
    assert "You have not started any job." in page
    assert "Verify the audit log" not in page

    client.force_login(olga)
    page = client.get("/jobs/").content.decode()
    assert "Verify the audit log" in page
    # Irreversible work asks first (one click anonymised every expired case).
    client.force_login(world.admin)
    page = client.get("/jobs/").content.decode()
    assert 'data-confirm="Anonymise now every closed case kept longer than its retention period?' in page


def test_an_administrator_starts_the_verification_from_the_jobs_page(client, world, olga):
    client.force_login(olga)

    response = client.post("/jobs/start/", {"kind": "audit.verify_chain"}, follow=True)

    assert response.status_code == 200
    assert Job.objects.get().kind == "audit.verify_chain"
    assert "The job is queued." in response.content.decode()


def test_nobody_cancels_another_persons_job(client, world, alice, carol, test_kinds):
    theirs = actions.start_job(carol, "test.count")
    client.force_login(alice)

    assert client.post(f"/jobs/{theirs.uuid}/cancel/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == JobStatus.QUEUED


def test_the_jobs_page_reads_a_fixed_number_of_queries(
    client, world, alice, test_kinds, django_assert_max_num_queries
):
    for _ in range(30):
        actions.start_job(alice, "test.count")
    client.force_login(alice)

    with django_assert_max_num_queries(8):
        response = client.get("/jobs/")

    assert response.content.decode().count("<progress") == 0  # queued: no progress bar yet
    assert "Page 1 of 2" in response.content.decode()
