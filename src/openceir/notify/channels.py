"""Channels a message leaves by: console (the log), SMTP e-mail, an HTTP webhook for SMS.

A channel's `send` either hands the message over or raises `DeliveryError`; the outbox
retries on that error, so a channel never retries by itself. `channels_for` picks, per kind
of address, the channel the settings configure, and the console when none is.
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from openceir.errors import OpenceirError
from openceir.settings import Settings, SmsWebhookSettings, SmtpSettings

KINDS = ("sms", "email")
log = logging.getLogger("openceir.notify")


class DeliveryError(OpenceirError):
    """A channel could not hand a message over (the outbox will try again later)."""


@dataclass(frozen=True)
class Message:
    """One rendered message to one address (an MSISDN for sms, a mailbox for email)."""

    kind: str
    address: str
    subject: str
    body: str
    id: int | None = None


class Channel(Protocol):
    """Something that delivers a Message or raises DeliveryError."""

    name: str

    def send(self, message: Message) -> None:
        """Hand the message over, or raise DeliveryError saying why not."""


class ConsoleChannel:
    """Writes messages to the `openceir.notify` log: the default, for demos and tests."""

    name = "console"

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        """Log the message (never fails)."""
        self.sent.append(message)
        log.info("%s to %s: %s | %s", message.kind, message.address, message.subject, message.body)


class SmtpChannel:
    """E-mail through an SMTP relay (stdlib smtplib, optional STARTTLS and login)."""

    name = "smtp"

    def __init__(self, config: SmtpSettings) -> None:
        self.config = config

    def send(self, message: Message) -> None:
        """Send one e-mail; any SMTP or socket failure becomes a DeliveryError."""
        cfg = self.config
        mail = EmailMessage()
        mail["From"] = cfg.sender
        mail["To"] = message.address
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout) as smtp:
                if cfg.starttls:
                    smtp.starttls()
                if cfg.username:
                    smtp.login(cfg.username, cfg.password or "")
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP {cfg.host}:{cfg.port}: {exc}") from None


class SmsWebhookChannel:
    """SMS through a gateway's HTTP API: POST JSON {to, text, id}; any 2xx is accepted."""

    name = "sms-webhook"

    def __init__(self, config: SmsWebhookSettings) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        self.client = httpx.Client(headers=headers, timeout=config.timeout)  # kept alive

    def send(self, message: Message) -> None:
        """POST the message; a transport error or a non-2xx answer is a DeliveryError."""
        cfg = self.config
        payload = {"to": message.address, "text": message.body, "id": message.id}
        try:
            response = self.client.post(cfg.url, json=payload)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway {cfg.url}: {exc}") from None
        if not response.is_success:
            raise DeliveryError(f"SMS gateway {cfg.url} answered {response.status_code}")


def channels_for(settings: Settings) -> dict[str, Channel]:
    """The channel per address kind: SMTP and the SMS webhook when configured, else console."""
    console = ConsoleChannel()
    cfg = settings.notify
    return {
        "sms": SmsWebhookChannel(cfg.sms_webhook) if cfg.sms_webhook else console,
        "email": SmtpChannel(cfg.smtp) if cfg.smtp else console,
    }
