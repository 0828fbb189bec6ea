"""SMTP submission for applications: aiosmtpd listeners started by ``kootui serve``."""

from __future__ import annotations

from kootui.serve.smtp.listener import SmtpListeners, bind_smtp_sockets, check_smtp_listen

__all__ = ["SmtpListeners", "bind_smtp_sockets", "check_smtp_listen"]
