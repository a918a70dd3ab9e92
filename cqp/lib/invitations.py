"""Signed invitations: a link e-mailed to an address links an existing account to a record (a candidate, a jury
member's proposal) once the account's owner, signed in, opens it. The link proves the mailbox, the session proves
the account."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import signing

DAYS = 30  # how long a link holds


def token(*, salt: str, key: str, pk: int, email: str) -> str:
    """The link's token for the record `pk` (named `key` in it), addressed to `email`."""
    return signing.dumps({key: pk, "email": email.lower()}, salt=salt)


def invited_pk(user: Any, value: str, *, salt: str, key: str, days: int = DAYS) -> int | None:
    """The pk of the record the invitation is for when it is addressed to this very account (signed in); None
    for a bad or expired link or another account (the caller answers 404: whose address it is is not for
    others to learn)."""
    try:
        data = signing.loads(value, salt=salt, max_age=dt.timedelta(days=days))
    except signing.BadSignature:
        return None
    if not (user.is_authenticated and isinstance(data, dict) and data.get("email") == user.email.lower()):
        return None
    pk = data.get(key)
    return pk if isinstance(pk, int) else None
