"""`python manage.py import_rncp FILE`: draft versions from France compétences' export of RNCP fiches (XML or zip,
read as a stream). One line a fiche: `RNCP99913: created draft version, 4 blocks, 41 competencies`, `unchanged`
or `skipped: <reason>`. Each fiche in its own transaction: a fiche skipped leaves the others imported."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from lxml import etree  # type: ignore[import-untyped]

from cqp import rncp, rncp_import


class Command(BaseCommand):
    help = "Importe des fiches RNCP (export XML ou zip de France compétences) en versions brouillon."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="l'export : .xml, ou le .zip qui le contient")
        parser.add_argument(
            "--number", action="append", default=[], help="n'importer que ce numéro (RNCP31313), répétable"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = {n.strip().upper() for n in options["number"]}
        try:
            for fiche in rncp.iter_fiches(options["file"]):
                if wanted and fiche.number not in wanted:
                    continue
                self.stdout.write(str(rncp_import.import_fiche(fiche)))
        except FileNotFoundError as error:
            raise CommandError(f"Fichier introuvable : {options['file']}") from error
        except (etree.XMLSyntaxError, ValueError) as error:
            raise CommandError(f"Export illisible : {error}") from error
