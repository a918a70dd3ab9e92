"""French that fits the person: a word agreed with the recorded sex (`Candidate.sex`, "F" or "M").

`agree("F", "né", "née")` → "née", `agree("M", "né", "née")` → "né"; the inclusive form ("né(e)") only
when the sex is unknown (blank, or a person whose sex is not recorded, such as a jury member). The words
are passed through gettext, so a translation catalogue may give them in another language.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FEMALE = "F"
MALE = "M"


def inclusive(masculine: str, feminine: str) -> str:
    """ "né", "née" → "né(e)"; "Candidat", "Candidate" → "Candidat(e)"; "il", "elle" → "il/elle"."""
    if feminine.startswith(masculine) and feminine != masculine:
        return f"{masculine}({feminine[len(masculine) :]})"
    if feminine == masculine:
        return masculine
    return f"{masculine}/{feminine}"


def agree(
    sex: str | None, masculine: str | Promise, feminine: str | Promise, unknown: str | Promise | None = None
) -> str:
    """The word that agrees with `sex`: feminine for "F", masculine for "M", else `unknown` (by default the
    inclusive form made from the two)."""
    masculine, feminine = gettext(str(masculine)), gettext(str(feminine))
    if sex == FEMALE:
        return feminine
    if sex == MALE:
        return masculine
    return gettext(str(unknown)) if unknown is not None else inclusive(masculine, feminine)


def agree_pair(sex: str | None, pair: str) -> str:
    """`agree` with the two forms in one string, "né,née" (an optional third form for the unknown sex:
    "né,née,né(e)"); what the template filter reads."""
    forms = [form.strip() for form in pair.split(",")]
    if len(forms) == 1:
        return agree(sex, forms[0], forms[0])
    return agree(sex, forms[0], forms[1], forms[2] if len(forms) > 2 else None)


# Attendance labels (evaluations.models.Attendance) as said of a woman; the masculine ones are the choices'.
_ATTENDANCE_FEMININE: dict[str, Promise] = {
    "expected": _("Attendue"),
    "present": _("Présente"),
    "absent": _("Absente"),
    "excluded": _("Exclue pour fraude"),
}
_ATTENDANCE_UNKNOWN: dict[str, Promise] = {
    "expected": _("Attendu(e)"),
    "present": _("Présent(e)"),
    "absent": _("Absent(e)"),
    "excluded": _("Exclu(e) pour fraude"),
}


def attendance_label(value: str, label: str | Promise, sex: str | None) -> str:
    """An attendance state said of its candidate: "Présente" for a woman, "Présent" for a man (the choice's
    own label `label`), "Présent(e)" when the sex is unknown; a state that is not the person's (a cancelled
    session) keeps its label."""
    if value not in _ATTENDANCE_FEMININE:
        return str(label)
    return agree(sex, label, _ATTENDANCE_FEMININE[value], _ATTENDANCE_UNKNOWN[value])


def lower_first(text: str | Promise) -> str:
    """A label in running text: its first letter in lower case, the rest as it is — "Formateur ou
    accompagnateur CQP" → "formateur ou accompagnateur CQP" (where `|lower` would give "cqp"). A first word
    in capitals (an acronym: "CPNEFP") is kept."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if not text or (len(first) > 1 and first.isupper()):
        return text
    return text[0].lower() + text[1:]
