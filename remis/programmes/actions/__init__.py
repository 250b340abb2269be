"""Every write on programmes, their partners, funders and settings, country groupings, and
the shared configuration (migrant categories, vulnerabilities).

A programme is changed only by whoever manages it (`queries.manages_programme`); every
change to it or its partners raises `Programme.version`, and an edit carrying an older
version is refused (Conflict). Configuration items are the platform operator's
(platform.manage) and are never deleted, only retired: cases keep naming them."""

from remis.programmes.actions.common import check_programme_version
from remis.programmes.actions.configuration import (
    create_configuration_item,
    move_configuration_item,
    set_configuration_item_active,
    update_configuration_item,
)
from remis.programmes.actions.partners import add_partner, change_partner_countries, remove_partner
from remis.programmes.actions.programmes import (
    change_programme_settings,
    create_grouping,
    create_programme,
    set_programme_active,
    set_programme_funders,
    update_programme,
)

__all__ = [
    "add_partner",
    "change_partner_countries",
    "change_programme_settings",
    "check_programme_version",
    "create_configuration_item",
    "create_grouping",
    "create_programme",
    "move_configuration_item",
    "remove_partner",
    "set_configuration_item_active",
    "set_programme_active",
    "set_programme_funders",
    "update_configuration_item",
    "update_programme",
]
