"""Which files the database names: every mapped class with a ``storage_area`` keeps a file
in that area under its ``stored_name``, with its ``sha256`` (and ``size_bytes``, where it
has one). A new kind of stored file declares its area on its model and is checked by
`lms doctor` and copied by `lms storage migrate` without a change here."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from lms.db import SessionLike
from lms.extensions import Model


@dataclass(frozen=True)
class NamedFile:
    area: str
    name: str
    sha256: str
    size: int | None
    row: str  # "submission 12": where the name is recorded

    @property
    def where(self) -> str:
        return f"{self.area}/{self.name}"


def models_with_files() -> list[type[Any]]:
    """The mapped classes that name stored files, in a stable order."""
    found = [mapper.class_ for mapper in Model.registry.mappers
             if isinstance(getattr(mapper.class_, "storage_area", None), str)]
    return sorted(found, key=lambda cls: cls.__tablename__)


def named_files(session: SessionLike, batch: int = 1000) -> Iterator[NamedFile]:
    """Every file a row names, read in batches (the rows are never all in memory)."""
    for model in models_with_files():
        size = getattr(model, "size_bytes", None)
        columns = [model.id, model.stored_name, model.sha256]
        statement = (sa.select(*columns, size if size is not None else sa.null())
                     .where(model.stored_name.is_not(None))  # (no file yet: nothing to check)
                     .order_by(model.id).execution_options(yield_per=batch))
        for row_id, name, digest, length in session.execute(statement):
            yield NamedFile(model.storage_area, cast(str, name), cast(str, digest),
                            cast("int | None", length),
                            f"{model.__tablename__} {row_id}")


def named_in(session: SessionLike, area: str) -> set[str]:
    """The stored names rows record in ``area``."""
    names: set[str] = set()
    for model in models_with_files():
        if model.storage_area == area:
            names.update(session.scalars(sa.select(model.stored_name)
                                         .where(model.stored_name.is_not(None))))
    return names
