"""Programme pages, by concept: the list and each programme with its partners
(programmes.py), its settings (settings.py), and the shared configuration
(configuration.py)."""

from remis.programmes.views.configuration import (
    configuration_edit,
    configuration_list,
    configuration_move,
    configuration_new,
    configuration_set_active,
)
from remis.programmes.views.programmes import (
    partner_add,
    partner_edit,
    partner_remove,
    programme_detail,
    programme_edit,
    programme_list,
    programme_new,
    programme_set_active,
)
from remis.programmes.views.settings import programme_settings

__all__ = [
    "configuration_edit",
    "configuration_list",
    "configuration_move",
    "configuration_new",
    "configuration_set_active",
    "partner_add",
    "partner_edit",
    "partner_remove",
    "programme_detail",
    "programme_edit",
    "programme_list",
    "programme_new",
    "programme_set_active",
    "programme_settings",
]
