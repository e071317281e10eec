"""A read-only mapping over a private copy: every mapping a value object holds is one."""

from __future__ import annotations

from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from types import MappingProxyType
from typing import NoReturn, Self, TypeVar, overload

__all__ = ["FrozenMapping", "frozen", "frozen_tuple"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")


class FrozenMapping(Mapping[_K, _V]):
    """A read-only mapping over a private copy of the items it was built from.

    Every mapping a :class:`RuleSet` holds, nested ones included, is one of these, so
    ``default_rules().labels["en"]["route.online"] = ...`` raises ``TypeError`` instead of
    changing every later answer in the process (the rule set is cached).  It has no
    ``__setitem__``, ``__delitem__``, ``clear``, ``update``, ``setdefault``, ``pop`` or
    ``popitem``; its attributes cannot be set, and it is built in ``__new__``, so calling
    ``__init__`` again cannot refill it.

    Why not a bare :class:`types.MappingProxyType` (one holds the copy here): a proxy can be
    neither pickled nor deep-copied, and a rule set always could be.  This class pickles (as
    a copy of its items), compares equal to any mapping with the same items (a ``dict``
    too), and hashes when its values do, so a :class:`Rule` holding its texts in them is
    hashable.
    """

    __slots__ = ("_items",)
    _items: Mapping[_K, _V]

    def __new__(cls, items: Mapping[_K, _V] | Iterable[tuple[_K, _V]] = ()) -> Self:
        self = super().__new__(cls)
        object.__setattr__(self, "_items", MappingProxyType(dict(items)))
        return self

    def __getitem__(self, key: _K) -> _V:
        return self._items[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    @overload
    def get(self, key: _K, /) -> _V | None: ...
    @overload
    def get(self, key: _K, default: _V | _T, /) -> _V | _T: ...
    def get(self, key: _K, default: object = None, /) -> object:
        return self._items.get(key, default)

    def keys(self) -> KeysView[_K]:
        return self._items.keys()

    def items(self) -> ItemsView[_K, _V]:
        return self._items.items()

    def values(self) -> ValuesView[_V]:
        return self._items.values()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._items.items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._items)!r})"

    def __reduce__(self) -> tuple[type[FrozenMapping[_K, _V]], tuple[dict[_K, _V]]]:
        return (type(self), (dict(self._items),))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"{type(self).__name__} is read-only")


def frozen(items: Mapping[_K, _V]) -> Mapping[_K, _V]:
    """A read-only copy of ``items`` (a :class:`FrozenMapping` is kept as it is)."""
    return items if type(items) is FrozenMapping else FrozenMapping(items)


def frozen_tuple(items: Iterable[_T]) -> tuple[_T, ...]:
    """``items`` as a tuple, so that no list a caller still holds is shared; a string is
    refused (``claims="A1"`` must not become ``("A", "1")``)."""
    if isinstance(items, str):
        raise TypeError(f"expected a sequence, not the string {items[:60]!r}")
    return items if type(items) is tuple else tuple(items)
