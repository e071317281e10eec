"""The on-disk cache of the built-in rule set: exact keys, private directories, misses fall back."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
from pathlib import Path

import attrs
import pytest

from simcancel import RuleSet, _rules_cache, builtin_packs, builtin_rules_path, load_rules
from simcancel._rules_cache import CACHE_ENV, _blake2b, cache_dir, cache_key, cached_rules


def _fresh(*, public_facts: bool = True) -> RuleSet:
    return load_rules(*builtin_packs(public_facts=public_facts, locale_packs=True))


def _same(one: RuleSet, other: RuleSet) -> None:
    for field in attrs.fields(RuleSet):
        assert getattr(one, field.name) == getattr(other, field.name), field.name


class _Counting:
    """A loader that counts its calls."""

    def __init__(self, *, public_facts: bool = True) -> None:
        """Load the built-in packs (with or without the public facts) when called."""
        self.calls = 0
        self.public_facts = public_facts

    def __call__(self) -> RuleSet:
        """The freshly loaded rule set."""
        self.calls += 1
        return _fresh(public_facts=self.public_facts)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache directory of this test."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(directory))
    return directory


def test_a_second_process_reads_what_the_first_stored(cache: Path) -> None:
    """The first call loads and stores; the next reads the same content back without loading."""
    load = _Counting()
    first = cached_rules(builtin_rules_path(), public_facts=True, load=load)
    second = cached_rules(builtin_rules_path(), public_facts=True, load=load)
    assert load.calls == 1
    assert second is not first
    _same(second, _fresh())
    assert oct(cache.stat().st_mode & 0o777) == "0o700"


def test_with_and_without_public_facts_are_two_entries(cache: Path) -> None:
    """The two built-in variants have their own keys and entries, and keep them."""
    for public_facts in (True, False, True, False):
        cached_rules(
            builtin_rules_path(), public_facts=public_facts, load=_Counting(public_facts=public_facts)
        )
    assert len(list(cache.glob("rules-*.pickle"))) == 2
    article = _Counting(public_facts=False)
    _same(cached_rules(builtin_rules_path(), public_facts=False, load=article), _fresh(public_facts=False))
    assert article.calls == 0


def test_any_change_under_the_rules_directory_changes_the_key(tmp_path: Path) -> None:
    """One byte of one file, a new file, a renamed file: each is another key."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), rules)
    keys = {cache_key(rules, public_facts=True)}
    some_file = next(path for path in sorted(rules.rglob("*.yaml")))
    some_file.write_bytes(some_file.read_bytes() + b"\n")
    keys.add(cache_key(rules, public_facts=True))
    (rules / "public-facts" / "new.yaml").write_text("rules: []\n", encoding="utf-8")
    keys.add(cache_key(rules, public_facts=True))
    (rules / "public-facts" / "new.yaml").rename(rules / "public-facts" / "newer.yaml")
    keys.add(cache_key(rules, public_facts=True))
    keys.add(cache_key(rules, public_facts=False))
    assert None not in keys
    assert len(keys) == 5


def test_a_symbolic_link_under_the_rules_directory_turns_the_cache_off(tmp_path: Path) -> None:
    """A link could point anywhere: with one, there is no key."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), rules)
    (rules / "linked.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    assert cache_key(rules, public_facts=True) is None


def test_the_empty_setting_turns_the_cache_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """SIMCANCEL_CACHE_DIR set to nothing: every call loads."""
    monkeypatch.setenv(CACHE_ENV, "")
    assert cache_dir() is None
    load = _Counting()
    cached_rules(builtin_rules_path(), public_facts=True, load=load)
    cached_rules(builtin_rules_path(), public_facts=True, load=load)
    assert load.calls == 2


def test_a_directory_others_can_write_to_is_never_read(cache: Path) -> None:
    """An entry in a group- or world-writable directory could be anyone's: it is ignored."""
    cached_rules(builtin_rules_path(), public_facts=True, load=_Counting())
    cache.chmod(0o777)
    load = _Counting()
    cached_rules(builtin_rules_path(), public_facts=True, load=load)
    assert load.calls == 1


@pytest.mark.parametrize("content", [b"", b"not a pickle", pickle.dumps({"a": 1})])
def test_a_damaged_entry_is_a_miss_and_is_replaced(cache: Path, content: bytes) -> None:
    """A truncated, foreign or wrong-typed entry is loaded afresh and stored anew."""
    cached_rules(builtin_rules_path(), public_facts=True, load=_Counting())
    (entry,) = cache.glob("rules-*.pickle")
    entry.write_bytes(content)
    load = _Counting()
    _same(cached_rules(builtin_rules_path(), public_facts=True, load=load), _fresh())
    assert load.calls == 1
    assert entry.read_bytes() != content


def test_an_entry_behind_a_symbolic_link_is_not_followed(cache: Path, tmp_path: Path) -> None:
    """The entry itself must be a regular file: a link in its place is a miss."""
    cached_rules(builtin_rules_path(), public_facts=True, load=_Counting())
    (entry,) = cache.glob("rules-*.pickle")
    target = tmp_path / "target.pickle"
    entry.rename(target)
    entry.symlink_to(target)
    load = _Counting()
    cached_rules(builtin_rules_path(), public_facts=True, load=load)
    assert load.calls == 1


def test_the_default_directory_follows_xdg_and_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Unset, the cache is $XDG_CACHE_HOME/simcancel, else ~/.cache/simcancel, else off."""
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir() == tmp_path / "simcancel"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "simcancel"

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", no_home)
    assert cache_dir() is None


def test_the_key_hash_is_blake2b_of_256_bits() -> None:
    """The start-up-friendly hash gives hashlib's BLAKE2b digests of 256 bits."""
    data = bytes(range(256)) * 10
    assert _blake2b()(data).hexdigest() == hashlib.blake2b(data, digest_size=32).hexdigest()


def test_a_pipe_under_the_rules_directory_turns_the_cache_off(tmp_path: Path) -> None:
    """Reading a named pipe could block: with one, there is no key (and nothing is read)."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), rules)
    os.mkfifo(rules / "pipe.yaml")
    assert cache_key(rules, public_facts=True) is None


def test_an_entry_of_an_older_key_is_removed(cache: Path, tmp_path: Path) -> None:
    """Storing the entry of a new key drops the variant's entries of other keys."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), rules)
    cached_rules(builtin_rules_path(), public_facts=True, load=_Counting())
    (old,) = cache.glob("rules-all-*.pickle")
    cached_rules(rules, public_facts=True, load=_Counting())
    (new,) = cache.glob("rules-all-*.pickle")
    assert new != old


def test_without_cpythons_blake2_module_hashlib_sha256_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where CPython's own BLAKE2 module is missing, the key is hashlib's SHA-256."""
    monkeypatch.setitem(sys.modules, "_blake2", None)  # import _blake2 raises ImportError
    assert _blake2b()(b"abc").hexdigest() == hashlib.sha256(b"abc").hexdigest()


def test_any_change_to_a_source_file_of_the_package_changes_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A byte of a .py file, a new .py file, a renamed one: each is another key; other files are not."""
    package = tmp_path / "simcancel"
    shutil.copytree(Path(_rules_cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(_rules_cache, "_PACKAGE", package)
    keys = [cache_key(builtin_rules_path(), public_facts=True)]
    (package / "notes.txt").write_text("not a source file", encoding="utf-8")
    assert cache_key(builtin_rules_path(), public_facts=True) == keys[0]
    loader = package / "_loader.py"
    loader.write_bytes(loader.read_bytes() + b"\n")
    keys.append(cache_key(builtin_rules_path(), public_facts=True))
    (package / "analysis" / "extra.py").write_text("", encoding="utf-8")
    keys.append(cache_key(builtin_rules_path(), public_facts=True))
    (package / "analysis" / "extra.py").rename(package / "analysis" / "other.py")
    keys.append(cache_key(builtin_rules_path(), public_facts=True))
    assert None not in keys
    assert len(set(keys)) == 4


def test_a_file_changed_while_the_rules_load_is_not_stored_under_the_key_before_it(
    cache: Path, tmp_path: Path
) -> None:
    """An edit landing between the key's hashing and the load stores nothing: the entry under
    the old key held the edited rules, and a revert of the edit read them back."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_rules_path(), rules)
    edited = rules / "preconditions.yaml"
    original = edited.read_text(encoding="utf-8")
    packs = (rules, rules / "public-facts", rules / "locale-ur", rules / "public-facts" / "locale-ur")

    def edit_then_load() -> RuleSet:
        edited.write_text(original.replace("still owes PKR", "still owes, edited, PKR"), encoding="utf-8")
        return load_rules(*packs)

    first = cached_rules(rules, public_facts=True, load=edit_then_load)
    assert "edited" in str(first.rule("arrears-unpaid").message["en"])
    edited.write_text(original, encoding="utf-8")
    load = _Counting()
    again = cached_rules(rules, public_facts=True, load=lambda: (load(), load_rules(*packs))[1])
    assert load.calls == 1
    assert "edited" not in str(again.rule("arrears-unpaid").message["en"])
