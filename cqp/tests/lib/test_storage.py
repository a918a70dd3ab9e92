from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from cqp.lib.storage import private_storage


def test_the_storage_is_looked_up_at_each_use(tmp_path, settings) -> None:
    storage = private_storage("private")
    stores = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    with override_settings(STORAGES=stores):
        name = storage.save("a.txt", ContentFile(b"x"))
        assert (tmp_path / name).read_bytes() == b"x"


@pytest.mark.parametrize("alias", ["private", "certificates"])
def test_a_private_storage_has_no_url(alias: str) -> None:
    with pytest.raises(ValueError, match="pas d'adresse"):
        private_storage(alias).url("a.pdf")
