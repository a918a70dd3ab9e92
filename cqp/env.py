"""Typed readers of environment variables that fail loudly on a bad value.

Every setting comes from the environment; a typo must stop the start-up with a message naming the
variable, never fall back silently to a default.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} n'est pas un booléen : utilisez true/false, 1/0, yes/no ou on/off.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} n'est pas un nombre entier.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} est trop petit (minimum {minimum}).")
    if maximum is not None and number > maximum:
        raise ImproperlyConfigured(f"{name}={number} est trop grand (maximum {maximum}).")
    return number


def env_list(name: str, default: list[str] | None = None, *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ImproperlyConfigured(
            f"{name}={value!r} n'est pas une valeur permise : choisissez parmi {', '.join(choices)}."
        )
    return value


def env_url(name: str, schemes: tuple[str, ...], *, environ: Mapping[str, str] | None = None) -> str | None:
    """A URL whose scheme is one of `schemes`, or None when the variable is unset."""
    value = _raw(name, environ)
    if value is None:
        return None
    scheme, sep, _rest = value.partition("://")
    if not sep or scheme not in schemes:
        raise ImproperlyConfigured(
            f"{name} doit être une URL commençant par {' ou '.join(s + '://' for s in schemes)} "
            f"(reçu : {value.split('@')[-1]!r})."
        )
    return value


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _is_local_host(host: str) -> bool:
    """127.0.0.1, ::1, 0.0.0.0, localhost and *.localhost: an address that only this machine reaches."""
    lowered = host.lower().rstrip(".")
    if lowered in _LOOPBACK_NAMES or lowered.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(lowered)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def site_url(value: str | None, *, debug: bool, port: int) -> str:
    """The app's public address (`SITE_URL`, without a trailing slash), printed in e-mails and, with its QR code,
    on parchments kept for years.

    Unset in development (DEBUG on), it follows the address `make run` serves: http://127.0.0.1:<PORT>. In
    production (DEBUG off) it must be given, in http(s), and name an address others reach: neither localhost
    nor 127.0.0.1. A bad value stops the start-up with a message saying what to set."""
    example = "ex. : SITE_URL=https://cqp.example.org"
    if value is None or value.strip() == "":
        if not debug:
            raise ImproperlyConfigured(
                "SITE_URL est obligatoire quand DEBUG est désactivé : c'est l'adresse publique de l'application, "
                f"imprimée sur les parchemins (QR code de vérification) et dans les e-mails ({example})."
            )
        return f"http://127.0.0.1:{port}"
    value = value.strip().rstrip("/")
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a port that is not a number raises ValueError)
    except ValueError:
        host = ""
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not host or parts.query or parts.fragment or " " in value:
        raise ImproperlyConfigured(
            f"SITE_URL={value!r} n'est pas une adresse web : donnez l'adresse publique de l'application, "
            f"commençant par https:// ou http:// ({example})."
        )
    if not debug and _is_local_host(host):
        raise ImproperlyConfigured(
            f"SITE_URL={value!r} désigne cette machine ({host}) : en production (DEBUG désactivé), donnez "
            "l'adresse publique par laquelle candidats et employeurs joignent l'application, imprimée sur les "
            f"parchemins et dans les e-mails ({example})."
        )
    return value
