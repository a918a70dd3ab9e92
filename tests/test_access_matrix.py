"""Every URL of the site, asked by every actor, with GET and POST: the answer is the one the access policy
gives, and a refused POST changes nothing.

The policy, stated once (README, `accounts/access.py`): anonymous users are sent to the login page except on
public pages; a page reserved to a role the user lacks answers 403; an object the user may not see answers 404,
whether it exists or not. "ok" is any answer of a permitted request: 2xx, 3xx, or 400 for a permitted POST
refused as bad input.

A URL added without its row in MATRIX fails `test_every_url_has_its_row_in_the_matrix`, naming it.

The world is built once per module (`tests/access_world.py`); each request runs in a savepoint rolled back
after it, so every cell starts from the same world.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, connection, transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.access_world import ACTORS, PDF, AccessWorld, build_access_world

W = AccessWorld
OK, FORBIDDEN, NOT_FOUND, LOGIN, NOT_ALLOWED = "ok", "403", "404", "login", "405"
REFUSED = {FORBIDDEN, NOT_FOUND, LOGIN, NOT_ALLOWED}

Policy = dict[str, str]


def policy(*allowed: str, others: str = FORBIDDEN, anonymous: str = LOGIN, **answers: str) -> Policy:
    """`allowed` actors get "ok", `answers` name the exceptions, every other logged-in actor gets `others`."""
    table = dict.fromkeys(ACTORS, others)
    table["anonymous"] = anonymous
    table.update(dict.fromkeys(allowed, OK))
    table.update(answers)
    return table


PUBLIC = policy(*ACTORS, anonymous=OK)
LOGGED_IN = policy(*ACTORS[1:])
ADMIN = policy("admin")
# Candidates' records and sessions: the certifier and the staff of the candidate's organisation; another
# organisation's staff do not learn the record exists; other roles lack the page.
MANAGERS = policy("admin", "staff", other_staff=NOT_FOUND)
# What an organisation does for itself (create, import, schedule): any organisation's staff, not the certifier.
ORGANISATION = policy("staff", "other_staff")
# Who reads a jury's pages: the certifier and the members seated on it; an evaluation jury is also read by
# its organisation's staff. A member whose habilitation was withdrawn reads nothing of their juries any more.
JURY_READERS = {"evaluation": ("admin", "staff", "seated", "recused"), "certification": ("admin", "seated", "recused")}
# Whoever may not see a jury gets 404 (jury members elsewhere, a withdrawn member, organisation staff but the
# evaluation jury's own); whoever sees it but lacks the role a page needs gets 403, candidates too.
JURY_HIDDEN = ("staff", "other_staff", "withdrawn", "other_jury")


def jury_policy(kind: str, *allowed: str, **answers: str) -> Policy:
    """A page of one jury: `allowed` (the jury's readers by default) get "ok", those who may not see the jury
    404, other logged-in actors 403; `answers` name the exceptions."""
    allowed = allowed or JURY_READERS[kind]
    hidden = {actor: NOT_FOUND for actor in JURY_HIDDEN if actor not in JURY_READERS[kind]}
    return policy(*allowed, **{**hidden, **answers})


def candidate_policy(kind: str, *allowed: str, **answers: str) -> Policy:
    """A page of one candidate before one jury: as `jury_policy`, and 404 for a member recused for them."""
    return jury_policy(kind, *allowed, **{"recused": NOT_FOUND, **answers})


def refused_by_method(get: Policy, *, public: bool = False) -> Policy:
    """The answer to the method a page does not take: 405, after the login page for anonymous users."""
    return {actor: (LOGIN if actor == "anonymous" and not public else NOT_ALLOWED) for actor in get}


@dataclass(frozen=True)
class Row:
    args: Callable[[W], list[Any]]
    get: Policy
    post: Policy
    jury: str = "evaluation"  # which jury the jury actors (seated, recused, withdrawn) sit on
    data: Callable[[W], dict[str, Any]] | None = None


def row(args: Callable[[W], list[Any]], get: Policy, post: Policy | None = None, **kw: Any) -> Row:
    """A page answering GET and POST (a form, or a view that ignores the method): the same answer by default."""
    return Row(args=args, get=get, post=post if post is not None else get, **kw)


def post_only(args: Callable[[W], list[Any]], post: Policy, **kw: Any) -> Row:
    return Row(args=args, get=refused_by_method(post), post=post, **kw)


def get_only(args: Callable[[W], list[Any]], get: Policy, *, public: bool = False, **kw: Any) -> Row:
    return Row(args=args, get=get, post=refused_by_method(get, public=public), **kw)


def none(w: W) -> list[Any]:
    return []


def ev(w: W) -> list[Any]:
    return [w.evaluation.pk]


def cj(w: W) -> list[Any]:
    return [w.certification.pk]


def ev_place(w: W) -> list[Any]:
    return [w.evaluation.pk, w.place.pk]


def cj_place(w: W) -> list[Any]:
    return [w.certification.pk, w.place.pk]


CERT: dict[str, Any] = {"jury": "certification"}


def vae_file(w: W) -> list[Any]:
    return [w.vae_file.pk]


# A VAE file is the candidate's: another candidate, another organisation's staff and jury members (no VAE
# candidate sits before them here) do not learn it exists.
JURY_HIDDEN_VAE = ("seated", "recused", "withdrawn", "other_jury")
VAE_HIDDEN = dict.fromkeys(("other_staff", "other_candidate", *JURY_HIDDEN_VAE), NOT_FOUND)
VAE_OWNER = policy("candidate", other_candidate=NOT_FOUND)


def today() -> str:
    return timezone.localdate().isoformat()


def grid_form(w: W) -> dict[str, Any]:
    """The grid page's form for the first candidate: every competency of every block acquired."""
    from juries import selectors

    return {
        f"g-{block.pk}-{competency.code}": "A"
        for block in selectors.blocks_sat(w.place)
        for competency in block.competencies.all()
    }


def revised(w: W) -> list[Any]:
    return [w.revised.pk]


def addendum_digest(w: W) -> dict[str, Any]:
    """The addendum page's form: the fingerprint of the content read."""
    from results.services import addenda

    return {"sha256": addenda.addendum_state(w.revised).digest}


LOGGED_OUT = dict.fromkeys(ACTORS, LOGIN)  # where logging out lands

MATRIX: dict[str, Row] = {
    # --- Accounts and public pages ---
    "home": row(none, LOGGED_IN),
    "login": row(none, PUBLIC),
    "logout": Row(args=none, get=refused_by_method(LOGGED_OUT), post=LOGGED_OUT),
    "password_reset": row(none, PUBLIC),
    "password_reset_done": get_only(none, PUBLIC, public=True),
    "password_reset_confirm": row(lambda w: ["MQ", "set-password"], PUBLIC),
    "password_reset_complete": get_only(none, PUBLIC, public=True),
    "password_change": row(none, LOGGED_IN),
    "password_change_done": get_only(none, LOGGED_IN),
    "set_language": row(none, LOGGED_IN),
    "verify:form": row(none, PUBLIC),
    "verify:code": get_only(lambda w: [w.parchment.verification_code], PUBLIC, public=True),
    # --- Referential (read by every logged-in user, written by the certifier) ---
    "cqp:certification_list": row(none, LOGGED_IN),
    "cqp:certification_create": row(none, ADMIN),
    "cqp:version_detail": row(lambda w: [w.version.pk], LOGGED_IN),
    "cqp:version_edit": row(lambda w: [w.version.pk], ADMIN),
    "cqp:version_publish": post_only(lambda w: [w.version.pk], ADMIN),
    "cqp:version_archive": post_only(lambda w: [w.version.pk], ADMIN),
    "cqp:version_new": post_only(lambda w: [w.version.pk], ADMIN),
    "cqp:block_create": row(lambda w: [w.version.pk], ADMIN),
    "cqp:block_edit": row(lambda w: [w.block.pk], ADMIN),
    "cqp:block_delete": post_only(lambda w: [w.block.pk], ADMIN),
    "cqp:competency_create": row(lambda w: [w.block.pk], ADMIN),
    "cqp:competency_edit": row(lambda w: [w.competency.pk], ADMIN),
    "cqp:competency_delete": post_only(lambda w: [w.competency.pk], ADMIN),
    # Importing an RNCP fiche from France compétences' export: the upload, then the fiche and its split.
    "cqp:rncp_upload": row(none, ADMIN),
    "cqp:rncp_preview": row(none, ADMIN),
    "cqp:block_test_create": row(lambda w: [w.block.pk], ADMIN),
    "cqp:block_test_edit": row(lambda w: [w.block.tests.get().pk], ADMIN),
    "cqp:block_test_delete": post_only(lambda w: [w.block.tests.get().pk], ADMIN),
    # --- Organisations' approval (the certifier) ---
    "organisations:list": row(none, ADMIN),
    "organisations:detail": row(lambda w: [w.base.organisation.pk], ADMIN),
    "organisations:approve": post_only(
        lambda w: [w.base.organisation.pk],
        ADMIN,
        data=lambda w: {"approve-start": today(), "approve-reason": "Dossier complet"},
    ),
    "organisations:withdraw": post_only(
        lambda w: [w.base.organisation.pk],
        ADMIN,
        data=lambda w: {"withdraw-status": "suspended", "withdraw-reason": "Audit"},
    ),
    # --- Candidates ---
    "candidates:list": row(none, policy("admin", "staff", "other_staff")),
    "candidates:create": row(none, ORGANISATION),
    "candidates:import": row(none, ORGANISATION),
    "candidates:import_confirm": post_only(none, ORGANISATION),
    "candidates:detail": row(lambda w: [w.candidate.pk], MANAGERS),
    "candidates:edit": row(lambda w: [w.candidate.pk], MANAGERS),
    "candidates:enrol": row(lambda w: [w.candidate.pk], MANAGERS),
    "candidates:invite": post_only(lambda w: [w.candidate.pk], MANAGERS),
    "candidates:accommodation_add": row(lambda w: [w.enrolment.pk], MANAGERS),
    "candidates:document_upload": post_only(lambda w: [w.candidate.pk], MANAGERS),
    "candidates:my_document_upload": post_only(none, policy("candidate", "other_candidate")),
    # An invitation an existing account of another role confirms: only that account, with a valid link (none
    # here: 404 for all).
    "candidates:invitation_accept": row(lambda w: ["lien-invalide"], policy(others=NOT_FOUND)),
    # A livret part: its candidate, their organisation, the certifier, and the jury members who assess them
    # (not one recused for them, not one withdrawn).
    "candidates:document_download": row(
        lambda w: [w.document.pk], policy("admin", "staff", "seated", "candidate", others=NOT_FOUND)
    ),
    # --- Sessions ---
    "evaluations:list": row(none, policy("admin", "staff", "other_staff")),
    "evaluations:create": row(none, ORGANISATION),
    "evaluations:detail": row(lambda w: [w.session.pk], MANAGERS),
    "evaluations:add_candidate": post_only(lambda w: [w.session.pk], MANAGERS),
    "evaluations:convoke": post_only(lambda w: [w.session.pk], MANAGERS),
    "evaluations:override": post_only(lambda w: [w.session.pk], ADMIN, data=lambda w: {"reason": "Urgence"}),
    "evaluations:calendar": row(lambda w: [w.place.pk], policy("admin", "staff", "candidate", others=NOT_FOUND)),
    "evaluations:attendance": row(lambda w: [w.session.pk], MANAGERS),
    "evaluations:attendance_pdf": row(lambda w: [w.session.pk], MANAGERS),
    "evaluations:incident": post_only(
        lambda w: [w.session.pk], MANAGERS, data=lambda w: {"kind": "technical", "description": "Panne"}
    ),
    "evaluations:identity": post_only(lambda w: [w.place.pk], MANAGERS, data=lambda w: {"identity_document": "cni"}),
    "evaluations:sign": post_only(lambda w: [w.place.pk], MANAGERS),
    "evaluations:absent": post_only(lambda w: [w.place.pk], MANAGERS),
    # --- Dysfunctions: the organisation proposes to cancel or postpone its session, the certifier decides and
    # writes the incident reports; a report is read by its candidate, their organisation and the certifier. ---
    "dysfunctions:list": get_only(none, policy("admin", "staff", "other_staff")),
    "dysfunctions:propose": row(lambda w: [w.session.pk], policy("staff", other_staff=NOT_FOUND)),
    "dysfunctions:detail": get_only(lambda w: [w.proposal.pk], MANAGERS),
    "dysfunctions:decide": post_only(lambda w: [w.proposal.pk], ADMIN),
    "dysfunctions:report_create": row(lambda w: [w.session.pk], ADMIN),
    "dysfunctions:report": get_only(lambda w: [w.report.pk], policy("admin", "staff", "candidate", others=NOT_FOUND)),
    # --- Juries: registry ---
    "juries:list": row(none, policy("admin", "staff", "other_staff", "seated", "recused", "withdrawn", "other_jury")),
    "juries:create_certification": post_only(none, ADMIN),
    "juries:create_evaluation": post_only(lambda w: [w.session.pk], ADMIN),
    "juries:members": row(none, policy("admin", "staff", "other_staff")),
    "juries:member_create": row(none, policy("admin", "staff", "other_staff")),
    "juries:member_approve": post_only(lambda w: [w.proposed.pk], ADMIN),
    "juries:member_withdraw": post_only(lambda w: [w.approved.pk], ADMIN, data=lambda w: {"reason": "Départ"}),
    "juries:member_activation": post_only(lambda w: [w.proposed.pk], ADMIN),
    # An invitation to confirm a proposal: only the invited account, with a valid link (none here: 404 for all).
    "juries:member_invitation": row(lambda w: ["lien-invalide"], policy(others=NOT_FOUND)),
    # --- Juries: an evaluation jury (composition is the certifier's, recusals the members' own) ---
    "juries:detail": row(ev, jury_policy("evaluation")),
    "juries:assign": post_only(ev, ADMIN, data=lambda w: {"member": w.approved.pk}),
    "juries:unassign": post_only(ev, ADMIN, data=lambda w: {"member": w.base.trainer.pk}),
    "juries:president": post_only(
        ev, jury_policy("evaluation", "admin"), data=lambda w: {"member": w.base.employers.pk}
    ),
    "juries:declare": post_only(
        ev,
        jury_policy("evaluation", "seated", "recused"),
        data=lambda w: {"place": w.base.places[1].pk, "note": "Voisin"},
    ),
    "juries:grid": row(
        ev_place, candidate_policy("evaluation"), candidate_policy("evaluation", "seated"), data=grid_form
    ),
    "juries:grid_status": post_only(ev_place, candidate_policy("evaluation"), data=grid_form),
    # Recommendation and transmission, late in this world: the services refuse them on the jury's state
    # (already transmitted) before they look at the actor, hence "ok" (a message) for the jury's readers.
    # Recorded by the keeper of the consensus only: the certifier and the staff read it but lack that role.
    "juries:recommendation": post_only(
        ev_place, candidate_policy("evaluation", "seated"), data=lambda w: {"kind": "total"}
    ),
    "juries:grid_reopen": post_only(
        lambda w: [w.evaluation.pk, w.grid.pk], ADMIN, data=lambda w: {"reason": "Erreur de saisie"}
    ),
    "juries:deliberation": row(ev, jury_policy("evaluation")),
    "juries:deliberation_xlsx": row(ev, jury_policy("evaluation")),
    "juries:deliberation_pdf": row(ev, jury_policy("evaluation")),
    "juries:transmit": post_only(
        ev, jury_policy("evaluation"), data=lambda w: {"certification_jury": w.certification.pk}
    ),
    # --- Juries: the certification jury ---
    "juries:decision": row(
        cj_place,
        candidate_policy("certification"),
        candidate_policy("certification", "seated"),  # decided by the keeper: the certifier reads, 403 on POST
        data=lambda w: {"kind": "none", "text": "Revu"},
        **CERT,
    ),
    "juries:dispute": post_only(
        cj_place,
        candidate_policy("certification", "admin", "seated"),
        data=lambda w: {"description": "Contestation"},
        **CERT,
    ),
    "juries:dispute_resolve": post_only(
        lambda w: [w.certification.pk, w.dispute.pk],
        candidate_policy("certification", "admin", "seated"),
        data=lambda w: {"resolution": "Close"},
        **CERT,
    ),
    "juries:history": row(lambda w: [w.candidate.pk], ADMIN),
    # A carry-over flag to review: the certifier admins' (issue 12).
    "juries:flag": row(lambda w: [w.flag.pk], ADMIN, data=lambda w: {"resolution": "Blocs vérifiés"}),
    # --- Certificates: the PV (its jury's members and the certifier; a role organisations lack: 403) ---
    "juries:version_rules": row(lambda w: [w.version.pk], ADMIN),
    "certificates:deadlines": row(none, ADMIN),
    "certificates:pv": row(cj, jury_policy("certification", staff=FORBIDDEN, other_staff=FORBIDDEN), **CERT),
    "certificates:pv_sign": post_only(
        cj,
        jury_policy("certification", "seated", "recused", staff=FORBIDDEN, other_staff=FORBIDDEN),
        data=lambda w: {"sha256": w.pv.content_sha256},
        **CERT,
    ),
    "certificates:pv_pdf": row(cj, jury_policy("certification", staff=FORBIDDEN, other_staff=FORBIDDEN), **CERT),
    "certificates:validation": post_only(cj, ADMIN, data=lambda w: {"meeting_on": today()}, **CERT),
    # --- Certificates: parchments (the certifier; a holder downloads their own) ---
    "certificates:jury_parchments": row(cj, ADMIN, **CERT),
    "certificates:issue": post_only(cj, ADMIN, **CERT),
    "certificates:zip": row(cj, ADMIN, **CERT),
    "certificates:resume": post_only(cj, ADMIN, **CERT),
    "certificates:batch_progress": row(lambda w: [w.batch.pk], ADMIN),
    "certificates:parchment": row(lambda w: [w.parchment.pk], ADMIN),
    "certificates:parchment_pdf": row(lambda w: [w.parchment.pk], policy("admin", "candidate", others=NOT_FOUND)),
    "certificates:cancel": post_only(lambda w: [w.parchment.pk], ADMIN, data=lambda w: {"reason": "Erreur"}),
    "certificates:reissue": post_only(lambda w: [w.parchment.pk], ADMIN, data=lambda w: {"reason": "Perdu"}),
    "certificates:sent": post_only(lambda w: [w.parchment.pk], ADMIN, data=lambda w: {"sent_on": today()}),
    # --- Results: appeals (the certifier's; a candidate reads their own letters; the certification jury decides
    # again on the existing grids from a page read like its decision page, written by its keeper) ---
    "results:appeals": row(none, ADMIN),
    "results:appeal_decisions": row(lambda w: [], ADMIN),
    "results:appeal_create": row(
        lambda w: [w.base.places[2].decision.pk],
        ADMIN,
        data=lambda w: {"received_on": today(), "grounds": "Contestation"},
    ),
    "results:appeal": row(lambda w: [w.appeal_received.pk], ADMIN),
    "results:appeal_examine": post_only(
        lambda w: [w.appeal_received.pk],
        ADMIN,
        data=lambda w: {"meeting_on": today(), "outcome": "rejected", "reason": "Rien à revoir"},
    ),
    "results:appeal_place": post_only(
        lambda w: [w.appeal_received.pk], ADMIN, data=lambda w: {"session": w.session.pk}
    ),
    "results:appeal_revision": row(
        lambda w: [w.appeal.pk],
        candidate_policy("certification"),
        candidate_policy("certification", "seated"),  # decided by the keeper: the certifier reads, 403 on POST
        data=lambda w: {"kind": "none", "text": "Revu"},
        **CERT,
    ),
    "results:appeal_letter_pdf": row(
        lambda w: [w.appeal.pk, "decision"], policy("admin", "candidate", others=NOT_FOUND)
    ),
    "results:appeal_document_download": row(lambda w: [w.appeal_document.pk], ADMIN),
    # --- Results: prior acquisitions (recorded, withdrawn and imported by the certifier; read with their scan by
    # the candidate's organisation too) and resits (the candidate's organisation or the certifier) ---
    "results:prior_create": row(lambda w: [w.candidate.pk], ADMIN),
    "results:prior_withdraw": row(lambda w: [w.prior.pk], ADMIN, data=lambda w: {"reason": "Erreur de saisie"}),
    "results:prior_scan": row(lambda w: [w.prior.pk], MANAGERS),
    "results:prior_import": row(none, ADMIN),
    "results:prior_import_confirm": post_only(none, ADMIN),
    "results:prior_import_sample": row(none, ADMIN),
    "results:resit": row(lambda w: [w.resit_decision.pk], MANAGERS),
    # --- VAE (issue 13): the candidate writes their file, the certifier decides, the organisation reads ---
    "vae:list": get_only(none, policy("admin", "staff", "other_staff")),
    "vae:mine": get_only(none, policy("candidate", "other_candidate")),
    "vae:create": row(none, policy("candidate", "other_candidate")),
    "vae:detail": get_only(vae_file, policy("admin", "staff", "candidate", **VAE_HIDDEN)),
    "vae:edit": row(vae_file, VAE_OWNER),
    "vae:document_add": post_only(vae_file, VAE_OWNER),
    "vae:submit": post_only(vae_file, VAE_OWNER),
    "vae:declarative_add": post_only(vae_file, VAE_OWNER),
    "vae:declarative_submit": post_only(vae_file, VAE_OWNER),
    "vae:decide": post_only(vae_file, ADMIN),
    # The president of an evaluation jury before which the candidate sits by VAE (none in this world): 404.
    "vae:positioning": row(vae_file, policy("admin", **dict.fromkeys(JURY_HIDDEN_VAE, NOT_FOUND))),
    "vae:document": get_only(lambda w: [w.vae_document.pk], policy("admin", "staff", "candidate", others=NOT_FOUND)),
    # --- Results: the PV addendum of a revised result (as the PV), the revocation of an award (the certifier) ---
    "results:addendum": row(revised, jury_policy("certification", staff=FORBIDDEN, other_staff=FORBIDDEN), **CERT),
    "results:addendum_sign": post_only(
        revised,
        jury_policy("certification", "seated", "recused", staff=FORBIDDEN, other_staff=FORBIDDEN),
        data=addendum_digest,
        **CERT,
    ),
    "results:addendum_pdf": row(revised, jury_policy("certification", staff=FORBIDDEN, other_staff=FORBIDDEN), **CERT),
    "results:revoke": row(
        lambda w: [w.resit_decision.pk],  # a final award
        ADMIN,
        data=lambda w: {"reason": "Fraude établie", "reference": "R-1", "decided_on": today(), "confirm": "1"},
    ),
}

# Cells where the application does not yet give the policy's answer: (pattern, actor, method). Empty: every
# hole found is closed; a hole found later goes here, with its test, while it is being closed.
KNOWN_HOLES: set[tuple[str, str, str]] = set()


# --- The URL conf ---------------------------------------------------------------------------------------


def url_names(patterns: list[Any] | None = None, namespace: str = "") -> Iterator[str]:
    """Every named URL of the site (the route when it has no name), Django's admin site left out."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}" if entry.name else f"{namespace}<{entry.pattern}>"


def test_every_url_has_its_row_in_the_matrix() -> None:
    names = list(url_names())
    assert len(names) == len(set(names)), "two URL patterns share a name"
    missing = sorted(set(names) - MATRIX.keys())
    assert not missing, f"URL patterns without their row in the access matrix: {', '.join(missing)}"
    stale = sorted(MATRIX.keys() - set(names))
    assert not stale, f"rows of the access matrix for URL patterns that no longer exist: {', '.join(stale)}"


def test_the_known_holes_name_real_cells() -> None:
    for name, actor, method in KNOWN_HOLES:
        assert name in MATRIX and actor in ACTORS and method in ("GET", "POST"), (name, actor, method)


# --- The world, once per module -------------------------------------------------------------------------


def _storage_settings(root: Any) -> dict[str, Any]:
    from django.conf import settings

    return {
        "MEDIA_ROOT": root / "media",
        "PRIVATE_MEDIA_ROOT": root / "private-media",
        "STORAGES": {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            "private": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": root / "private-media", "base_url": None},
            },
            "certificates": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": root / "certificates", "base_url": None},
            },
        },
    }


@pytest.fixture(scope="module")
def world_storage(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _storage_settings(tmp_path_factory.mktemp("access-matrix"))


@pytest.fixture(scope="module")
def access_world(django_db_setup: None, django_db_blocker: Any, world_storage: dict[str, Any]) -> Iterator[W]:
    """The world, in a transaction rolled back once the module's tests are done."""
    import os

    from cqp.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        **world_storage,
    )
    try:
        with django_db_blocker.unblock(), fast, transaction.atomic():
            call_command("load_referential", stdout=open(os.devnull, "w"))  # noqa: SIM115
            world = build_access_world(
                lambda: TestCase.captureOnCommitCallbacks(execute=True),
                lambda: TestCase.captureOnCommitCallbacks(execute=False),
            )
            yield world
            transaction.set_rollback(True)
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def matrix_world(
    access_world: W, db: None, _fast_and_isolated: None, settings: Any, world_storage: Any, monkeypatch: Any
) -> W:
    """The module's world, its files where the module wrote them (the autouse fixture moved storage)."""
    for name, value in world_storage.items():
        setattr(settings, name, value)
    # Who may download a PDF is decided before it is drawn: a stand-in spares the matrix seconds of WeasyPrint.
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda *args, **kwargs: PDF)
    return access_world


# --- One cell -------------------------------------------------------------------------------------------


def fingerprint() -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows (sessions left out: logging in writes one)."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table == "django_session":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            # bytes, not a memoryview (whose repr is its address) for PostgreSQL's bytea
            rows = sorted(repr([bytes(v) if isinstance(v, memoryview) else v for v in r]) for r in cursor.fetchall())
            state[table] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return state


def test_the_fingerprint_sees_a_changed_row(matrix_world: W) -> None:
    before = fingerprint()
    with transaction.atomic():
        type(matrix_world.dispute).objects.filter(pk=matrix_world.dispute.pk).update(resolution="Autre issue")
        changed = [table for table, state in fingerprint().items() if state != before[table]]
        transaction.set_rollback(True)
    assert changed == [type(matrix_world.dispute)._meta.db_table]
    assert fingerprint() == before


def answer_class(response: Any) -> str:
    status = response.status_code
    if status in (301, 302, 303) and response["Location"].split("?")[0] == reverse("login"):
        return LOGIN
    if 200 <= status < 400 or status == 400:
        return OK
    return str(status)


def ask(world: W, name: str, actor: str, method: str) -> tuple[str, str]:
    """(the answer's class, what went wrong beyond the answer) for one cell, the world left as it was."""
    entry = MATRIX[name]
    expected = (entry.get if method == "GET" else entry.post)[actor]
    url = reverse(name, args=entry.args(world))
    user = world.user(actor, entry.jury)
    client = Client()
    problem = ""
    with transaction.atomic():
        if user is not None:
            client.force_login(user)
        watch = method == "POST" and expected in REFUSED
        before = fingerprint() if watch else None
        sent = len(mail.outbox)
        try:
            data = entry.data(world) if entry.data else {}
            response = client.get(url) if method == "GET" else client.post(url, data)
            answer = answer_class(response)
            # Closing fires request_finished, whose close_old_connections would drop the connection held inside
            # this transaction (PostgreSQL; SQLite in memory never closes): the test client closes with it off.
            request_finished.disconnect(close_old_connections)
            try:
                response.close()
            finally:
                request_finished.connect(close_old_connections)
        except Exception as exc:  # a server error is an answer of the matrix too
            answer = f"500 {type(exc).__name__}: {exc}"[:200]
        if watch:
            after = fingerprint()
            changed = sorted(t for t in after if after[t] != before[t])
            if changed:
                problem = f"a refused POST changed {', '.join(changed)}"
            if len(mail.outbox) != sent:
                problem += " a refused POST sent an e-mail"
        transaction.set_rollback(True)
    return answer, problem


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_the_url_answers_each_actor_as_the_policy_says(matrix_world: W, name: str) -> None:
    failures: list[str] = []
    known: list[str] = []
    for actor in ACTORS:
        for method in ("GET", "POST"):
            expected = (MATRIX[name].get if method == "GET" else MATRIX[name].post)[actor]
            answer, problem = ask(matrix_world, name, actor, method)
            if answer != expected or problem:
                line = f"{name} {actor} {method}: expected {expected}, got {answer} {problem}".strip()
                (known if (name, actor, method) in KNOWN_HOLES else failures).append(line)
    assert not failures, "\n".join(failures + known)
    if known:
        pytest.xfail("known holes: " + "; ".join(known))


# --- Django's admin site --------------------------------------------------------------------------------


def test_only_certifier_admins_enter_the_django_admin(matrix_world: W) -> None:
    """The admin site is left out of the matrix: its index and every model's list open to a certifier admin
    only; any other logged-in user is sent to the admin's login page."""
    from django.contrib import admin

    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    # Anonymous users meet the site's login page (LoginRequiredMiddleware) or the admin's (its index).
    logins = {reverse("admin:login"), reverse("login")}
    failures = []
    for actor in ACTORS:
        client = Client()
        user = matrix_world.user(actor)
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            if actor == "admin":
                answer, expected = str(response.status_code), {"200"}
            else:
                answer = response.get("Location", str(response.status_code)).split("?")[0]
                expected = logins if actor == "anonymous" else {reverse("admin:login")}
            if answer not in expected:
                failures.append(f"{url} {actor}: expected {' or '.join(sorted(expected))}, got {answer}")
    assert not failures, "\n".join(failures)


def test_a_withdrawn_member_is_shown_none_of_their_juries(matrix_world: W) -> None:
    """The list pages answer a withdrawn member (the matrix's "ok") but name none of the juries they sat on; a
    seated member finds theirs among them (open on the home page and the list, closed in the list's history)."""
    pages = (reverse("home"), reverse("juries:list"), reverse("juries:list") + "?history=1")
    for kind in ("evaluation", "certification"):
        jury = reverse("juries:detail", args=[matrix_world.jury(kind).pk])
        for actor, shown in (("seated", True), ("withdrawn", False)):
            client = Client()
            client.force_login(matrix_world.user(actor, kind))
            named = [page for page in pages if jury in client.get(page).text]
            assert bool(named) is shown, (kind, actor, named)
