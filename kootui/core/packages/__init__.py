"""Packages of emails: the catalogue (add, list, show, remove, the quota policy), the
units messages use (charged and given back in the engine's transactions) and the figures
the faces show.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.packages.catalogue import (
    PackageView,
    QuotaPolicy,
    add_package,
    find_package,
    get_package,
    get_policy,
    list_packages,
    package_rows,
    parse_day,
    remove_package,
    set_policy,
)
from kootui.core.packages.ledger import (
    Allowance,
    charge_table,
    charge_units,
    charged_among,
    read_allowance,
    refund_units,
)
from kootui.core.packages.usage import QuotaUsage, month_start, quota_usage, recount_charges

__all__ = [
    "Allowance",
    "PackageView",
    "QuotaPolicy",
    "QuotaUsage",
    "add_package",
    "charge_table",
    "charge_units",
    "charged_among",
    "find_package",
    "get_package",
    "get_policy",
    "list_packages",
    "month_start",
    "package_rows",
    "parse_day",
    "quota_usage",
    "read_allowance",
    "recount_charges",
    "refund_units",
    "remove_package",
    "set_policy",
]
