"""Reports as they come back to a bounce host, written by hand in the shapes of the RFCs and
of the big providers (their wording and fields, not copies of real mail): a Gmail-style and
an Outlook/Exchange Online-style RFC 3464 DSN, a delayed DSN, an RFC 5965 ARF complaint from
a feedback loop, an old Exchange-style plain-text bounce, and an out-of-office reply."""

from __future__ import annotations


def _crlf(text: str) -> bytes:
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


def _original_headers(verp: str, recipient: str, message_id: str) -> str:
    return (
        f"Return-Path: <{verp}>\n"
        f"From: News <news@example.com>\n"
        f"To: {recipient}\n"
        f"Subject: Hello\n"
        f"Message-ID: {message_id}\n"
        f"Date: Mon, 23 Nov 2026 15:30:00 +0000\n"
    )


def gmail_hard_bounce(verp: str, recipient: str, message_id: str) -> bytes:
    """Gmail's "Address not found": multipart/report, Status 5.1.1, the original attached."""
    return _crlf(
        f"""Return-Path: <>
Received: from mail-sor-f69.google.com (mail-sor-f69.google.com [209.85.220.69])
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {verp}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification (Failure)
Message-ID: <5f3a.1@mx.google.com>
Date: Mon, 23 Nov 2026 15:31:02 -0800
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000a1"; report-type=delivery-status

--000000000000a1
Content-Type: text/plain; charset="UTF-8"

** Address not found **

Your message wasn't delivered to {recipient} because the address couldn't be found,
or is unable to receive mail.

--000000000000a1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; relay.example.net
Arrival-Date: Mon, 23 Nov 2026 15:31:01 -0800 (PST)

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Remote-MTA: dns; gmail-smtp-in.l.google.com. (142.250.102.26)
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does
 not exist. Please try double-checking the recipient's email address for typos.
Last-Attempt-Date: Mon, 23 Nov 2026 15:31:02 -0800 (PST)

--000000000000a1
Content-Type: message/rfc822

{_original_headers(verp, recipient, message_id)}
Hello!

--000000000000a1--
"""
    )


def outlook_hard_bounce(verp: str, recipient: str, message_id: str) -> bytes:
    """Exchange Online's "Undeliverable:" NDR: Status 5.1.10, headers of the original only."""
    return _crlf(
        f"""From: postmaster@outlook.com
To: {verp}
Subject: Undeliverable: Hello
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="_004_NDR"
MIME-Version: 1.0
X-MS-Exchange-Message-Is-Ndr:

--_004_NDR
Content-Type: text/plain; charset="us-ascii"

Your message to {recipient} couldn't be delivered.
{recipient.split("@")[0]} wasn't found at {recipient.split("@")[1]}.

--_004_NDR
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.exchangelabs.com
Received-From-MTA: dns;relay.example.net
Arrival-Date: Mon, 23 Nov 2026 15:31:00 +0000

Original-Recipient: rfc822;{recipient}
Final-Recipient: rfc822;{recipient}
Action: failed
Status: 5.1.10
Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not
 found by SMTP address lookup

--_004_NDR
Content-Type: text/rfc822-headers

{_original_headers(verp, recipient, message_id)}
--_004_NDR--
"""
    )


def delayed_dsn(verp: str, recipient: str, message_id: str) -> bytes:
    """Postfix's "Delayed Mail (still being retried)": Action delayed, Status 4.4.1."""
    return _crlf(
        f"""From: MAILER-DAEMON@relay.example.net (Mail Delivery System)
To: {verp}
Subject: Delayed Mail (still being retried)
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host relay.example.net. Your message could not be
delivered for 4.0 hours. It will be retried until it is 5.0 days old.

--B1
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; relay.example.net

Final-Recipient: rfc822; {recipient}
Action: delayed
Status: 4.4.1
Diagnostic-Code: X-Postfix; connect to mx.example.org[192.0.2.1]:25: Connection
    timed out

--B1
Content-Type: text/rfc822-headers

{_original_headers(verp, recipient, message_id)}
--B1--
"""
    )


def arf_complaint(verp: str, recipient: str, message_id: str) -> bytes:
    """A feedback loop's RFC 5965 abuse report (Yahoo/Microsoft JMRP-like fields)."""
    return _crlf(
        f"""From: <feedbackloop@fbl.example.net>
Date: Mon, 23 Nov 2026 16:00:00 +0000
Subject: FW: Hello
To: {verp}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
     boundary="part1_13d.2e68ed54_boundary"

--part1_13d.2e68ed54_boundary
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP
192.0.2.10 on Mon, 23 Nov 2026 15:30:00 +0000.

--part1_13d.2e68ed54_boundary
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: SomeGenerator/1.0
Version: 1
Original-Mail-From: <{verp}>
Original-Rcpt-To: <{recipient}>
Arrival-Date: Mon, 23 Nov 2026 15:30:01 +0000
Reporting-MTA: dns; mail.fbl.example.net
Source-IP: 192.0.2.10

--part1_13d.2e68ed54_boundary
Content-Type: message/rfc822
Content-Disposition: inline

{_original_headers(verp, recipient, message_id)}
Hello!
--part1_13d.2e68ed54_boundary--
"""
    )


def exchange_legacy_bounce(verp: str, recipient: str) -> bytes:
    """An old Exchange NDR: plain text only, the code in the text."""
    return _crlf(
        f"""From: System Administrator <postmaster@corp.example.org>
To: {verp}
Subject: Undeliverable: Hello
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"

Your message did not reach some or all of the intended recipients.

      Subject:  Hello
      Sent:     23/11/2026 15:30

The following recipient(s) cannot be reached:

      {recipient} on 23/11/2026 15:31
            The e-mail account does not exist at the organization this message was sent to.
            <mx1.corp.example.org #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found>
"""
    )


def out_of_office(verp: str, recipient: str) -> bytes:
    """An out-of-office reply (RFC 3834) that quotes a failure-looking code in its text."""
    return _crlf(
        f"""From: Ann <{recipient}>
To: {verp}
Subject: Automatic reply: Hello
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset="utf-8"

I am out of the office until 30 November with no access to email (ref 550 5.1.1 is
just a ticket number). For urgent matters contact my colleague.
"""
    )
