"""Every write on plans, approvals and payments. Views, API endpoints and the demo call these."""

from remis.assistance.actions.approvals import (
    approve_plan,
    return_plan,
    set_approval_thresholds,
    submit_plan,
)
from remis.assistance.actions.payments import record_exchange_rate, record_instalment, void_instalment
from remis.assistance.actions.plans import (
    ItemData,
    add_goal,
    add_item,
    add_need,
    change_goal,
    change_item_status,
    change_need,
    open_new_version,
    record_agreement,
    remove_goal,
    remove_item,
    remove_need,
    set_proposal_rules,
    start_plan,
    update_item,
)

__all__ = [
    "ItemData",
    "add_goal",
    "add_item",
    "add_need",
    "approve_plan",
    "change_goal",
    "change_item_status",
    "change_need",
    "open_new_version",
    "record_agreement",
    "record_exchange_rate",
    "record_instalment",
    "remove_goal",
    "remove_item",
    "remove_need",
    "return_plan",
    "set_approval_thresholds",
    "set_proposal_rules",
    "start_plan",
    "submit_plan",
    "update_item",
    "void_instalment",
]
