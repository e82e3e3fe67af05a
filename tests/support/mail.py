"""Real e-mail backends for the tests (not mocks): one that fails, one that is slow."""

import os
import smtplib
import threading
import time

from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FlakyBackend(LocmemBackend):
    """Fails the first `FAILURES` sends the way an SMTP server going away does, then
    delivers to the locmem outbox."""

    FAILURES = 1
    _lock = threading.Lock()
    _failed = 0

    @classmethod
    def reset(cls, failures: int = 1) -> None:
        cls.FAILURES = failures
        cls._failed = 0

    def send_messages(self, messages):
        with self._lock:
            if FlakyBackend._failed < self.FAILURES:
                FlakyBackend._failed += 1
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class SlowFileBackend(FileBackend):
    """Waits before writing each message to its file, so a test can kill a worker while
    a message is on its way."""

    def send_messages(self, messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_DELAY", "2")))
        return super().send_messages(messages)


class SlowLocmemBackend(LocmemBackend):
    """Holds each send a moment, so two workers racing for one reminder overlap."""

    DELAY = 0.3

    def send_messages(self, messages):
        time.sleep(self.DELAY)
        return super().send_messages(messages)
