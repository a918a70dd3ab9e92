"""Pure rules of the VAE route (no database): which versions offer it, when an admissibility file may be sent,
decided, completed; how long an admissibility holds; when the declarative file may be sent; and the one rule the
placement in a session asks: a VAE candidate sits only once admissible (still valid) with their declarative file
sent. Every refusal names its rule, in French.

The RNCP 31313 fiche lists the steps of the route (dossier de recevabilité, dossier déclaratif with technical
documents, positioning by an evaluation jury approved by the CPNEFP, evaluation) but says nothing of durations:
the one year of experience related to the certification is the legal requirement the issue names, and how long
an admissibility holds is a constant of ours (`VALIDITY_YEARS`), to confirm with the certifier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

VAE = "vae"
EXPERIENCE_MONTHS_MIN = 12  # at least one year of experience related to the certification
EXPERIENCE_MONTHS_MAX = 600  # fifty years: beyond, a typing error
VALIDITY_YEARS = 3  # not in the seeds nor DOMAIN.md: a constant, to confirm with the certifier
MAX_ADMISSIBILITY_DOCUMENTS = 10
MAX_TECHNICAL_DOCUMENTS = 10

OPEN = ("draft", "incomplete")  # the candidate may still change the file and add pieces
DECIDED = ("admissible", "incomplete", "not_admissible")


def route_refusal(access_routes: Iterable[str]) -> str | None:
    """A VAE file goes with a version that offers the VAE route."""
    if VAE not in access_routes:
        return _("Voie d'accès : cette certification n'est pas ouverte à la VAE.")
    return None


def new_file_refusal(*, open_file: bool, admissible_until: dt.date | None, today: dt.date) -> str | None:
    """One file at a time per certification: none while another is in preparation, sent or incomplete, nor while
    an admissibility still holds."""
    if open_file:
        return _("Un dossier de recevabilité est déjà en cours pour cette certification : complétez-le.")
    if admissible_until is not None and today <= admissible_until:
        return _("Vous êtes déjà recevable pour cette certification, jusqu'au %(d)s.") % {
            "d": date_format(admissible_until)
        }
    return None


def experience_refusal(months: int) -> str | None:
    """The experience declared, in months: bounded, and a year at least for an admissible file."""
    if months < 0 or months > EXPERIENCE_MONTHS_MAX:
        return _("Durée de l'expérience : entre 0 et %(max)d mois.") % {"max": EXPERIENCE_MONTHS_MAX}
    return None


def change_refusal(status: str) -> str | None:
    """A file is changed (experience, pieces) by the candidate while in preparation or incomplete."""
    if status not in OPEN:
        return _(
            "Dossier de recevabilité : il ne se modifie qu'en préparation ou déclaré incomplet ; "
            "celui-ci est « %(status)s »."
        ) % {"status": status_label(status)}
    return None


def document_refusal(*, status: str, count: int) -> str | None:
    """A piece of the admissibility file is added while the file may change, within the bound."""
    refusal = change_refusal(status)
    if refusal is not None:
        return refusal
    if count >= MAX_ADMISSIBILITY_DOCUMENTS:
        return _("Dossier de recevabilité : %(max)d pièces au plus.") % {"max": MAX_ADMISSIBILITY_DOCUMENTS}
    return None


def submit_refusal(*, status: str, documents: int) -> str | None:
    """A file is sent to the certifier (first or again, once completed) with at least one piece."""
    refusal = change_refusal(status)
    if refusal is not None:
        return refusal
    if documents == 0:
        return _("Dossier de recevabilité : joignez au moins une pièce (le dossier rempli) avant de le transmettre.")
    return None


def decision_refusal(*, status: str, decision: str, missing: str, reason: str, experience_months: int) -> str | None:
    """The certifier decides a file sent to it, once: admissible (a year of experience at least), incomplete
    (saying what is missing) or not admissible (with the reason)."""
    if status != "submitted":
        return _(
            "Décision de recevabilité : seul un dossier transmis et en attente se décide ; celui-ci est « %(s)s »."
        ) % {"s": status_label(status)}
    if decision not in DECIDED:
        return _("Décision de recevabilité : recevable, incomplet ou non recevable.")
    if decision == "incomplete" and not missing.strip():
        return _("Dossier incomplet : dites au candidat ce qui manque.")
    if decision == "not_admissible" and not reason.strip():
        return _("Dossier non recevable : le motif est obligatoire.")
    if decision == "admissible" and experience_months < EXPERIENCE_MONTHS_MIN:
        return _(
            "Recevabilité : au moins un an (%(min)d mois) d'expérience en lien avec la certification est exigé ; "
            "le candidat en déclare %(n)d."
        ) % {"min": EXPERIENCE_MONTHS_MIN, "n": experience_months}
    return None


def valid_until(decided_on: dt.date) -> dt.date:
    """The last day an admissibility holds: `VALIDITY_YEARS` years after the decision (28 February for a 29th)."""
    year = decided_on.year + VALIDITY_YEARS
    try:
        return decided_on.replace(year=year)
    except ValueError:
        return decided_on.replace(year=year, day=28)


def admissible_on(*, status: str, until: dt.date | None, on: dt.date) -> bool:
    return status == "admissible" and until is not None and on <= until


def declarative_refusal(*, status: str, until: dt.date | None, today: dt.date, sent: bool) -> str | None:
    """The declarative file (and its technical documents) comes after the admissibility, still valid, once."""
    if sent:
        return _("Dossier déclaratif : il a déjà été transmis, il ne se modifie plus.")
    if status != "admissible":
        return _("Dossier déclaratif : il se dépose une fois le dossier de recevabilité déclaré recevable.")
    if not admissible_on(status=status, until=until, on=today):
        return _(
            "Dossier déclaratif : la recevabilité a expiré le %(d)s ; déposez un nouveau dossier de recevabilité."
        ) % {"d": date_format(until) if until else "—"}
    return None


def technical_refusal(*, count: int) -> str | None:
    if count >= MAX_TECHNICAL_DOCUMENTS:
        return _("Dossier déclaratif : %(max)d documents techniques au plus.") % {"max": MAX_TECHNICAL_DOCUMENTS}
    return None


def declarative_submit_refusal(*, has_declarative: bool) -> str | None:
    if not has_declarative:
        return _("Dossier déclaratif : déposez d'abord le dossier déclaratif rempli.")
    return None


def placement_refusal(
    *, name: str, route: str, status: str | None, until: dt.date | None, on: dt.date, declarative_sent: bool
) -> str | None:
    """A VAE candidate is placed in a session only once their admissibility file is decided admissible, still valid
    on the session's first day `on`, and their declarative file sent. Other routes: nothing to say."""
    if route != VAE:
        return None
    if status is None:
        return _(
            "Voie VAE : %(name)s n'a pas de dossier de recevabilité pour cette certification ; il doit être déposé "
            "et déclaré recevable avant toute inscription à une session."
        ) % {"name": name}
    if status != "admissible":
        return _(
            "Voie VAE : le dossier de recevabilité de %(name)s est « %(status)s » ; il doit être déclaré recevable "
            "avant toute inscription à une session."
        ) % {"name": name, "status": status_label(status)}
    if not admissible_on(status=status, until=until, on=on):
        return _(
            "Voie VAE : la recevabilité de %(name)s n'est plus valable le premier jour de la session (jusqu'au %(d)s)."
        ) % {"name": name, "d": date_format(until) if until else "—"}
    if not declarative_sent:
        return _(
            "Voie VAE : %(name)s est recevable mais n'a pas encore transmis son dossier déclaratif ; il est exigé "
            "avant toute inscription à une session."
        ) % {"name": name}
    return None


def positioning_refusal(*, declarative_sent: bool) -> str | None:
    """The jury positions the candidate from their declarative file: once it is sent."""
    if not declarative_sent:
        return _("Positionnement : le jury se positionne sur le dossier déclaratif, qui n'est pas encore transmis.")
    return None


def status_label(status: str) -> str:
    from vae.models import AdmissibilityStatus

    return str(dict(AdmissibilityStatus.choices).get(status, status)).lower()


def duration_label(months: int) -> str:
    """A duration in months, in words: « 1 an et 3 mois », « 8 mois », « 2 ans »."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(ngettext("%(n)d an", "%(n)d ans", years) % {"n": years})
    if rest or not years:
        parts.append(_("%(n)d mois") % {"n": rest})
    return _(" et ").join(parts)


def age_days(since: dt.date, today: dt.date) -> int:
    return max((today - since).days, 0)
