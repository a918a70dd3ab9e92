"""Private storage: files served only by views that check access, never by an address."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.files.storage import Storage, storages
from django.utils.functional import LazyObject

if TYPE_CHECKING:
    _LazyStorage = LazyObject[Storage]
else:
    _LazyStorage = LazyObject


class PrivateStorage(_LazyStorage):
    """`storages[alias]` looked up at each use. A FileField calls its storage callable once, when the model is
    loaded: a plain `lambda: storages[alias]` would keep that first storage for good, and tests (or an object
    store configured in STORAGES) would write to the real private folder. It has no `url()`: a file is served
    by a view that checks who asks."""

    def __init__(self, alias: str) -> None:
        self.__dict__["_alias"] = alias  # LazyObject.__setattr__ would set it on the wrapped storage
        super().__init__()

    def _setup(self) -> None:
        self._wrapped = storages[self.__dict__["_alias"]]

    def __getattr__(self, name: str) -> Any:
        return getattr(storages[self.__dict__["_alias"]], name)

    def url(self, name: str | None) -> str:
        # FileSystemStorage falls back on MEDIA_URL when base_url is None: never hand out such a link.
        raise ValueError("Le stockage privé n'a pas d'adresse : le fichier se sert par une vue qui vérifie l'accès.")


def private_storage(alias: str) -> Storage:
    """The storage `alias` of STORAGES, looked up at each use and without any URL."""
    return cast(Storage, PrivateStorage(alias))  # a proxy: it answers as the storage it wraps
