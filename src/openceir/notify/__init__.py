"""Notifications: channels (console, SMTP, SMS webhook), templates, the outbox, one-time codes.

Layer 3: used by cases and registry. Write a message with `enqueue` inside the transaction
of the change it reports; `flush` (or `openceir notify flush --loop`) sends it.
"""

from openceir.notify import otp
from openceir.notify.channels import (
    Channel,
    ConsoleChannel,
    DeliveryError,
    Message,
    SmsWebhookChannel,
    SmtpChannel,
    channels_for,
)
from openceir.notify.outbox import FlushResult, backoff, enqueue, flush, pending, retry_failed
from openceir.notify.templates import render

__all__ = [
    "Channel",
    "ConsoleChannel",
    "DeliveryError",
    "FlushResult",
    "Message",
    "SmsWebhookChannel",
    "SmtpChannel",
    "backoff",
    "channels_for",
    "enqueue",
    "flush",
    "otp",
    "pending",
    "render",
    "retry_failed",
]
