"""The tests (épreuves) of the blocks, as data: writes (certifier admins only, refused on a version in use) and the
reads that sessions, convocations, uploads and the jury's file are built from.

A test belongs to a block and is frozen with its version, like the block's competencies: once something refers to
the version (`cqp.services.version_is_in_use`), changing how long a test lasts or what the candidate hands in would
change past convocations and files, so a change needs a new version (`cqp.services.version_new` copies the tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from accounts.access import check_certifier_admin
from accounts.models import User
from cqp.models import Block, BlockTest, CertificationVersion
from cqp.services import _apply, _assert_rules_editable

TEST_FIELDS = ("order", "method", "title", "duration_minutes", "document_required", "document_label")
TEST_EDITABLE_FIELDS = frozenset(TEST_FIELDS)


def _clean_and_save(test: BlockTest) -> BlockTest:
    test.full_clean()
    test.save()
    return test


@transaction.atomic
def block_test_create(*, block: Block, actor: User, **fields: Any) -> BlockTest:
    """Add a test to a block of a version not in use. Certifier admins only."""
    check_certifier_admin(actor, _("Seul un administrateur du certificateur modifie les épreuves."))
    block = Block.objects.select_related("version").get(pk=block.pk)
    _assert_rules_editable(block.version, what=_("ajouter une épreuve au bloc %(code)s") % {"code": block.code})
    test = BlockTest(block=block)
    if "order" not in fields:
        fields["order"] = (block.tests.aggregate(last=Max("order"))["last"] or 0) + 1
    _apply(test, fields, TEST_EDITABLE_FIELDS)
    return _clean_and_save(test)


@transaction.atomic
def block_test_update(*, test: BlockTest, actor: User, **fields: Any) -> BlockTest:
    """Change a test of a version not in use. Certifier admins only."""
    check_certifier_admin(actor, _("Seul un administrateur du certificateur modifie les épreuves."))
    test = BlockTest.objects.select_for_update().select_related("block__version").get(pk=test.pk)
    changed = _apply(test, fields, TEST_EDITABLE_FIELDS)
    if changed:
        _assert_rules_editable(test.block.version, what=_("modifier l'épreuve « %(title)s »") % {"title": test.title})
    return _clean_and_save(test)


@transaction.atomic
def block_test_delete(*, test: BlockTest, actor: User) -> None:
    """Remove a test of a version not in use. Certifier admins only."""
    check_certifier_admin(actor, _("Seul un administrateur du certificateur modifie les épreuves."))
    test = BlockTest.objects.select_for_update().select_related("block__version").get(pk=test.pk)
    _assert_rules_editable(test.block.version, what=_("supprimer l'épreuve « %(title)s »") % {"title": test.title})
    test.delete()


@transaction.atomic
def block_test_load(*, block: Block, **fields: Any) -> BlockTest:
    """A test written by `load_referential` (no user: the branch's own data), with the same checks on its fields."""
    _assert_rules_editable(block.version, what=_("ajouter une épreuve au bloc %(code)s") % {"code": block.code})
    test = BlockTest(block=block)
    _apply(test, fields, TEST_EDITABLE_FIELDS)
    return _clean_and_save(test)


def copy_tests(*, source: Block, target: Block) -> None:
    """A new version's block gets the tests of the block it copies (`cqp.services.version_new`)."""
    BlockTest.objects.bulk_create(
        BlockTest(
            block=target,
            order=t.order,
            method=t.method,
            title=t.title,
            duration_minutes=t.duration_minutes,
            document_required=t.document_required,
            document_label=t.document_label,
        )
        for t in source.tests.all()
    )


# --- Reads -------------------------------------------------------------------------------------------------


def of_blocks(blocks: Iterable[Block]) -> list[BlockTest]:
    """The tests of these blocks, block by block in the blocks' order, then in the tests' order (one query)."""
    ids = [b.pk for b in blocks]
    return list(
        BlockTest.objects.filter(block_id__in=ids)
        .select_related("block")
        .order_by("block__order", "block__code", "order", "pk")
    )


def blocks_minutes(blocks: Iterable[Block]) -> int:
    """How long the tests of these blocks last before the jury, in minutes (0 when they have none)."""
    total = BlockTest.objects.filter(block__in=list(blocks)).aggregate(total=Sum("duration_minutes"))["total"]
    return int(total or 0)


def version_has_tests(version: CertificationVersion) -> bool:
    return BlockTest.objects.filter(block__version=version).exists()


def version_minutes(version: CertificationVersion) -> int:
    """How long a candidate sitting every block of the version spends before the jury (0 without tests)."""
    total = BlockTest.objects.filter(block__version=version).aggregate(total=Sum("duration_minutes"))["total"]
    return int(total or 0)


def refuse_unknown_test(test: BlockTest | None, block: Block) -> None:
    """A document is for a test of its block, one that asks for a document."""
    if test is None:
        return
    if test.block_id != block.pk:
        raise ValidationError(
            _("L'épreuve « %(title)s » n'est pas une épreuve du bloc %(code)s.")
            % {"title": test.title, "code": block.code}
        )
    if not test.document_required:
        raise ValidationError(
            _("L'épreuve « %(title)s » ne demande aucun document : rien à déposer pour elle.") % {"title": test.title}
        )
