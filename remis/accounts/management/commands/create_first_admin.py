"""Set up an empty deployment: the first organisation, its administrator and a platform
operator, each with a initial password printed once. Refuses once anyone exists."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from remis.accounts import actions
from remis.accounts.models import Organisation, OrganisationType, User
from remis.accounts.system import SYSTEM_USERNAME, system_actor
from remis.lib.errors import DomainError


class Command(BaseCommand):
    help = "Create the first organisation, its administrator and a platform operator on an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="e.g. 'IOM Niger'")
        parser.add_argument("--country", required=True, help="ISO 3166 alpha-2 code of its office")
        parser.add_argument("--kind", default=OrganisationType.IOM_MISSION, choices=OrganisationType.values)
        parser.add_argument("--admin", required=True, help="username of the organisation's administrator")
        parser.add_argument("--operator", required=True, help="username of the platform operator")

    def handle(self, *args: Any, **options: Any) -> None:
        if Organisation.objects.exists() or User.objects.exclude(username=SYSTEM_USERNAME).exists():
            raise CommandError("This database already has organisations or users: nothing was created.")
        if options["admin"] == options["operator"]:
            raise CommandError("The administrator and the platform operator must be two accounts.")
        system = system_actor()
        passwords = {name: secrets.token_urlsafe(12) for name in (options["admin"], options["operator"])}
        try:
            with transaction.atomic():
                org = actions.create_organisation(
                    system, name=options["organisation"], kind=options["kind"], country=options["country"]
                )
                for username, role in (
                    (options["admin"], "administrator"),
                    (options["operator"], "platform_operator"),
                ):
                    user = actions.create_user(system, username=username, password=passwords[username])
                    actions.add_membership(
                        system, user=user, organisation=org, role=role, countries=[], all_countries=True
                    )
        except DomainError as error:
            raise CommandError(f"{error.field or 'input'}: {error.message}") from error
        self.stdout.write(f"Created {org.name} ({org.country}).")
        for username, password in passwords.items():
            self.stdout.write(f"  {username}  initial password: {password}")
        self.stdout.write("Pass each password on privately; it is not shown again.")
