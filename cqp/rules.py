"""Règles de décision du CQP : validation d'un bloc et issue de la certification.

Module pur : bibliothèque standard uniquement, ni Django, ni base de données,
ni entrée/sortie. Toutes les comparaisons de seuil se font en entiers, jamais en
flottants, pour qu'un jury obtienne exactement la même décision qu'à la main
(3 compétences acquises sur 5 = 60 %, ce qui atteint un seuil de 60 %).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = [
    "ACQUIRED",
    "NOT_ACQUIRED",
    "BlockDecision",
    "IncompleteGrid",
    "Outcome",
    "OutcomeKind",
    "certification_outcome",
    "minimum_acquired",
    "validate_block",
]

ACQUIRED = "A"
NOT_ACQUIRED = "NA"

OutcomeKind = Literal["total", "partial", "none"]

_VALID_GRADES = (ACQUIRED, NOT_ACQUIRED)


def _expected() -> str:
    return _("attendu « %(acquired)s » ou « %(not_acquired)s »") % {"acquired": ACQUIRED, "not_acquired": NOT_ACQUIRED}


class IncompleteGrid(ValueError):
    """La grille d'évaluation d'un bloc ne permet pas de décider.

    Tous les problèmes trouvés sont rapportés en une fois :

    - ``missing`` : compétences du bloc sans note, dans l'ordre du bloc ;
    - ``invalid`` : couples (code, valeur reçue) dont la note n'est ni « A »
      ni « NA », dans l'ordre du bloc ;
    - ``unknown`` : codes notés qui n'appartiennent pas au bloc, triés.
    """

    missing: tuple[str, ...]
    invalid: tuple[tuple[str, object], ...]
    unknown: tuple[str, ...]

    def __init__(
        self,
        missing: Iterable[str] = (),
        invalid: Iterable[tuple[str, object]] = (),
        unknown: Iterable[str] = (),
    ) -> None:
        self.missing = tuple(missing)
        self.invalid = tuple(invalid)
        self.unknown = tuple(unknown)
        super().__init__(self._build_message())

    def __reduce__(self) -> tuple[type[IncompleteGrid], tuple[object, ...]]:
        # Par défaut, pickle ne rejoue que le message : les attributs doivent
        # survivre à un aller-retour (résultat de tâche Celery, par exemple).
        return (type(self), (self.missing, self.invalid, self.unknown))

    def _build_message(self) -> str:
        parts: list[str] = []
        if self.missing:
            parts.append(_("aucune note pour %(codes)s") % {"codes": _codes(self.missing)})
        if len(self.invalid) == 1:
            code, value = self.invalid[0]
            parts.append(
                _("note invalide pour %(code)s (« %(value)s », %(expected)s)")
                % {"code": code, "value": _shown(value), "expected": _expected()}
            )
        elif self.invalid:
            listed = ", ".join(f"{code} (« {_shown(value)} »)" for code, value in self.invalid)
            parts.append(
                _("notes invalides pour %(listed)s (%(expected)s)") % {"listed": listed, "expected": _expected()}
            )
        if len(self.unknown) == 1:
            parts.append(_("compétence inconnue : %(codes)s") % {"codes": _codes(self.unknown)})
        elif self.unknown:
            parts.append(_("compétences inconnues : %(codes)s") % {"codes": _codes(self.unknown)})
        if not parts:
            return _("Grille incomplète.")
        return _("Grille incomplète : %(problems)s.") % {"problems": " ; ".join(parts)}


@dataclass(frozen=True, slots=True)
class BlockDecision:
    """Décision sur un bloc de compétences.

    ``required`` est le nombre minimal de compétences acquises pour atteindre
    ``threshold_percent`` % de ``total`` ; ``missing_mandatory`` liste, dans
    l'ordre du bloc, les compétences obligatoires notées « NA ».
    """

    validated: bool
    acquired: int
    total: int
    missing_mandatory: tuple[str, ...]
    threshold_percent: int
    required: int

    @property
    def threshold_met(self) -> bool:
        """Vrai si le seuil est atteint, compétences obligatoires mises à part."""
        return self.acquired >= self.required


@dataclass(frozen=True, slots=True)
class Outcome:
    """Issue de la certification : « total », « partial » ou « none ».

    ``acquired_blocks`` et ``missing_blocks`` forment une partition des blocs
    requis.
    """

    kind: OutcomeKind
    acquired_blocks: frozenset[str]
    missing_blocks: frozenset[str]


def minimum_acquired(total: int, threshold_percent: int) -> int:
    """Nombre minimal de compétences acquises pour atteindre le seuil.

    Renvoie le plus petit entier ``n`` tel que
    ``n * 100 >= threshold_percent * total`` (calcul en entiers) : 3 pour
    5 compétences à 60 %, 4 pour 6 compétences à 60 %.

    Lève ``ValueError`` si ``total`` n'est pas un entier positif ou nul, ou si
    ``threshold_percent`` n'est pas un entier compris entre 1 et 100.
    """
    _check_threshold(threshold_percent)
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError(
            _("Le nombre de compétences doit être un entier positif ou nul (reçu : %(total)r).") % {"total": total}
        )
    # Division entière arrondie vers le haut, sans passer par les flottants.
    return -(-threshold_percent * total // 100)


def validate_block(
    grades: Mapping[str, str],
    competencies: Iterable[str],
    mandatory: Collection[str] = frozenset(),
    threshold_percent: int = 60,
) -> BlockDecision:
    """Décide si un bloc de compétences est validé.

    ``grades`` associe chaque code de compétence à « A » (acquis) ou « NA »
    (non acquis) ; ``competencies`` donne les codes du bloc dans leur ordre ;
    ``mandatory`` les codes obligatoires (tous dans le bloc).

    Le bloc est validé si et seulement si
    ``acquired * 100 >= threshold_percent * total`` (entiers exacts) et
    toutes les compétences obligatoires sont « A ».

    Lève ``IncompleteGrid`` (une ``ValueError``) en nommant les codes en cause
    si une compétence n'a pas de note (clé absente ou ``None``), si une note
    n'est pas exactement « A » ou « NA », ou si un code noté n'appartient pas
    au bloc ; tous les problèmes sont rapportés ensemble.

    Lève ``ValueError`` pour une erreur d'appel : seuil hors de 1..100 ou non
    entier, bloc vide, code en double, compétence obligatoire hors du bloc.
    """
    _check_threshold(threshold_percent)
    codes = _check_competencies(competencies)
    mandatory_codes = _check_mandatory(mandatory, codes)
    if not isinstance(grades, Mapping):
        raise ValueError(
            _("Les notes doivent être un dictionnaire code → « A » ou « NA » (reçu : %(type)s).")
            % {"type": type(grades).__name__}
        )

    missing: list[str] = []
    invalid: list[tuple[str, object]] = []
    acquired_codes: set[str] = set()
    for code in codes:
        value = grades.get(code)
        if value is None:
            missing.append(code)
        elif not isinstance(value, str) or value not in _VALID_GRADES:
            invalid.append((code, value))
        elif value == ACQUIRED:
            acquired_codes.add(code)
    known = set(codes)
    unknown = sorted((key for key in grades if key not in known), key=str)
    if missing or invalid or unknown:
        raise IncompleteGrid(missing=missing, invalid=invalid, unknown=unknown)

    total = len(codes)
    acquired = len(acquired_codes)
    required = minimum_acquired(total, threshold_percent)
    missing_mandatory = tuple(code for code in codes if code in mandatory_codes and code not in acquired_codes)
    return BlockDecision(
        validated=acquired >= required and not missing_mandatory,
        acquired=acquired,
        total=total,
        missing_mandatory=missing_mandatory,
        threshold_percent=threshold_percent,
        required=required,
    )


def certification_outcome(
    validated_blocks: Collection[str],
    required_blocks: Collection[str],
    previously_acquired: Collection[str] = frozenset(),
) -> Outcome:
    """Calcule l'issue de la certification à partir des blocs acquis.

    Un bloc est acquis s'il est validé lors de cette session
    (``validated_blocks``) ou s'il l'a été lors d'une session antérieure
    (``previously_acquired``). L'issue est « total » si tous les blocs de
    ``required_blocks`` sont acquis, « none » si aucun ne l'est, « partial »
    sinon.

    Lève ``ValueError`` si ``required_blocks`` est vide ou si un bloc validé ou
    acquis antérieurement n'appartient pas à ``required_blocks`` (le message
    nomme les blocs en cause).
    """
    required = _block_set(required_blocks, "required_blocks")
    if not required:
        raise ValueError(_("La certification doit comporter au moins un bloc requis."))
    validated = _block_set(validated_blocks, "validated_blocks")
    previous = _block_set(previously_acquired, "previously_acquired")
    problems: list[str] = []
    stray_validated = validated - required
    if stray_validated:
        problems.append(
            ngettext(
                "Bloc validé hors des blocs requis : %(codes)s",
                "Blocs validés hors des blocs requis : %(codes)s",
                len(stray_validated),
            )
            % {"codes": _codes(sorted(stray_validated, key=str))}
        )
    stray_previous = previous - required
    if stray_previous:
        problems.append(
            ngettext(
                "Bloc acquis antérieurement hors des blocs requis : %(codes)s",
                "Blocs acquis antérieurement hors des blocs requis : %(codes)s",
                len(stray_previous),
            )
            % {"codes": _codes(sorted(stray_previous, key=str))}
        )
    if problems:
        raise ValueError(" ; ".join(problems) + ".")

    acquired = frozenset((validated | previous) & required)
    missing = frozenset(required - acquired)
    kind: OutcomeKind
    if not missing:
        kind = "total"
    elif acquired:
        kind = "partial"
    else:
        kind = "none"
    return Outcome(kind=kind, acquired_blocks=acquired, missing_blocks=missing)


def _check_threshold(threshold_percent: object) -> None:
    # bool est une sous-classe d'int : True passerait pour un seuil de 1 %.
    if (
        isinstance(threshold_percent, bool)
        or not isinstance(threshold_percent, int)
        or not 1 <= threshold_percent <= 100
    ):
        raise ValueError(
            _("Le seuil doit être un entier compris entre 1 et 100 (reçu : %(threshold)r).")
            % {"threshold": threshold_percent}
        )


def _check_competencies(competencies: Iterable[str]) -> tuple[str, ...]:
    # Une chaîne est itérable : "C1.1" deviendrait les compétences C, 1, ., 1.
    if isinstance(competencies, (str, bytes)):
        raise ValueError(
            _("Les compétences du bloc doivent être une liste de codes, pas une chaîne (reçu : %(competencies)r).")
            % {"competencies": competencies}
        )
    codes = tuple(competencies)
    if not codes:
        raise ValueError(_("Le bloc doit comporter au moins une compétence."))
    not_codes = [code for code in codes if not isinstance(code, str) or not code]
    if not_codes:
        raise ValueError(
            _("Code de compétence invalide : %(codes)s (chaîne non vide attendue).")
            % {"codes": ", ".join(repr(code) for code in not_codes)}
        )
    seen: set[str] = set()
    duplicates: list[str] = []
    for code in codes:
        if code in seen and code not in duplicates:
            duplicates.append(code)
        seen.add(code)
    if duplicates:
        raise ValueError(
            ngettext(
                "Compétence en double dans le bloc : %(codes)s.",
                "Compétences en double dans le bloc : %(codes)s.",
                len(duplicates),
            )
            % {"codes": _codes(duplicates)}
        )
    return codes


def _check_mandatory(mandatory: Collection[str], codes: tuple[str, ...]) -> frozenset[str]:
    if isinstance(mandatory, (str, bytes)):
        raise ValueError(
            _(
                "Les compétences obligatoires doivent être une collection de codes, pas une chaîne "
                "(reçu : %(mandatory)r)."
            )
            % {"mandatory": mandatory}
        )
    mandatory_codes = frozenset(mandatory)
    outside = sorted(mandatory_codes - set(codes), key=str)
    if len(outside) == 1:
        raise ValueError(_("La compétence obligatoire %(code)s n'appartient pas au bloc.") % {"code": outside[0]})
    if outside:
        raise ValueError(
            _("Les compétences obligatoires %(codes)s n'appartiennent pas au bloc.") % {"codes": _codes(outside)}
        )
    return mandatory_codes


def _block_set(blocks: Collection[str], name: str) -> frozenset[str]:
    # Une chaîne est itérable : "BC1" deviendrait les blocs B, C et 1.
    if isinstance(blocks, (str, bytes)):
        raise ValueError(f"{name} doit être une collection de codes de blocs, pas une chaîne (reçu : {blocks!r}).")
    return frozenset(blocks)


def _codes(codes: Iterable[object]) -> str:
    return ", ".join(str(code) for code in codes)


def _shown(value: object) -> str:
    return value if isinstance(value, str) else repr(value)
