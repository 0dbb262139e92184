"""Case-insensitive, order-keeping response headers."""

from __future__ import annotations

from typing import Iterable, Iterator, List, Mapping, Tuple


class Headers(Mapping[str, str]):
    """Response headers: ``headers["content-type"]`` ignores case; a repeated header
    gives its first value, and :meth:`get_all` gives every value."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[Tuple[str, str]]) -> None:
        self._items: List[Tuple[str, str]] = list(items)

    def __getitem__(self, name: str) -> str:
        wanted = name.lower()
        for key, value in self._items:
            if key.lower() == wanted:
                return value
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for key, _ in self._items:
            if key.lower() not in seen:
                seen.add(key.lower())
                yield key

    def __len__(self) -> int:
        return len({key.lower() for key, _ in self._items})

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and any(k.lower() == name.lower() for k, _ in self._items)

    def get_all(self, name: str) -> List[str]:
        """Every value of ``name``, in the order received."""
        wanted = name.lower()
        return [value for key, value in self._items if key.lower() == wanted]

    def items_all(self) -> List[Tuple[str, str]]:
        """Every (name, value) pair, repeated names included."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"
