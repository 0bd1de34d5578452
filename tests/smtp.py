"""A real SMTP server for tests: mail goes through Django's SMTP backend over a socket.

``smtp_sink`` starts (once per session) an aiosmtpd server on 127.0.0.1 at a free port,
empties it, and points Django's EMAIL_* settings at it for the test. It records each
accepted message; ``sink.refuse()`` makes it answer DATA with a temporary failure
("451 ...") until ``sink.accept()``, as a busy or greylisting mail server does.

    def test_mail(smtp_sink):
        send_mail("Hi", "Body", "from@example.org", ["to@example.org"])
        assert smtp_sink.messages[0]["Subject"] == "Hi"
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"
TEMPORARY_FAILURE = "451 4.3.0 Try again later"


@dataclass(frozen=True)
class Received:
    """One message the sink accepted, with its envelope."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    def __getitem__(self, header: str) -> str | None:
        """A header's decoded value as a mail client shows it (without the folding's leading space)."""
        value = self.message[header]
        return None if value is None else str(value).strip()

    def part(self, content_type: str) -> str:
        """The decoded text of the first ``content_type`` part ("text/plain", "text/html"), with \\n line ends."""
        for part in self.message.walk():
            if part.get_content_type() == content_type and not part.is_multipart():
                return part.get_content().replace("\r\n", "\n")
        raise KeyError(f"no {content_type} part in {self.message['Subject']!r}")


class SinkHandler:
    """aiosmtpd handler recording envelopes, or refusing them while ``refusing`` is set."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self.refusing: str | None = None
        self.refused = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            if self.refusing:
                self.refused += 1
                return self.refusing
            raw = envelope.original_content or b""
            message = message_from_bytes(raw, policy=default_policy)
            self._received.append(
                Received(mail_from=envelope.mail_from or "", rcpt_tos=tuple(envelope.rcpt_tos), message=message)
            )
        return "250 2.0.0 Message accepted for delivery"

    @property
    def messages(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self.refusing = None
            self.refused = 0

    def refuse(self, reply: str = TEMPORARY_FAILURE) -> None:
        """Answer every message with ``reply`` (a 4xx or 5xx SMTP reply) until ``accept()``."""
        self.refusing = reply

    def accept(self) -> None:
        self.refusing = None


@dataclass
class SmtpSink:
    """What a test holds: the server's address and its handler's records and switches."""

    host: str
    port: int
    handler: SinkHandler

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    @property
    def refused(self) -> int:
        return self.handler.refused

    def refuse(self, reply: str = TEMPORARY_FAILURE) -> None:
        self.handler.refuse(reply)

    def accept(self) -> None:
        self.handler.accept()

    def clear(self) -> None:
        self.handler.clear()

    def to(self, address: str) -> list[Received]:
        """Messages whose envelope includes ``address`` (To or Cc)."""
        return [received for received in self.messages if address in received.rcpt_tos]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _start(handler: SinkHandler) -> Controller:
    """Start the server on a free port; another process may grab the port first, so try a few."""
    last_error: OSError | None = None
    for _attempt in range(5):
        controller = Controller(handler, hostname=HOST, port=_free_port(), ready_timeout=10)
        try:
            controller.start()
        except OSError as error:
            last_error = error
            continue
        return controller
    raise RuntimeError(f"could not start the SMTP sink: {last_error}")


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpSink]:
    """The session's SMTP server; most tests want ``smtp_sink`` instead."""
    handler = SinkHandler()
    controller = _start(handler)
    try:
        yield SmtpSink(host=HOST, port=controller.port, handler=handler)
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink(smtp_server: SmtpSink, settings) -> Iterator[SmtpSink]:
    """The SMTP server, emptied and accepting, with Django sending mail to it for this test."""
    smtp_server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield smtp_server
    finally:
        smtp_server.clear()
