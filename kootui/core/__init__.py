"""The service layer. Every face (TUI, CLI, API, SMTP) calls into here.

Invariant: nothing under kootui.core imports Textual
(tests/unit/architecture/test_core_is_ui_free.py).
"""
