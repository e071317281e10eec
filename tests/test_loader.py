"""The loader refuses a bad rule pack before durable-rules sees it, naming file, line and path.

Each test copies the shipped pack into ``tmp_path``, breaks one file, and pins the exact
problem: ``pack/file.yaml:LINE: $.path: message``.  One test breaks one file in several
ways at once and checks that every defect is reported in the same error.
"""

from __future__ import annotations

import decimal
import os
from pathlib import Path

import pytest

import simcancel
from simcancel import RuleFileError, RuleSet, UsageError, load_rules
from tests.packs import copy_builtin, minimal_pack

FILE = "preconditions.yaml"


def _edit(pack: Path, name: str, old: str, new: str) -> int:
    """Replace the one ``old`` in ``pack/name``; return the 1-based line of the first changed line."""
    path = pack / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    line = text[: text.index(old)].count("\n") + 1
    for old_row, new_row in zip(old.splitlines(), new.splitlines(), strict=False):
        if old_row != new_row:
            break
        line += 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def _problems(pack: Path) -> list[str]:
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("invalid rules (")
    return [str(problem) for problem in caught.value.problems]


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A fresh copy of the shipped pack, named ``pack``."""
    return copy_builtin(tmp_path / "pack")


# (what is broken, old text, new text, $.path, message, further problems it causes)
DEFECTS: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    (
        "unknown fact",
        "when: {balance: {gt: 0}}",
        "when: {balanse: {gt: 0}}",
        "$.rules[1].when.balanse",
        "unknown fact 'balanse' (did you mean 'balance'?)",
        (),
    ),
    (
        "wrong type",
        "when: {has_passport_original: false, has_passport_copy: false}",
        "when: {has_passport_original: 'no', has_passport_copy: false}",
        "$.rules[3].when.has_passport_original",
        "fact 'has_passport_original' is true or false, got 'no'",
        (),
    ),
    (
        "money as words",
        "when: {arrears: {gt: 0}}",
        "when: {arrears: {gt: zero}}",
        "$.rules[0].when.arrears.gt",
        "fact 'arrears' is an amount in PKR, got 'zero'",
        (),
    ),
    (
        "unknown operator",
        "when: {arrears: {gt: 0}}",
        "when: {arrears: {gtt: 0}}",
        "$.rules[0].when.arrears.gtt",
        "unknown operator 'gtt' (did you mean 'gt'?); expected one of eq, ne, gt, gte, lt, lte, in, not_in",
        (),
    ),
    (
        "ordering a boolean",
        "when: {has_passport_original: true, has_passport_copy: false}",
        "when: {has_passport_original: {gt: true}, has_passport_copy: false}",
        "$.rules[4].when.has_passport_original.gt",
        "operator 'gt' needs a number, but fact 'has_passport_original' is bool",
        (),
    ),
    (
        "duplicate id",
        "  - id: balance-not-zero",
        "  - id: arrears-unpaid",
        "$.rules[1].id",
        "duplicate rule id 'arrears-unpaid', first defined at pack/preconditions.yaml:6",
        (),
    ),
    (
        "unknown claim id",
        "claims: [A4]",
        "claims: [A99]",
        "$.rules[1].claims[0]",
        "unknown claim id 'A99' (did you mean 'A9'?)",
        (),
    ),
    (
        "missing claim ids",
        "claims: [A4]",
        "claims: []",
        "$.rules[1].claims",
        "expected a non-empty list, got []",
        (),
    ),
    (
        "claim id malformed",
        "claims: [A4]",
        "claims: [a4]",
        "$.rules[1].claims[0]",
        "expected a claim id like 'A4', got 'a4'",
        (),
    ),
    (
        "placeholder not a fact",
        'en: "The card still holds PKR {balance}.',
        'en: "The card still holds PKR {balanse}.',
        "$.rules[1].message.en",
        "placeholder {balanse} is not a fact (did you mean 'balance'?)",
        (
            "$.rules[1].message: expected the same placeholders in every locale, got zh-CN: "
            "['balance']; en: ['balanse']",
        ),
    ),
    (
        "unknown rule key",
        "  - id: balance-not-zero\n",
        "  - id: balance-not-zero\n    stgae: balance\n",
        "$.rules[1].stgae",
        "unknown key (did you mean 'stage'?); expected one of claims, documents, "
        "effective_from, effective_until, fix, id, kind, message, note, priority, route, stage, steps, "
        "when",
        (),
    ),
    (
        "unknown enum constant",
        "when: {has_passport_original: true, has_passport_copy: false}",
        "when: {plan: prepayed}",
        "$.rules[4].when.plan",
        "unknown value 'prepayed' for fact 'plan' (did you mean 'prepaid'?); "
        "expected one of prepaid, postpaid",
        (),
    ),
]


@pytest.mark.parametrize("defect", DEFECTS, ids=[defect[0] for defect in DEFECTS])
def test_each_defect_is_reported_with_file_line_and_path(
    pack: Path, defect: tuple[str, str, str, str, str, tuple[str, ...]]
) -> None:
    """One defect gives its problem (file, line, $.path, message), plus only the ones it implies."""
    _label, old, new, path, message, further = defect
    line = _edit(pack, FILE, old, new)
    problems = _problems(pack)
    assert problems[0] == f"pack/{FILE}:{line}: {path}: {message}"
    assert len(problems) == 1 + len(further)
    for found, suffix in zip(problems[1:], further, strict=True):
        assert found.startswith(f"pack/{FILE}:")
        assert found.endswith(suffix)


def test_missing_locale_text_is_reported_at_the_message(pack: Path) -> None:
    """A message without its en text names the message's line and the missing locale."""
    old = (
        '      en: "The card still holds PKR {balance}. The balance must be zero before '
        'cancelling; operators usually do not refund it on their own."\n'
    )
    _edit(pack, FILE, old, "")
    text = (pack / FILE).read_text(encoding="utf-8").splitlines()
    # The message mapping starts on the line of its first entry, below "message:".
    line = next(index for index, row in enumerate(text, 1) if row.strip() == "message:" and index > 18) + 1
    assert _problems(pack) == [f"pack/{FILE}:{line}: $.rules[1].message: missing text for locale en"]


def test_every_defect_of_one_file_is_reported_at_once(pack: Path) -> None:
    """Several defects in one file (and one in another) all come in the same RuleFileError."""
    lines = {}
    for label, old, new, _path, _message, _further in DEFECTS:
        if label in {
            "unknown fact",
            "unknown operator",
            "duplicate id",
            "placeholder not a fact",
            "wrong type",
        }:
            lines[label] = _edit(pack, FILE, old, new)
    claim_line = _edit(pack, FILE, "claims: [A5]", "claims: [A99]")
    route_line = _edit(
        pack,
        "routes.yaml",
        "route: ask_provider\n    priority: 40\n    claims: [A24, A10]",
        "route: ask_provider\n    priority: 40\n    claims: [A24, B9]",
    )
    problems = _problems(pack)
    expected = {
        f"pack/{FILE}:{lines['unknown operator']}: $.rules[0].when.arrears.gtt: unknown operator "
        "'gtt' (did you mean 'gt'?); expected one of eq, ne, gt, gte, lt, lte, in, not_in",
        f"pack/{FILE}:{lines['duplicate id']}: $.rules[1].id: duplicate rule id 'arrears-unpaid', "
        f"first defined at pack/{FILE}:6",
        f"pack/{FILE}:{lines['unknown fact']}: $.rules[1].when.balanse: unknown fact 'balanse' "
        "(did you mean 'balance'?)",
        f"pack/{FILE}:{lines['wrong type']}: $.rules[3].when.has_passport_original: fact "
        "'has_passport_original' is true or false, got 'no'",
        f"pack/{FILE}:{lines['placeholder not a fact']}: $.rules[1].message.en: placeholder "
        "{balanse} is not a fact (did you mean 'balance'?)",
        f"pack/{FILE}:{claim_line}: $.rules[2].claims[0]: unknown claim id 'A99' (did you mean 'A9'?)",
        f"pack/routes.yaml:{route_line}: $.rules[0].claims[1]: unknown claim id 'B9'",
        f"pack/{FILE}:{lines['placeholder not a fact'] - 1}: $.rules[1].message: expected the same "
        "placeholders in every locale, got zh-CN: ['balance']; en: ['balanse']",
    }
    assert set(problems) == expected
    assert len(problems) == len(expected)


def test_broken_yaml_names_the_line(pack: Path) -> None:
    """A YAML syntax error names the file and the line where parsing stopped."""
    line = _edit(pack, FILE, "  - id: balance-not-zero", "  - id: [balance-not-zero")
    problems = _problems(pack)
    assert len(problems) == 1
    assert problems[0].startswith(f"pack/{FILE}:")
    assert "expected valid YAML" in problems[0]
    assert int(problems[0].split(":")[1]) >= line


def test_unknown_locale_in_a_message_is_reported(pack: Path) -> None:
    """A text for a locale the rule set does not declare is named with a suggestion."""
    line = _edit(pack, FILE, '      en: "Pay the arrears', '      fr: "x"\n      en: "Pay the arrears')
    assert (
        f"pack/{FILE}:{line}: $.rules[0].fix.fr: unknown locale 'fr'; the rule set's locales "
        "are zh-CN, en" in _problems(pack)
    )


def test_unknown_provider_constant_is_reported(pack: Path) -> None:
    """A condition naming a provider the pack does not have is refused with the known ones."""
    line = _edit(pack, FILE, "when: {balance: {gt: 0}}", "when: {provider: jaz}")
    known = ", ".join(sorted(simcancel.default_rules().providers))
    assert _problems(pack) == [
        f"pack/{FILE}:{line}: $.rules[1].when.provider: unknown provider "
        f"'jaz' (did you mean 'jazz'?); expected one of {known}"
    ]


def test_a_pack_without_the_reports_headings_is_refused(pack: Path) -> None:
    """A replacement pack whose locales lack the report's headings is refused with the file,
    instead of printing raw keys such as heading.verdict_ok later."""
    for locale in ("zh-CN", "en"):
        path = pack / "locales" / f"{locale}.yaml"
        kept = [line for line in path.read_text(encoding="utf-8").splitlines() if "heading." not in line]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    problems = _problems(pack)
    assert len(problems) == 2
    assert problems[0].startswith("pack/locales/en.yaml:")
    assert "missing labels the readable report shows: 'heading.alternatives'" in problems[0]
    assert "'heading.verdict_ok'" in problems[0]


def test_missing_labels_file_is_reported(pack: Path) -> None:
    """Removing a locale's labels file names the missing file."""
    (pack / "locales" / "en.yaml").unlink()
    assert "locales: $: missing labels file locales/en.yaml" in _problems(pack)


def test_missing_manifest_and_missing_directory_are_reported(tmp_path: Path) -> None:
    """A directory without ruleset.yaml, or no directory at all, is a RuleFileError."""
    (tmp_path / "empty").mkdir()
    assert (
        "empty/ruleset.yaml: $: missing: a rule pack starts with ruleset.yaml (name, version, "
        "locales)" in _problems(tmp_path / "empty")
    )
    missing = tmp_path / "nowhere"
    assert _problems(missing) == [f"{missing}: $: expected a rule pack directory, found none"]


def test_load_rules_without_a_directory_is_a_usage_error() -> None:
    """Calling load_rules() with no pack is a UsageError (a SimcancelError) naming what it needs."""
    with pytest.raises(UsageError, match="at least one rule pack"):
        load_rules()


def test_the_shipped_pack_and_a_minimal_pack_load(tmp_path: Path) -> None:
    """The copies the other tests break are valid to begin with."""
    assert isinstance(load_rules(copy_builtin(tmp_path / "pack")), RuleSet)
    mini = load_rules(minimal_pack(tmp_path / "mini"))
    assert [rule.id for rule in mini.rules] == ["route-ask"]


# --- topics: which check of `simcancel verify` a problem belongs to ------------------------------

# (what is broken, file, old text, new text, the topic of every problem it causes)
TOPICS: list[tuple[str, str, str, str, str]] = [
    ("malformed condition", FILE, "when: {arrears: {gt: 0}}", "when: {arrears: {gtt: 0}}", "load"),
    (
        "unknown key, whose message lists 'claims'",
        FILE,
        "  - id: balance-not-zero\n",
        "  - id: balance-not-zero\n    stgae: balance\n",
        "load",
    ),
    ("unknown claim id", FILE, "claims: [A4]", "claims: [A99]", "traceability"),
    ("rule without claims", FILE, "claims: [A4]", "claims: []", "traceability"),
    ("rule without a claims key", FILE, "    claims: [A4]\n", "", "traceability"),
    (
        "malformed claim id of a source",
        "providers/jazz.yaml",
        "claims: [A10]",
        "claims: [a10]",
        "traceability",
    ),
    ("claims file: duplicate id", "claims.yaml", "  - {id: A2,", "  - {id: A1,", "traceability"),
    (
        "unknown locale",
        FILE,
        '      en: "Pay the arrears',
        '      fr: "x"\n      en: "Pay the arrears',
        "i18n",
    ),
    (
        "missing locale",
        FILE,
        '      en: "Pay the arrears in full (PKR {arrears}) and keep the payment receipt."\n',
        "",
        "i18n",
    ),
    (
        "placeholder not a fact",
        FILE,
        'en: "The card still holds PKR {balance}.',
        'en: "The card still holds PKR {balanse}.',
        "i18n",
    ),
    (
        "labels file: a missing label",
        "locales/en.yaml",
        '  document.passport_copy: "Copy of the passport"\n',
        "",
        "i18n",
    ),
    (
        "manifest: a malformed locale",
        "ruleset.yaml",
        "locales: [zh-CN, en]",
        "locales: [zh-CN, en, EN]",
        "i18n",
    ),
]


@pytest.mark.parametrize("case", TOPICS, ids=[case[0] for case in TOPICS])
def test_each_problem_carries_its_topic(pack: Path, case: tuple[str, str, str, str, str]) -> None:
    """The loader files each problem under its topic itself: callers never guess it from words."""
    _label, name, old, new, topic = case
    _edit(pack, name, old, new)
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    assert caught.value.problems
    assert {problem.topic for problem in caught.value.problems} == {topic}


def test_problems_without_a_document_carry_their_topic_too(pack: Path) -> None:
    """A missing labels file is i18n's; a file that is not YAML is the loader's own."""
    (pack / "locales" / "en.yaml").unlink()
    (pack / "broken.yaml").write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    topics = {str(problem): problem.topic for problem in caught.value.problems}
    assert topics["locales: $: missing labels file locales/en.yaml"] == "i18n"
    assert [topic for text, topic in topics.items() if text.startswith("pack/broken.yaml")] == ["load"]


def test_an_id_repeated_by_a_later_pack_is_filed_at_the_new_file(tmp_path: Path) -> None:
    """A later pack repeating a rule, provider or claim id is blamed at its own file and line,
    naming the file and line of the first."""
    pack = tmp_path / "my_pack"
    (pack / "providers").mkdir(parents=True)
    (pack / "claims.yaml").write_text("claims:\n  - id: A7\n    text: again\n", encoding="utf-8")
    jazz = (Path(simcancel.builtin_rules_path()) / "providers" / "jazz.yaml").read_text(encoding="utf-8")
    (pack / "providers" / "jazz-again.yaml").write_text("# again\n" + jazz, encoding="utf-8")
    (pack / "extra.yaml").write_text(
        "rules:\n  - id: balance-not-zero\n    kind: advice\n    claims: [A7]\n"
        "    when: {provider: jazz}\n    message: {zh-CN: x, en: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleFileError) as raised:
        load_rules(*simcancel.builtin_packs(), pack)
    found = {problem.file: problem for problem in raised.value.problems}
    claim = found["my_pack/claims.yaml"]
    assert claim.line == 2
    assert claim.message.startswith("duplicate claim id 'A7', first defined at rules/claims.yaml:")
    provider = found["my_pack/providers/jazz-again.yaml"]
    assert provider.line == jazz.splitlines().index("id: jazz") + 2
    assert provider.message.startswith(
        "duplicate provider id 'jazz', first defined at rules/providers/jazz.yaml:"
    )
    rule = found["my_pack/extra.yaml"]
    assert rule.line == 2
    assert rule.message.startswith("duplicate rule id 'balance-not-zero', first defined at rules/")
    assert set(found) == {"my_pack/claims.yaml", "my_pack/providers/jazz-again.yaml", "my_pack/extra.yaml"}


def test_the_label_names_every_pack_that_took_part(tmp_path: Path) -> None:
    """The rule-set label tells the built-in rules, those without public facts and those plus
    a user pack apart; name and version stay the first pack's."""
    article, public = simcancel.builtin_packs()
    assert simcancel.default_rules().label == "simcancel-builtin@2026.11.0+public-facts@2026.11.0"
    assert simcancel.default_rules(public_facts=False).label == "simcancel-builtin@2026.11.0"
    bare = tmp_path / "my_pack"
    (bare / "providers").mkdir(parents=True)
    jazz = (article / "providers" / "jazz.yaml").read_text(encoding="utf-8")
    (bare / "providers" / "warid.yaml").write_text(jazz.replace("id: jazz", "id: warid"), encoding="utf-8")
    assert load_rules(article, public, bare).label == (
        "simcancel-builtin@2026.11.0+public-facts@2026.11.0+my_pack"
    )
    (bare / "ruleset.yaml").write_text(
        "name: my-pack\nversion: '1'\nlocales: [zh-CN, en]\n", encoding="utf-8"
    )
    rules = load_rules(article, public, bare)
    assert rules.label == "simcancel-builtin@2026.11.0+public-facts@2026.11.0+my-pack@1"
    assert (rules.name, rules.version) == ("simcancel-builtin", "2026.11.0")


def test_links_and_special_files_in_a_pack_are_refused_by_name(tmp_path: Path) -> None:
    """A rule file that is a symbolic link or a FIFO is refused with its name, never read."""
    pack = minimal_pack(tmp_path / "pack")
    outside = tmp_path / "outside.yaml"
    outside.write_text("rules: []\n", encoding="utf-8")
    (pack / "linked.yaml").symlink_to(outside)
    os.mkfifo(pack / "providers" / "pipe.yaml")
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    problems = [str(problem) for problem in caught.value.problems]
    assert any(
        p.startswith("pack/linked.yaml: $: refused: a symbolic link; rule packs hold plain") for p in problems
    )
    assert any(p.startswith("pack/providers/pipe.yaml: $: refused: not a regular file") for p in problems)


def test_a_provider_fix_is_data_of_the_provider_and_becomes_an_advice_rule() -> None:
    """Jazz's *6611# fix is data of its provider file and fires where the rule it follows does."""
    rules = simcancel.default_rules()
    fix = rules.rule("jazz-services-unsubscribe")
    target = rules.rule("services-still-active")
    assert fix.file == "rules/public-facts/providers/jazz.yaml"
    assert (fix.kind.value, fix.stage, fix.claims) == ("advice", target.stage, ("B11",))
    assert fix.facts == (*target.facts, "provider")
    assert "jazz-services-unsubscribe" not in {
        rule.id for rule in simcancel.default_rules(public_facts=False).rules
    }


_FIX = "{id: f1, for: route-ask, claims: [A1], message: {zh-CN: x, en: x}, fix: {zh-CN: x, en: x}}"


@pytest.mark.parametrize(
    ("extension", "message"),
    [
        (
            f"id: nobody\nextends: true\nfixes: [{_FIX}]\n",
            "unknown provider 'nobody'",
        ),
        (
            f"id: other\nextends: true\nfixes: [{_FIX}]\n",
            "expected the id of a rule with a stage and a fix, got 'route-ask'",
        ),
        ("id: other\nextends: true\nfixes: [{id: f1, for: route-ask}]\n", "missing required key 'claims'"),
    ],
)
def test_a_provider_fix_must_name_a_provider_and_a_rule_with_a_fix(
    tmp_path: Path, extension: str, message: str
) -> None:
    """A fix for an unknown provider, for a rule without a fix, or incomplete, is refused at its file."""
    pack = minimal_pack(tmp_path / "pack", {"providers/extra.yaml": extension})
    with pytest.raises(RuleFileError) as caught:
        load_rules(pack)
    assert any(
        problem.file == "pack/providers/extra.yaml" and message in problem.message
        for problem in caught.value.problems
    ), caught.value


def test_a_rule_amount_does_not_depend_on_the_callers_decimal_context(tmp_path: Path) -> None:
    """An amount of a rule is read exactly under a low-precision decimal context (was rounded)."""
    rule = """\
rules:
  - id: owes-a-lot
    kind: warning
    claims: [A1]
    when: {arrears: {gt: "123456.78"}}
    message: {zh-CN: "欠费", en: "Arrears"}
"""
    pack = minimal_pack(tmp_path / "pack", {"pitfalls.yaml": rule})
    with decimal.localcontext(prec=4):
        loaded = load_rules(pack)
    assert loaded.rule("owes-a-lot").when == load_rules(pack).rule("owes-a-lot").when
