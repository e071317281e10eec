"""Plural forms: a locale's text may be CLDR plural forms keyed by a count fact."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from simcancel import RuleFileError, UserState, assess, default_rules, load_rules
from simcancel._locales import _SHIPPED_PLURAL_RULES, _babel_locale, plural_categories, plural_category
from simcancel._ruleset import Plural
from simcancel.analysis import check_i18n
from tests.packs import clean_state, minimal_pack

_RULE = """\
rules:
  - id: services-left
    kind: warning
    claims: [A2]
    when: {{active_services: {{gt: 0}}}}
    message:
      zh-CN: {zh}
      en: {en}
"""
_EN = '{plural: active_services, one: "1 service left.", other: "{active_services} services left."}'
_ZH = '{plural: active_services, other: "还有 {active_services} 项服务。"}'


def _pack(tmp_path: Path, *, en: str = _EN, zh: str = _ZH) -> Path:
    return minimal_pack(tmp_path / "pack", {"services.yaml": _RULE.format(en=en, zh=zh)})


def _problems(pack: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    return [str(problem) for problem in caught.value.problems]


def _message(pack: Path, services: int, locale: str) -> str:
    state = UserState.from_dict(
        clean_state(
            provider="other",
            services=[
                {"kind": "sms", "active": True, "recurring": False, "name": f"pack {index}"}
                for index in range(services)
            ],
        )
    )
    result = assess(state, rules=load_rules(pack), locale=locale, as_of=dt.date(2026, 11, 24))
    return next(issue.message for issue in result.warnings if issue.code == "services-left")


@pytest.mark.parametrize(
    ("count", "locale", "message"),
    [
        (1, "en", "1 service left."),
        (2, "en", "2 services left."),
        (1, "zh-CN", "还有 1 项服务。"),
        (3, "zh-CN", "还有 3 项服务。"),
    ],
)
def test_the_form_follows_the_count(tmp_path: Path, count: int, locale: str, message: str) -> None:
    """The form is the CLDR plural category of the count in the locale (en: one/other; zh: other)."""
    assert _message(_pack(tmp_path), count, locale) == message


def test_plural_texts_load_as_plural(tmp_path: Path) -> None:
    """A plural mapping is read as Plural, a plain string stays a string."""
    rule = load_rules(_pack(tmp_path, zh='"还有 {active_services} 项服务。"')).rule("services-left")
    assert rule.message["en"] == Plural(
        count="active_services", forms={"one": "1 service left.", "other": "{active_services} services left."}
    )
    assert rule.message["zh-CN"] == "还有 {active_services} 项服务。"


def test_a_missing_category_of_the_locale_is_reported(tmp_path: Path) -> None:
    """en needs 'one' and 'other': a form missing is reported with file, line and the locale's set."""
    found = _problems(_pack(tmp_path, en='{plural: active_services, other: "{active_services} left."}'))
    assert found == [
        "pack/services.yaml:8: $.rules[0].message.en: missing plural form one: locale 'en' has one, other"
    ]


def test_a_category_the_locale_lacks_is_reported(tmp_path: Path) -> None:
    """zh-CN has only 'other': a 'one' form is reported."""
    zh = '{plural: active_services, one: "一项。", other: "{active_services} 项。"}'
    found = _problems(_pack(tmp_path, zh=zh))
    assert found == [
        "pack/services.yaml:7: $.rules[0].message.zh-CN.one: locale 'zh-CN' has no plural category 'one'; "
        "it has other"
    ]


def test_the_count_must_be_a_count_fact(tmp_path: Path) -> None:
    """`plural` names a count fact (a money or bool fact has no plural), with did-you-mean."""
    found = _problems(_pack(tmp_path, en='{plural: active_service, one: "1.", other: "{active_services}."}'))
    assert any(
        "$.rules[0].message.en.plural: expected a count fact, got 'active_service' "
        "(did you mean 'active_services'?)" in problem
        for problem in found
    )


def test_placeholders_of_every_form_are_checked(tmp_path: Path) -> None:
    """A form naming no fact is refused like any text; the locales must agree on placeholders."""
    found = _problems(
        _pack(tmp_path, en='{plural: active_services, one: "{balanc}.", other: "{active_services}."}')
    )
    assert any(
        "$.rules[0].message.en.one: placeholder {balanc} is not a fact" in problem for problem in found
    )
    found = _problems(_pack(tmp_path, zh='{plural: active_services, other: "{balance} 项。"}'))
    assert any("expected the same placeholders in every locale" in problem for problem in found)


def test_shipped_count_messages_say_one_service_not_services_s(tmp_path: Path) -> None:
    """The built-in services messages agree with the count in English."""
    state = UserState.from_dict(
        clean_state(
            provider="jazz",
            services=[{"kind": "sms", "active": True, "recurring": True, "name": "daily SMS"}],
        )
    )
    result = assess(state, locale="en", as_of=dt.date(2026, 11, 24))
    texts = [issue.message for issue in (*result.blocking, *result.warnings)]
    assert any(text.startswith("1 value-added service (") for text in texts)
    assert any(text.startswith("1 active value-added service renews by itself.") for text in texts)


def test_verify_i18n_reports_missing_plural_forms() -> None:
    """verify's i18n check finds a plural text without every category of its locale."""
    rules = default_rules()
    rule = rules.rule("services-still-active")
    broken = attrs.evolve(
        rule,
        message={**rule.message, "en": Plural(count="active_services", forms={"other": "{active_services}"})},
    )
    changed = attrs.evolve(rules, rules=tuple(broken if r.id == rule.id else r for r in rules.rules))
    assert check_i18n(rules).ok
    assert "rule services-still-active message: plural forms missing in en" in [
        example.problem for example in check_i18n(changed).counterexamples
    ]


@pytest.mark.parametrize("locale", sorted(_SHIPPED_PLURAL_RULES))
def test_the_shipped_plural_table_is_babels(locale: str) -> None:
    """The plural rules kept for the shipped locales are Babel's, category for category."""
    known = _babel_locale(locale)
    assert known is not None
    assert dict(_SHIPPED_PLURAL_RULES[locale]) == known.plural_form.rules
    assert plural_categories(locale) == frozenset({"other", *known.plural_form.tags})
    for count in (0, 1, 2, 5, 11, 21, 101, 1_000_000):
        assert plural_category(locale, count) == known.plural_form(count)


def test_a_locale_outside_the_table_asks_babel() -> None:
    """A locale the table lacks gets CLDR's rule from Babel (Russian has few, many, one, other)."""
    assert plural_categories("ru") == frozenset({"one", "few", "many", "other"})
    assert [plural_category("ru", count) for count in (1, 2, 5)] == ["one", "few", "many"]
