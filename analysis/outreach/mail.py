"""E-mail for invitations and reminders, through the SMTP server configured in ``secrets.toml``.

```toml
[smtp]
host = "smtp.example.org"
port = 587
from = "PEP 761 survey <survey@example.org>"
username = "survey"      # optional
password = "..."         # optional
starttls = true          # default true; false only for a server on localhost
```

Nothing is sent unless ``[smtp]`` is configured. Every recipient is one checked address (no
display names, no header injection: ``check_email`` and ``EmailMessage`` refuse CR/LF), and each
send is reported with its outcome, so one refused address does not hide the others.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from analysis.models import check_email

SMTP_TIMEOUT_S = 20


class MailConfigError(ValueError):
    """``[smtp]`` is present but unusable; the message says which key and why."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True


def configured_smtp_for_cli() -> SmtpConfig | None:
    """``[smtp]`` from the secrets files the app reads (``analysis.secrets_file``), for the CLI."""
    from analysis.secrets_file import SecretsFileError, load_secrets

    try:
        secrets, _found = load_secrets()
    except SecretsFileError as exc:
        raise MailConfigError(str(exc)) from None
    return smtp_config(secrets)


def smtp_config(secrets: Mapping[str, Any]) -> SmtpConfig | None:
    """The ``[smtp]`` section validated, or None when there is none."""
    section = secrets.get("smtp")
    if section is None:
        return None
    if not isinstance(section, Mapping):
        raise MailConfigError("[smtp] must be a table")
    host = section.get("host")
    if not isinstance(host, str) or not host.strip() or any(c.isspace() for c in host.strip()):
        raise MailConfigError("[smtp] host must be a host name")
    port = section.get("port", 587)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise MailConfigError("[smtp] port must be a number from 1 to 65535")
    sender = section.get("from")
    if not isinstance(sender, str):
        raise MailConfigError("[smtp] from must be an e-mail address")
    try:
        check_email(parseaddr(sender)[1])
    except ValueError:
        raise MailConfigError(f"[smtp] from is not an e-mail address: {sender[:80]!r}") from None
    if "\n" in sender or "\r" in sender:
        raise MailConfigError("[smtp] from must be one line")
    username, password = section.get("username"), section.get("password")
    for name, value in (("username", username), ("password", password)):
        if value is not None and not isinstance(value, str):
            raise MailConfigError(f"[smtp] {name} must be text")
    starttls = section.get("starttls", True)
    if not isinstance(starttls, bool):
        raise MailConfigError("[smtp] starttls must be true or false")
    return SmtpConfig(host.strip(), port, sender, username or None, password or None, starttls)


@dataclass(frozen=True)
class Outgoing:
    to: str
    subject: str
    body: str


@dataclass(frozen=True)
class Sent:
    to: str
    ok: bool
    error: str = ""


def _message(config: SmtpConfig, item: Outgoing) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.sender
    msg["To"] = check_email(item.to)
    msg["Subject"] = item.subject
    msg.set_content(item.body)
    return msg


def send(config: SmtpConfig, items: Sequence[Outgoing]) -> list[Sent]:
    """Send each message over one connection; a failure is reported per recipient, never raised."""
    if not items:
        return []
    try:
        client = smtplib.SMTP(config.host, config.port, timeout=SMTP_TIMEOUT_S)
    except (OSError, smtplib.SMTPException) as exc:
        reason = _connection_error(config, exc)
        return [Sent(i.to, False, reason) for i in items]
    results: list[Sent] = []
    try:
        client.ehlo()
        if config.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if config.username:
            client.login(config.username, config.password or "")
        for item in items:
            try:
                client.send_message(_message(config, item))
            except ValueError as exc:
                results.append(Sent(item.to, False, f"not sent: {exc}"))
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                results.append(Sent(item.to, False, f"refused by the server: {code} {text.decode(errors='replace')}"))
            except smtplib.SMTPResponseException as exc:
                results.append(Sent(item.to, False, f"refused by the server: {exc.smtp_code} {exc.smtp_error!r}"))
            else:
                results.append(Sent(item.to, True))
    except smtplib.SMTPAuthenticationError:
        return [Sent(i.to, False, "the SMTP server refused the username or password") for i in items]
    except smtplib.SMTPNotSupportedError as exc:
        return [Sent(i.to, False, f"the SMTP server does not support this: {exc}") for i in items]
    except (OSError, smtplib.SMTPException) as exc:
        done = {r.to for r in results}
        results += [Sent(i.to, False, _connection_error(config, exc)) for i in items if i.to not in done]
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
    return results


def _connection_error(config: SmtpConfig, exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"the SMTP server {config.host}:{config.port} did not answer in {SMTP_TIMEOUT_S} s"
    if isinstance(exc, ssl.SSLError):
        return f"STARTTLS with {config.host} failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing listens on {config.host}:{config.port}"
    return f"cannot talk to the SMTP server {config.host}:{config.port}: {exc}"


def invitation_mail(distributor: str, link: str, to: str) -> Outgoing:
    return Outgoing(
        to=to,
        subject=f"PEP 761 downstream survey: invitation for {distributor}",
        body=(
            f"Hello,\n\nthe Python Steering Council would like to hear from {distributor} about PEP 761 (CPython "
            "release artifacts signed with Sigstore only, no PGP from Python 3.14 on): when you fetch new Python "
            "releases, what blocks you from verifying Sigstore, and what happens to you in the worst case.\n\n"
            f"Your private survey link (keep it; it also lets you edit your answers later):\n{link}\n\nThank you."
        ),
    )
