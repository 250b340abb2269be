"""manage.py load_demo: the demo world and a few thousand synthetic cases, once.

A second run finds the data and only prints the logins again.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from remis.accounts.models import User
from remis.cases.models import Case
from remis.demo.community_projects import build_community_projects
from remis.demo.generator import generate_cases
from remis.demo.indicators import build_indicator_targets
from remis.demo.journeys import play_journeys
from remis.demo.monitoring import play_monitoring
from remis.demo.packages import request_demo_packages
from remis.demo.plans import play_plans
from remis.demo.referrals import play_referrals
from remis.demo.retention import apply_demo_retention
from remis.demo.service_map import build_service_map
from remis.demo.two_factor import demo_authenticator_secret
from remis.demo.world import DEMO_PASSWORD, build_world


class Command(BaseCommand):
    help = "Load the synthetic demo dataset (skipped if cases exist) and print a login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=3000, help="how many synthetic cases to generate")

    def handle(self, *args: Any, **options: Any) -> None:
        fresh = not Case.objects.exists()
        if not fresh:
            self.stdout.write("Demo data already loaded; reusing it.")
            world = build_world()
        else:
            self.stdout.write(f"Loading the demo dataset ({options['cases']:,} synthetic cases)…")
            world = build_world()
            generate_cases(options["cases"], seed=2026)
            play_journeys(world)
            play_plans()
        build_service_map()  # also into a demo database loaded before the service map existed
        if fresh:
            play_referrals()  # after the map: referrals go to its providers
            play_monitoring()  # after the plans: trends differ by the assistance received
            apply_demo_retention()  # last: the cases it anonymises are complete
        build_community_projects()  # also into a demo database loaded before projects existed
        build_indicator_targets()  # the core framework's second version, with targets
        request_demo_packages()  # built by the worker bin/demo starts beside the server
        self.stdout.write("")
        port = os.environ.get("REMIS_DEMO_PORT", "8000")  # bin/demo's port
        self.stdout.write(self.style.SUCCESS(f"REMIS demo: http://127.0.0.1:{port}/"))
        self.stdout.write(f"Every demo user's password is: {DEMO_PASSWORD}")
        self.stdout.write(
            "Signing in then asks for a 6-digit code: add the user's authenticator secret below to an "
            "authenticator app (or run: oathtool --totp -b SECRET)."
        )
        self.stdout.write(f"  {'username':<16} {'role':<18} {'authenticator secret':<34} organisation")
        for username, role, organisation in world.logins:
            secret = demo_authenticator_secret(User.objects.get(username=username))
            self.stdout.write(f"  {username:<16} {role:<18} {secret:<34} {organisation}")
        self.stdout.write("")
