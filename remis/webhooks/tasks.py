"""The worker's side: one django-tasks task sends what is due, then asks to run again when
the next retry falls due (`run_after`), so backoff needs no polling loop. Enqueued on commit
by the outbox and by resuming a subscription; extra runs find nothing to claim."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task


@task()
def deliver_webhooks() -> None:
    from remis.webhooks.delivery import deliver_due, next_due

    sent = deliver_due()
    due = next_due()
    if due is None:
        return
    if due <= timezone.now() and sent:
        deliver_webhooks.enqueue()  # more than one run's worth was waiting
    elif due > timezone.now():
        deliver_webhooks.using(run_after=due).enqueue()
