"""Locale packs: a directory with locale.yaml adds a locale to the rules of the packs before it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from simcancel import (
    RuleFileError,
    UserState,
    assess,
    builtin_packs,
    builtin_rules_path,
    default_rules,
    load_rules,
)
from simcancel.analysis import check_i18n
from tests.packs import copy_builtin

_UR = builtin_rules_path() / "locale-ur" / "locale.yaml"
_STATE = Path("examples/jazz-blocked.json")


def _problems(*dirs: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(*dirs)
    return [str(problem) for problem in caught.value.problems]


def _article_with_ur(tmp_path: Path, old: str = "", new: str = "") -> tuple[Path, Path]:
    """A copy of the article pack and of its Urdu pack, with ``old`` replaced by ``new`` in the latter."""
    pack = copy_builtin(tmp_path / "rules")
    locale = pack / "locale-ur" / "locale.yaml"
    if old:
        text = locale.read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        locale.write_text(text.replace(old, new), encoding="utf-8")
    return pack, pack / "locale-ur"


def test_builtin_packs_include_urdu() -> None:
    """The built-in rule set has ur after the pack's own locales, for every rule and label;
    builtin_packs() leaves the Urdu packs out unless asked, so a pack of new rules loads with it."""
    assert load_rules(*builtin_packs()).locales == ("zh-CN", "en")
    assert default_rules().locales == ("zh-CN", "en", "ur")
    rules = load_rules(*builtin_packs(locale_packs=True))
    assert rules.locales == ("zh-CN", "en", "ur")
    assert all("ur" in rule.message for rule in rules.rules)
    assert set(rules.labels["ur"]) == set(rules.labels["en"])
    assert check_i18n(rules).ok
    assert load_rules(*builtin_packs(public_facts=False, locale_packs=True)).locales == ("zh-CN", "en", "ur")


def test_an_assessment_in_urdu() -> None:
    """assess(locale='ur') (and 'ur-PK', negotiated) gives Urdu texts and labels."""
    state = UserState.from_json(_STATE.read_bytes())
    result = assess(state, locale="ur-PK", as_of=dt.date(2026, 11, 24))
    assert result.locale == "ur"
    assert result.blocking[0].message.startswith("کارڈ میں ابھی 150.00 روپے")
    assert result.labels["kind.blocking"] == "رکاوٹیں"


def test_a_missing_rule_text_is_reported_with_file_and_line(tmp_path: Path) -> None:
    """A rule the locale pack does not translate is reported at its texts, naming the rule's file."""
    pack, ur = _article_with_ur(
        tmp_path,
        '  check-every-step:\n    message: "تحمل سے کام لیں اور ہر مرحلہ جانچ لیں؛ '
        'ذرا سی غلطی سے دوسرا چکر لگانا پڑ سکتا ہے۔"\n',
        "",
    )
    found = _problems(pack, ur)
    assert len(found) == 1
    assert found[0].startswith("rules/locale-ur/locale.yaml:")
    assert "$.texts: missing texts for rule 'check-every-step' (rules/pitfalls.yaml:" in found[0]


def test_a_missing_fix_or_step_is_reported(tmp_path: Path) -> None:
    """A rule's fix or step the pack leaves out is reported at that rule's entry."""
    pack, ur = _article_with_ur(
        tmp_path,
        '      - "وہ جو سرکاری طریقہ بتائیں اس پر عمل کریں، اور ٹکٹ نمبر لکھ لیں۔"\n',
        "",
    )
    found = _problems(pack, ur)
    assert len(found) == 1
    assert "$.texts.route-ask-fallback: missing steps[1] of rule 'route-ask-fallback'" in found[0]


def test_other_placeholders_are_reported(tmp_path: Path) -> None:
    """A translation must use the placeholders of the rule's own texts."""
    pack, ur = _article_with_ur(tmp_path, "تمام واجبات ({arrears} روپے)", "تمام واجبات ({balance} روپے)")
    found = _problems(pack, ur)
    assert len(found) == 1
    assert (
        "$.texts.arrears-unpaid.fix: expected the placeholders of zh-CN ['arrears'], got ['balance']"
        in (found[0])
    )


def test_an_unknown_rule_id_and_a_missing_label_are_reported(tmp_path: Path) -> None:
    """Texts for no rule (with did-you-mean) and a label the other locales have are problems."""
    pack, ur = _article_with_ur(tmp_path, "  route-in-store:\n", "  route-in-stor:\n")
    found = _problems(pack, ur)
    assert any(
        "$.texts.route-in-stor: unknown rule id 'route-in-stor' (did you mean 'route-in-store'?)" in p
        for p in found
    )
    pack, ur = _article_with_ur(tmp_path / "2", '  heading.steps: "مراحل"\n', "")
    found = _problems(pack, ur)
    assert len(found) == 1
    assert "rules/locale-ur/locale.yaml:" in found[0]
    assert "$.labels: missing label 'heading.steps' (other locales have it)" in found[0]


def test_a_locale_pack_must_translate_every_loaded_pack(tmp_path: Path) -> None:
    """The article's Urdu pack alone does not translate the public facts' rules."""
    found = _problems(
        builtin_rules_path(), builtin_rules_path() / "public-facts", builtin_rules_path() / "locale-ur"
    )
    assert any("missing texts for rule 'pta-complaint'" in problem for problem in found)


def test_a_locale_pack_adds_a_locale_the_cli_accepts(tmp_path: Path) -> None:
    """A third-party locale pack's locale works from Python and from `simcancel assess --rules`."""
    from simcancel.cli import main

    pack = copy_builtin(tmp_path / "rules")
    shutil.rmtree(pack / "locale-ur")
    ours = tmp_path / "locale-xx"
    ours.mkdir()
    (ours / "locale.yaml").write_text(
        _UR.read_text(encoding="utf-8").replace("locale: ur", "locale: sd"), encoding="utf-8"
    )
    assert load_rules(pack, ours).locales == ("zh-CN", "en", "sd")
    assert main(["assess", str(_STATE), "--rules", str(pack), "--rules", str(ours), "--locale", "sd"]) == 1
