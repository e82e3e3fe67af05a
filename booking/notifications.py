"""E-mails to runners. Filled in by the reminders work; until then, nothing is sent."""


def send_session_email(session_id: int, kind: str) -> None:
    return None
