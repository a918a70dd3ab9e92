"""The VAE rules on plain values."""

from __future__ import annotations

import datetime as dt

from vae import rules

TODAY = dt.date(2026, 3, 2)


def test_a_file_goes_with_a_version_that_offers_vae() -> None:
    assert rules.route_refusal(["formation_continue", "vae"]) is None
    assert "n'est pas ouverte à la VAE" in str(rules.route_refusal(["formation_continue"]))


def test_the_experience_declared_is_bounded() -> None:
    assert rules.experience_refusal(0) is None
    assert rules.experience_refusal(600) is None
    assert "entre 0 et 600 mois" in str(rules.experience_refusal(601))
    assert rules.experience_refusal(-1) is not None


def test_a_decision_is_taken_on_a_file_sent_and_says_why() -> None:
    def refusal(decision: str, *, status: str = "submitted", missing: str = "", reason: str = "", months: int = 12):
        return rules.decision_refusal(
            status=status, decision=decision, missing=missing, reason=reason, experience_months=months
        )

    assert refusal("admissible") is None
    assert "seul un dossier transmis" in str(refusal("admissible", status="admissible"))
    assert "ce qui manque" in str(refusal("incomplete", missing="  "))
    assert refusal("incomplete", missing="Certificats de travail") is None
    assert "motif est obligatoire" in str(refusal("not_admissible"))
    assert refusal("not_admissible", reason="Aucune activité horlogère") is None
    assert "au moins un an (12 mois)" in str(refusal("admissible", months=11))
    assert "recevable, incomplet ou non recevable" in str(refusal("approved"))


def test_an_admissibility_holds_three_years() -> None:
    assert rules.valid_until(dt.date(2026, 3, 2)) == dt.date(2029, 3, 2)
    assert rules.valid_until(dt.date(2028, 2, 29)) == dt.date(2031, 2, 28)
    assert rules.admissible_on(status="admissible", until=dt.date(2029, 3, 2), on=dt.date(2029, 3, 2))
    assert not rules.admissible_on(status="admissible", until=dt.date(2029, 3, 2), on=dt.date(2029, 3, 3))
    assert not rules.admissible_on(status="incomplete", until=None, on=TODAY)


def test_the_candidate_changes_and_sends_an_open_file_only() -> None:
    assert rules.change_refusal("draft") is None
    assert rules.change_refusal("incomplete") is None
    assert "« transmis, en attente de décision »" in str(rules.change_refusal("submitted"))
    assert "au moins une pièce" in str(rules.submit_refusal(status="draft", documents=0))
    assert rules.submit_refusal(status="incomplete", documents=1) is None
    assert "10 pièces au plus" in str(rules.document_refusal(status="draft", count=10))


def test_the_declarative_file_comes_after_a_valid_admissibility_once() -> None:
    until = dt.date(2029, 3, 2)
    assert rules.declarative_refusal(status="admissible", until=until, today=TODAY, sent=False) is None
    assert "une fois le dossier de recevabilité déclaré recevable" in str(
        rules.declarative_refusal(status="submitted", until=None, today=TODAY, sent=False)
    )
    assert "déjà été transmis" in str(
        rules.declarative_refusal(status="admissible", until=until, today=TODAY, sent=True)
    )
    assert "a expiré" in str(rules.declarative_refusal(status="admissible", until=TODAY, today=until, sent=False))
    assert "10 documents techniques au plus" in str(rules.technical_refusal(count=10))
    assert "déposez d'abord le dossier déclaratif" in str(rules.declarative_submit_refusal(has_declarative=False))


def test_a_vae_candidate_sits_once_admissible_with_the_declarative_file_sent() -> None:
    def refusal(route: str = "vae", status: str | None = "admissible", sent: bool = True, on: dt.date = TODAY):
        return rules.placement_refusal(
            name="MARTIN Julie", route=route, status=status, until=dt.date(2029, 3, 2), on=on, declarative_sent=sent
        )

    assert refusal() is None
    assert refusal(route="formation_continue", status=None) is None
    assert "n'a pas de dossier de recevabilité" in str(refusal(status=None))
    assert "est « incomplet »" in str(refusal(status="incomplete"))
    assert "n'est plus valable le premier jour de la session" in str(refusal(on=dt.date(2029, 3, 3)))
    assert "n'a pas encore transmis son dossier déclaratif" in str(refusal(sent=False))
    assert "MARTIN Julie" in str(refusal(sent=False))


def test_durations_read_in_words() -> None:
    assert rules.duration_label(8) == "8 mois"
    assert rules.duration_label(12) == "1 an"
    assert rules.duration_label(27) == "2 ans et 3 mois"
    assert rules.duration_label(0) == "0 mois"
