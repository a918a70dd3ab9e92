"""The branch's referential as registered, loaded by `manage.py load_referential`.

Sources (in ../shared/seeds/): the RNCP summary sheet of RNCP 31313 (labels copied exactly) and the
rules for organising the CQP « Opérateur en polissage de bijouterie » (RNCP 26850), which gives the
block rules and mandatory competencies but not the competency labels: those are drafted from its
description of parts A and B of the livret and flagged `draft` until checked against the fiche.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cqp.models import EvaluationMethod, VersionStatus


@dataclass(frozen=True)
class BlockTestData:
    """A test (épreuve) of a block: `cqp.models.BlockTest`."""

    method: EvaluationMethod
    title: str
    duration_minutes: int
    document_label: str = ""  # a document to hand in for this test, when not empty


@dataclass(frozen=True)
class CompetencyData:
    code: str
    label: str
    mandatory: bool = False
    draft: bool = False


@dataclass(frozen=True)
class BlockData:
    code: str
    rncp_code: str
    title: str
    evaluation_methods: str
    competencies: tuple[CompetencyData, ...]
    threshold_percent: int = 60
    title_is_draft: bool = False
    tests: tuple[BlockTestData, ...] = ()


@dataclass(frozen=True)
class VersionData:
    slug: str
    name: str
    certifier: str
    rncp_code: str
    title: str
    short_title: str
    status: VersionStatus
    level: int | None = None
    eu_level: int | None = None
    nsf_codes: tuple[str, ...] = ()
    decision_date: dt.date | None = None
    decision_reference: str = ""
    registration_start: dt.date | None = None
    registration_end: dt.date | None = None
    partial_award_allowed: bool = True
    block_validity_years: int | None = None
    access_routes: tuple[str, ...] = ()
    prerequisites_required: bool = False
    prerequisites: str = ""
    evaluation_methods: str = ""
    exam_minutes: int | None = None
    to_verify: str = ""
    blocks: tuple[BlockData, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class CertifierData:
    name: str
    legal_name: str
    delegate_name: str
    address: str
    signatory_title: str
    city: str


@dataclass(frozen=True)
class OrganisationData:
    name: str
    city: str
    department: str


ALL_ROUTES = (
    "formation_initiale",
    "apprentissage",
    "formation_continue",
    "contrat_pro",
    "candidature_individuelle",
    "vae",
)

CPNEFP_HBJO = "CPNEFP HBJO"
CPNEFP_HORLOGERIE = "CPNEFP Horlogerie"

CERTIFIERS = (
    CertifierData(
        name=CPNEFP_HBJO,
        legal_name=(
            "Commission paritaire nationale de l'emploi et de la formation professionnelle de la "
            "branche de l'horlogerie, bijouterie, joaillerie et orfèvrerie (CPNEFP HBJO)"
        ),
        delegate_name=("Confédération nationale de l'horlogerie, bijouterie, joaillerie et orfèvrerie (CNHBJO)"),
        address="58 rue du Louvre\n75002 Paris",
        signatory_title="Président de la CNHBJO",
        city="Paris",
    ),
    # The fiche of RNCP 31313 names the watchmaking branch's own CPNEFP as the certifier.
    CertifierData(
        name=CPNEFP_HORLOGERIE,
        legal_name=(
            "Commission paritaire nationale de l'emploi et de la formation professionnelle (CPNEFP) "
            "de la branche de l'horlogerie - Fédération de l'horlogerie"
        ),
        delegate_name="",
        address="CPNE de l'Horlogerie - Fédération de l'Horlogerie\n26 rue du Renard\n75004 Paris",
        signatory_title="Délégué Général",
        city="Paris",
    ),
)

ORGANISATIONS = (
    OrganisationData(name="BJO Formation", city="Paris", department="75"),
    OrganisationData(name="École d'horlogerie Charles Edouard Guillaume", city="Fougères", department="35"),
    OrganisationData(name="Lycée professionnel Jean Jaurès", city="Rennes", department="35"),
)


def _competencies(
    block: int, labels: list[str], mandatory: frozenset[int] | set[int] = frozenset(), draft: bool = False
) -> tuple[CompetencyData, ...]:
    return tuple(
        CompetencyData(code=f"C{block}.{i}", label=label, mandatory=i in mandatory, draft=draft)
        for i, label in enumerate(labels, start=1)
    )


# The fiche of RNCP 31313 lists each block's tests (« Modalités d'évaluation ») but not how long they last: these
# durations are provisional, for the certifier to confirm (said in the version's « à vérifier »). A candidate sitting
# the four blocks needs 30 + 20 + 90 + 180 + 30 + 60 = 410 minutes, one exam day.
DURATION_31313 = {
    "role_play": 30,
    "oral_practical": 20,
    "diagnosis": 90,
    "repair": 180,
    "report_interview": 30,
    "observation": 60,
}

HORLOGER_QUALIFIE = VersionData(
    slug="horloger-qualifie",
    name="CQP Horloger qualifié",
    certifier=CPNEFP_HORLOGERIE,
    rncp_code="RNCP31313",
    title="CQP : Certificat de qualification professionnelle Horloger qualifié",
    short_title="CQP Horloger qualifié",
    status=VersionStatus.PUBLISHED,
    nsf_codes=("251",),
    decision_date=dt.date(2018, 7, 30),
    decision_reference=(
        "Arrêté du 30 juillet 2018 publié au Journal Officiel du 07 août 2018 portant "
        "enregistrement au répertoire national des certifications professionnelles"
    ),
    registration_start=dt.date(2018, 8, 7),
    registration_end=dt.date(2023, 8, 7),
    partial_award_allowed=True,
    block_validity_years=None,  # « Validité des composantes acquises : illimitée »
    access_routes=ALL_ROUTES,
    prerequisites="",
    evaluation_methods=(
        "Accès par la formation : épreuves pratiques sur des montres à complications présentant "
        "des dysfonctionnements ; entretien technique oral à partir d'un rapport d'activité "
        "professionnelle réalisé par le candidat ; observation en situation reconstituée ; jeux de "
        "rôle (simulations de situations relatives à la relation client) ; épreuves pratiques "
        "orales.\nAccès par la VAE : dossier de recevabilité, dossier déclaratif, repérage des "
        "compétences et positionnement par un jury évaluateur habilité par la CPNEFP, évaluation "
        "par mises en situation professionnelle et entretien technique."
    ),
    to_verify=(
        "La fiche ne précise ni le niveau ni les compétences obligatoires : à renseigner par le certificateur. "
        "Elle ne donne pas non plus la durée des épreuves : les durées saisies sont provisoires."
    ),
    blocks=(
        BlockData(
            code="BC1",
            rncp_code="RNCP31313BC01",
            title="Assurer la relation client",
            evaluation_methods=(
                "Mise en situation par de simulation de situations relatives à la relation client\n"
                "Epreuves pratiques orales"
            ),
            tests=(
                BlockTestData(
                    EvaluationMethod.ROLE_PLAY,
                    "Jeux de rôle : simulation de situations relatives à la relation client",
                    DURATION_31313["role_play"],
                ),
                BlockTestData(
                    EvaluationMethod.ORAL_PRACTICAL,
                    "Épreuves pratiques orales (dont le dialogue avec le client dans une langue étrangère)",
                    DURATION_31313["oral_practical"],
                ),
            ),
            competencies=_competencies(
                1,
                [
                    "Assurer un accueil personnalisé du client",
                    "Identifier les besoins du client",
                    "Réceptionner la montre",
                    "Réaliser un pré-diagnostic",
                    "Proposer et vendre des prestations techniques",
                    "Proposer et vendre de prestations additionnelles et de services",
                    "Établir un devis",
                    "Rédiger un ordre de réparation",
                    "Établir la facture",
                    "Restituer la montre au client",
                    "Anticiper et gérer les litiges (réclamations, désaccords, insatisfaction) clients",
                    "Dialoguer avec le client dans une langue étrangère",
                ],
            ),
        ),
        BlockData(
            code="BC2",
            rncp_code="RNCP31313BC02",
            title="Etablir des diagnostics sur des montres à complications",
            evaluation_methods=(
                "Epreuve pratique sur des montres à complications présentant un (des) dysfonctionnement(s)"
            ),
            tests=(
                BlockTestData(
                    EvaluationMethod.PRACTICAL,
                    "Épreuve pratique sur des montres à complications présentant un (des) dysfonctionnement(s)",
                    DURATION_31313["diagnosis"],
                ),
            ),
            competencies=_competencies(
                2,
                [
                    "Appréhender les différentes complications en horlogerie",
                    "Appréhender les éléments du pré-diagnostic et de l’ordre de réparation",
                    "Identifier, rechercher et rassembler les informations techniques et les données "
                    "fabricant nécessaires à l’intervention sur les montres à complications",
                    "Préparer les montres à complications pour la réalisation du diagnostic",
                    "Contrôler les caractéristiques techniques des montres à complications",
                    "Analyser et interpréter les résultats des contrôles réalisés",
                    "Émettre des hypothèses sur les différentes origines possibles du (des) dysfonctionnement(s)",
                ],
            ),
        ),
        BlockData(
            code="BC3",
            rncp_code="RNCP31313BC03",
            title="Réviser, réparer, régler et procéder à l’habillage des montres à complications",
            evaluation_methods=(
                "- épreuve pratique sur des montres à complication présentant un (des) "
                "dysfonctionnement(s) et nécessitant une réparation\n"
                "- entretien technique oral à partir d'un rapport d'activité professionnelle réalisé "
                "et présenté par le candidat ; ce rapport illustrera une problématique "
                "professionnelle à laquelle a été confronté le candidat et les solutions mises en "
                "oeuvre"
            ),
            tests=(
                BlockTestData(
                    EvaluationMethod.PRACTICAL,
                    "Épreuve pratique sur des montres à complications présentant un (des) dysfonctionnement(s) et "
                    "nécessitant une réparation",
                    DURATION_31313["repair"],
                ),
                BlockTestData(
                    EvaluationMethod.REPORT_INTERVIEW,
                    "Entretien technique oral à partir d'un rapport d'activité professionnelle réalisé et présenté "
                    "par le candidat",
                    DURATION_31313["report_interview"],
                    document_label="Rapport d'activité professionnelle",
                ),
            ),
            competencies=_competencies(
                3,
                [
                    "Appliquer et/ou établir un mode opératoire",
                    "Procéder au démontage du mouvement à complication et aux contrôles de l’ensemble des composants",
                    "Identifier la (les) cause(s) du dysfonctionnement et définir une solution de réparation",
                    "Corriger les défauts de fonctionnement des montres à complications",
                    "Remonter le mouvement de base",
                    "Régler le mouvement de base",
                    "Remonter les complications",
                    "Régler l’ensemble du mouvement monté avec ses complications",
                    "Emboiter un mouvement",
                    "Contrôler le produit réparé",
                    "Remédier aux problèmes esthétiques",
                ],
            ),
        ),
        BlockData(
            code="BC4",
            rncp_code="RNCP31313BC04",
            title="Organiser l’intervention",
            evaluation_methods="Mise en situation professionnelle",
            tests=(
                BlockTestData(
                    EvaluationMethod.OBSERVATION,
                    "Mise en situation professionnelle : observation en situation reconstituée",
                    DURATION_31313["observation"],
                ),
            ),
            competencies=_competencies(
                4,
                [
                    "Organiser et planifier son activité",
                    "Préparer le matériel et l’outillage adéquates à chaque intervention",
                    "Respecter les procédures de qualité, d’hygiène, de sécurité et d’environnement",
                    "Procéder à l’entretien et à la maintenance du matériel et des outils nécessaires à l’activité",
                    "Adapter des éléments d’outillages",
                    "Prévoir et rassembler les fournitures nécessaires à son activité",
                    "Contribuer à la gestion des stocks de fournitures et de matériels",
                    "Réaliser et assurer le suivi des commandes",
                    "Créer une fiche de suivi adaptée",
                    "Respecter les coûts et les délais d’intervention envisagés",
                ],
            ),
        ),
    ),
)

_LIVRET_26850 = (
    "Livret de réalisations (partie A pour le bloc 1, partie B pour le bloc 2 ; 10 pages au plus "
    "chacune), préparé en 3 mois à partir d'un cahier des charges fourni par le jury, puis "
    "soutenance de 45 minutes : 15 minutes de présentation et 30 minutes de questions-réponses."
)

# The rules give one defence of 45 minutes for parts A and B together (15 minutes of presentation, 30 of
# questions), not a length per part: split here between the blocks, the larger share to part B, which also presents
# the polished piece. A candidate sitting both blocks keeps the 45 minutes (`exam_minutes`).
DEFENCE_26850_MINUTES = {"A": 20, "B": 25}

OPERATEUR_POLISSAGE = VersionData(
    slug="operateur-polissage",
    name="CQP Opérateur en polissage de bijouterie",
    certifier=CPNEFP_HBJO,
    rncp_code="RNCP26850",
    title="CQP Opérateur en polissage de bijouterie",
    short_title="CQP Opérateur en polissage",
    status=VersionStatus.PUBLISHED,
    partial_award_allowed=True,
    access_routes=ALL_ROUTES,
    prerequisites=(
        "Aucun prérequis pour entrer dans la démarche de certification du CQP « Opérateur en polissage de bijouterie »."
    ),
    evaluation_methods=_LIVRET_26850,
    exam_minutes=15 + 30,  # presentation, then questions
    to_verify=(
        "Les libellés des compétences, l'intitulé exact, le niveau, les codes NSF, les dates "
        "d'enregistrement et les voies d'accès sont à vérifier sur la fiche RNCP 26850 : le "
        "document source ne donne que les codes et les règles des blocs."
    ),
    blocks=(
        BlockData(
            code="BC1",
            rncp_code="RNCP26850BC01",
            title="Préparer le travail de polissage d'une pièce de bijouterie",
            title_is_draft=True,
            evaluation_methods=(
                "Livret de réalisations, partie A : préparation du travail de polissage d'une pièce "
                "de bijouterie (10 pages au plus), et soutenance."
            ),
            tests=(
                BlockTestData(
                    EvaluationMethod.LIVRET_DEFENCE,
                    "Livret de réalisations, partie A : préparation du travail de polissage d'une pièce de "
                    "bijouterie, et sa soutenance",
                    DEFENCE_26850_MINUTES["A"],
                    document_label="Partie A",
                ),
            ),
            competencies=_competencies(
                1,
                [
                    "Analyser le dossier de production et définir les étapes et les méthodes de polissage de la pièce",
                    "Décrire la pièce et réaliser les contrôles préalables",
                    "Définir les techniques de polissage et de finition et les adapter à la pièce",
                    "Choisir et préparer les outils et matériels de polissage",
                    "Mettre en place les consignes de sécurité de son activité",
                ],
                mandatory={1, 2, 3},
                draft=True,
            ),
        ),
        BlockData(
            code="BC2",
            rncp_code="RNCP26850BC02",
            title="Polir une pièce de bijouterie",
            title_is_draft=True,
            evaluation_methods=(
                "Livret de réalisations, partie B : polissage d'une pièce de bijouterie (10 pages "
                "au plus, avec la pièce polie), et soutenance."
            ),
            tests=(
                BlockTestData(
                    EvaluationMethod.LIVRET_DEFENCE,
                    "Livret de réalisations, partie B : polissage d'une pièce de bijouterie (avec la pièce polie), "
                    "et sa soutenance",
                    DEFENCE_26850_MINUTES["B"],
                    document_label="Partie B",
                ),
            ),
            competencies=_competencies(
                2,
                [
                    "Réaliser l'émerisage de la pièce",
                    "Polir la pièce à la main ou au tour",
                    "Nettoyer et sécher la pièce",
                    "Réaliser la finition pour atteindre l'état final attendu par le client",
                    "Contrôler la pièce avant la finalisation de la mission",
                    "Rendre compte du travail réalisé",
                ],
                mandatory={1, 2, 4},
                draft=True,
            ),
        ),
    ),
)

CONCEPTEUR_3D = VersionData(
    slug="concepteur-3d",
    name="CQP Concepteur 3D en bijouterie-joaillerie",
    certifier=CPNEFP_HBJO,
    rncp_code="RNCP26849",
    title="CQP Concepteur 3D en bijouterie-joaillerie",
    short_title="CQP Concepteur 3D",
    status=VersionStatus.DRAFT,
    to_verify="Blocs et compétences à saisir d'après la fiche RNCP 26849.",
)

GEMMOLOGIE = VersionData(
    slug="gemmologie-appliquee",
    name="CQP Chargé en gemmologie appliquée",
    certifier=CPNEFP_HBJO,
    rncp_code="RNCP31394",
    title="CQP Chargé en gemmologie appliquée",
    short_title="CQP Chargé en gemmologie appliquée",
    status=VersionStatus.DRAFT,
    to_verify="Blocs et compétences à saisir d'après la fiche RNCP 31394.",
)

VERSIONS = (HORLOGER_QUALIFIE, OPERATEUR_POLISSAGE, CONCEPTEUR_3D, GEMMOLOGIE)
