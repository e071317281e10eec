"""Locale names people pass, negotiated to a pack's locales; plural categories (CLDR, Babel).

``zh``, ``zh_CN``, ``zh-Hans``, ``zh-Hans-CN`` all mean the pack's ``zh-CN``; ``en-GB`` and
``EN`` mean ``en``.  A requested locale matches a pack locale when, after filling in
CLDR's likely subtags (``zh`` is ``zh_Hans_CN``, ``en`` is ``en_Latn_US``), language and
script agree: ``zh-TW`` (Traditional script) does not match ``zh-CN``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.plural import PluralRule

__all__ = ["negotiate_locale", "plural_categories", "plural_category"]

_Subtags = tuple[str, str | None, str | None]


def _normalized(tag: str) -> str:
    return tag.replace("-", "_").casefold()


@functools.cache
def _babel_locale(tag: str) -> Locale | None:
    """The Babel locale of a tag (``zh-CN`` or ``zh_CN``, any case), or None if CLDR lacks it."""
    parts = tag.replace("-", "_").split("_")
    # Babel wants language lowercase, script title case, territory uppercase.
    fixed = [parts[0].lower()] + [part.title() if len(part) == 4 else part.upper() for part in parts[1:]]
    try:
        return Locale.parse("_".join(fixed))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _maximized(locale: Locale) -> _Subtags:
    """Language, script, territory, with CLDR's likely subtags filling in what is missing."""
    likely: Mapping[str, str] = get_global("likely_subtags")
    script, territory = locale.script, locale.territory
    for key in (
        f"{locale.language}_{script}" if script else None,
        f"{locale.language}_{territory}" if territory else None,
        locale.language,
    ):
        if key and key in likely and (script is None or territory is None):
            full = Locale.parse(likely[key])
            script = script or full.script
            territory = territory or full.territory
    return (locale.language, script, territory)


def negotiate_locale(requested: str, available: Sequence[str]) -> str | None:
    """The locale of ``available`` that ``requested`` means, or None.

    An exact match (ignoring case and ``-``/``_``) wins; then same language, script and
    territory; then same language and script.
    """
    if type(requested) is str and type(available) is tuple:
        return _negotiated(requested, available)
    return _negotiate(requested, available)


@functools.lru_cache(maxsize=1024)
def _negotiated(requested: str, available: tuple[str, ...]) -> str | None:
    """:func:`_negotiate`, remembered: every ``assess()`` negotiates its locale."""
    return _negotiate(requested, available)


def _negotiate(requested: str, available: Sequence[str]) -> str | None:
    by_name = {_normalized(locale): locale for locale in available}
    if _normalized(requested) in by_name:
        return by_name[_normalized(requested)]
    wanted = _babel_locale(requested)
    if wanted is None:
        return None
    language, script, territory = _maximized(wanted)
    candidates = []
    for locale in available:
        known = _babel_locale(locale)
        if known is not None:
            candidates.append((locale, _maximized(known)))
    for locale, subtags in candidates:
        if subtags == (language, script, territory):
            return locale
    for locale, (their_language, their_script, _territory) in candidates:
        if (their_language, their_script) == (language, script):
            return locale
    return None


_SHIPPED_PLURAL_RULES: Mapping[str, Mapping[str, str]] = {
    "en": {"one": "i in 1 and v in 0"},
    "ur": {"one": "i in 1 and v in 0"},
    "zh-CN": {},
}
"""CLDR's plural rules of the shipped packs' locales, as Babel has them (its
``Locale.plural_form.rules``; ``tests/test_plural.py`` checks they are still the same).

Babel reads a locale's plural rule from the locale's whole data file (about 20 ms of
start-up for three locales, most of every ``simcancel assess``); for these locales the
same rule is built from this table instead.  Any other locale goes to Babel."""


@functools.cache
def _plural_rule(locale: str) -> PluralRule | None:
    """The CLDR plural rule of ``locale``, or None for a locale CLDR does not know."""
    if locale in _SHIPPED_PLURAL_RULES:
        return PluralRule(_SHIPPED_PLURAL_RULES[locale])
    known = _babel_locale(locale)
    return None if known is None else known.plural_form


@functools.cache
def plural_categories(locale: str) -> frozenset[str]:
    """The CLDR plural categories of ``locale`` (``other`` always; ``one`` for en and ur;
    only ``other`` for zh, or for a locale CLDR does not know)."""
    rule = _plural_rule(locale)
    return frozenset({"other"} | (set(rule.tags) if rule is not None else set()))


@functools.lru_cache(maxsize=4096)
def plural_category(locale: str, count: int) -> str:
    """The plural category of ``count`` in ``locale`` (``other`` where CLDR has no rule).

    Remembered (a pure function of its arguments): Babel's rule costs microseconds a call.
    """
    rule = _plural_rule(locale)
    return "other" if rule is None else str(rule(count))
