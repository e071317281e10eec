"""render_text: an assessment as text, from the assessment alone, exactly as before it left cli.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import pytest

from simcancel import (
    Assessment,
    RuleSet,
    UsageError,
    UserState,
    assess,
    builtin_rules_path,
    default_rules,
    load_rules,
    render_text,
)

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))


def _case(path: Path) -> tuple[Assessment, RuleSet]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    rules = default_rules()
    if case.get("packs"):
        rules = load_rules(builtin_rules_path(), *(path.parent / pack for pack in case["packs"]))
    result = assess(
        UserState.from_dict(case["state"]),
        rules=rules,
        locale=case["locale"],
        as_of=dt.date.fromisoformat(case["as_of"]),
    )
    return result, rules


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_an_assessment_read_back_from_json_renders_the_same_text(path: Path) -> None:
    """A consumer holding only the JSON shows the same text as the process that assessed."""
    result, _ = _case(path)
    again = Assessment.from_dict(json.loads(result.to_json()))
    assert render_text(again) == render_text(result)


TURBOSIM_ZH = """\
未发现阻碍销户的问题。
服务商：TurboSIM

注意事项：
  - [online-review-too-slow] 在线销户需要后台审核，可能要几天甚至几周，提交后不会立即生效。  (A12)
    -> 尽早提交申请，并留意审核进度。

建议：
  - [proof-and-refund] 销户完成后要保留好书面销户证明，并留意是否有退款。  (A20)
    -> 索取一份书面销户证明并保留好；同时检查银行卡或电子钱包是否收到退款。
  - [check-every-step] 销户要有耐心，每一步都仔细核对，避免因小失误来回折腾。  (A25)

推荐方式：在线销户
  这家服务商支持通过官网或 App 在线销户，不必亲自去营业厅，适合不方便前往营业厅的人。  (A7, A8, A9, A14)
其他方式：
  - 先咨询服务商客服：联系服务商的官方客服，询问适合你情况的销户方式。
需要准备的材料：
  - 护照复印件
  - 购卡发票或收据（如有）
步骤：
  1. [办理销户] 登录服务商官网或 App 的账户。
  2. [办理销户] 找到“账户管理”或“销户”选项。
  3. [办理销户] 填写相关信息并上传必要材料（护照信息页的照片或扫描件、购卡凭证）。
  4. [办理销户] 等待审核结果，期间留意邮件或短信通知。
  5. [销户之后] 索取一份书面销户证明并保留好；同时检查银行卡或电子钱包是否收到退款。

依据（条目编号：A 为原文，B 为公开资料）：A7、A8、A9、A12、A14、A20、A24、A25
规则版本：simcancel-builtin@2026.11.0+public-facts@2026.11.0"""


def test_one_case_renders_this_exact_text() -> None:
    """Pinned literally, so the reference renderer above cannot drift with the code it checks."""
    result, _ = _case(Path(__file__).parent / "cases" / "route-turbosim-online-can-visit-zh.json")
    assert render_text(result) == TURBOSIM_ZH


def test_nothing_blocking_but_ask_first_is_its_own_verdict() -> None:
    """With nothing blocking and the route 'ask the provider first', the verdict says to check first."""
    result, _ = _case(Path(__file__).parent / "cases" / "route-ufone-ask-cannot-visit.json")
    assert render_text(result).splitlines()[0] == result.labels["heading.verdict_ask"]
    turbosim, _ = _case(Path(__file__).parent / "cases" / "route-turbosim-online-can-visit-zh.json")
    assert render_text(turbosim).splitlines()[0] == "未发现阻碍销户的问题。"


def test_chinese_labels_take_a_full_width_colon() -> None:
    """In zh-CN every label is followed by the full-width colon, in en by ': '."""
    zh, _ = _case(Path(__file__).parent / "cases" / "route-turbosim-online-can-visit-zh.json")
    en, _ = _case(Path(__file__).parent / "cases" / "route-ufone-ask-cannot-visit.json")
    assert "服务商：TurboSIM" in render_text(zh)
    assert ": " not in render_text(zh).replace("(A", "")
    assert "Provider: Ufone" in render_text(en)


def test_the_catch_all_provider_is_named_from_the_labels() -> None:
    """The provider line shows labels['provider.<id>']: 'other' translated, a brand as its name."""
    result, _ = _case(Path(__file__).parent / "cases" / "route-other-provider-no-store.json")
    assert result.labels["provider.other"] == default_rules().labels[result.locale]["provider.other"]
    assert f": {result.labels['provider.other']}\n" in render_text(result)


def test_a_missing_label_shows_its_key() -> None:
    """An assessment without labels (built by hand, or written by 0.1.0) still renders, keys for words."""
    result, _ = _case(CASES[0])
    bare = attrs.evolve(result, labels={})
    text = render_text(bare)
    assert "heading.steps:" in text
    assert f"heading.provider: {result.provider}" in text


@pytest.mark.parametrize("value", [None, {"schema": "simcancel.assessment/1"}, "text"])
def test_anything_but_an_assessment_is_a_usage_error(value: object) -> None:
    """render_text names its argument and what it takes."""
    with pytest.raises(UsageError, match=r"^assessment: expected an Assessment from assess\(\)"):
        render_text(value)  # type: ignore[arg-type]
