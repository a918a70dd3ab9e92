"""The bounds of every input, and the last check before any row is written."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import ValidationError

from cqp.lib import bounds
from cqp.models import TrainingOrganisation


@pytest.mark.parametrize("text", ["a\x00b", "\x1b[31m", "del\x7f", "c1\x85"])
def test_control_characters_are_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="caractère de contrôle"):
        bounds.refuse_control_characters(text)


def test_tabs_and_line_breaks_are_text() -> None:
    bounds.refuse_control_characters("ligne 1\r\n\tligne 2 — é ß 🙂")


def test_length_message_says_by_how_much() -> None:
    with pytest.raises(ValidationError) as error:
        bounds.check_length("x" * 12, 10, "Commentaire")
    assert "10 caractères au plus (ce texte en a 12)" in error.value.messages[0]


@pytest.mark.parametrize(
    ("validator", "value"),
    [
        (bounds.event_date, lambda: datetime.date(9999, 12, 31)),
        (bounds.event_date, lambda: datetime.date(1999, 12, 31)),
        (bounds.birth_date, lambda: datetime.date(1, 1, 1)),
        (bounds.birth_date, bounds.today),
        (bounds.calendar_date, lambda: datetime.date(2101, 1, 1)),
        (bounds.past_event_date, lambda: bounds.today() + datetime.timedelta(days=2)),
    ],
)
def test_implausible_dates_are_refused(validator, value) -> None:
    # Dates computed when the test runs, not when it is collected (a run may cross midnight).
    with pytest.raises(ValidationError, match="entre le"):
        validator(value())


def test_plausible_dates_pass() -> None:
    bounds.event_date(bounds.today() + datetime.timedelta(days=365 * 2))
    bounds.birth_date(datetime.date(1990, 5, 17))
    bounds.past_event_date(bounds.today())


def test_breakable_cuts_only_long_words_and_fast() -> None:
    assert bounds.breakable("Un texte normal, sans mot trop long.") == "Un texte normal, sans mot trop long."
    cut = bounds.breakable("x" * 100 + " fin")
    assert cut.replace(bounds.ZERO_WIDTH_SPACE, "") == "x" * 100 + " fin"
    assert max(len(word) for word in cut.replace(bounds.ZERO_WIDTH_SPACE, " ").split()) == bounds.WORD_LENGTH
    started = time.perf_counter()
    bounds.breakable("y" * 1_000_000)
    assert time.perf_counter() - started < 1


@pytest.mark.django_db
def test_no_row_is_written_with_a_control_character_or_past_its_length() -> None:
    with pytest.raises(ValidationError) as error:
        TrainingOrganisation.objects.create(name="Atelier\x00 Dupont")
    assert "name" in error.value.message_dict
    name_length = TrainingOrganisation._meta.get_field("name").max_length
    assert name_length is not None
    with pytest.raises(ValidationError):
        TrainingOrganisation.objects.create(name="A" * (name_length + 1))
    assert not TrainingOrganisation.objects.exists()


def test_tomorrow_in_paris_is_still_today_overseas() -> None:
    bounds.past_event_date(bounds.today() + datetime.timedelta(days=1))


@pytest.mark.django_db
def test_an_old_row_past_todays_limit_can_have_another_field_saved() -> None:
    organisation = TrainingOrganisation.objects.create(name="Atelier Dupont")
    # A city written before the limits existed (PostgreSQL does not enforce a TextField's max_length either).
    TrainingOrganisation.objects.filter(pk=organisation.pk).update(city="\x1bVille")
    organisation.refresh_from_db()
    organisation.department = "75"
    organisation.save(update_fields=["department"])
    with pytest.raises(ValidationError):
        organisation.save()
    organisation.refresh_from_db()
    assert organisation.department == "75"
