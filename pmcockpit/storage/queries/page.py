"""The shape every paged read returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """The first rows of a longer list, and how long the list is."""

    rows: tuple[T, ...]
    total: int
