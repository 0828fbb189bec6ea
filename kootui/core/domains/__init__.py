"""Sender domains: names, create/rename/delete, DKIM keys and rotation, verification
against DNS, the background re-check and the DNS doctor.

This module is the package's face: other packages import from here only."""

from __future__ import annotations

from kootui.core.domains.check_loop import CHECK_INTERVAL_SECONDS, change_notice, run_domain_checks
from kootui.core.domains.dkim_keys import (
    add_key,
    finish_rotation,
    generate_key_pair,
    load_signing_key,
    next_selector,
    start_rotation,
)
from kootui.core.domains.doctor import (
    DoctorReport,
    RecordDiagnosis,
    ServerFinding,
    doctor_report,
    save_zone_snippet,
    txt_strings,
    zone_snippet,
)
from kootui.core.domains.listing import list_domains, required_text, unchecked_note
from kootui.core.domains.names import display_domain_name, normalize_domain_name, search_form
from kootui.core.domains.service import (
    DOMAIN_STATUS_LABELS,
    RECORD_STATUS_LABELS,
    DomainView,
    RecordView,
    addresses_using,
    create_domain,
    current_expected_records,
    delete_domain,
    domain_records,
    find_domain,
    get_domain,
    rename_domain,
    require_verified_domain,
    verified_domains,
)
from kootui.core.domains.verification import (
    VerificationOutcome,
    due_for_check,
    next_check_time,
    verify_domain,
    verify_due_domains,
)

__all__ = [
    "CHECK_INTERVAL_SECONDS",
    "DOMAIN_STATUS_LABELS",
    "RECORD_STATUS_LABELS",
    "DoctorReport",
    "DomainView",
    "RecordDiagnosis",
    "RecordView",
    "ServerFinding",
    "VerificationOutcome",
    "add_key",
    "addresses_using",
    "change_notice",
    "create_domain",
    "current_expected_records",
    "delete_domain",
    "display_domain_name",
    "doctor_report",
    "domain_records",
    "due_for_check",
    "find_domain",
    "finish_rotation",
    "generate_key_pair",
    "get_domain",
    "list_domains",
    "load_signing_key",
    "next_check_time",
    "next_selector",
    "normalize_domain_name",
    "rename_domain",
    "require_verified_domain",
    "required_text",
    "run_domain_checks",
    "save_zone_snippet",
    "search_form",
    "start_rotation",
    "txt_strings",
    "unchecked_note",
    "verified_domains",
    "verify_domain",
    "verify_due_domains",
    "zone_snippet",
]
