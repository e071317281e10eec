"""The built-in rule set, loaded once per installation and kept on disk between processes.

``simcancel assess FILE`` spends most of what it adds to ``import simcancel`` parsing and
checking the built-in YAML packs (about 20 ms); unpickling the checked rule set takes
under 1 ms.  The cache is exact: its key is a BLAKE2b hash (256 bits) of everything the loaded rule set
can depend on, read afresh by every process:

* every file under the built-in rules directory (relative name and bytes), which holds
  every built-in pack (the public-facts and locale packs are its subdirectories), and
  that directory's path (the rule set records it);
* every ``.py`` file of the simcancel package (the loader, the fact catalogue, the model
  and the pickled classes themselves);
* the Python version, PyYAML's and Babel's versions (YAML parsing, CLDR plural rules) and
  the bytes of attrs' ``_make.py`` (how attrs classes pickle);
* which packs are loaded (``public_facts``).

A miss hashes the same again after loading, and stores the rule set only if the key is
unchanged: an edit made while the packs were read is not stored under the key before it.

A symbolic link, pipe or device anywhere under the rules directory, a file that cannot
be read, a cache directory not owned by this user or writable by others, or an entry that
does not unpickle to a rule set: no cache, the packs are loaded as always.  ``SIMCANCEL_CACHE_DIR``
names the directory (default ``$XDG_CACHE_HOME/simcancel``, else ``~/.cache/simcancel``);
set to the empty string, it turns the cache off.  Only the built-in packs are cached:
a user's packs (``--rules``, ``load_rules``) are always read.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from simcancel._ruleset import RuleSet

__all__ = ["CACHE_ENV", "cache_dir", "cached_rules", "cache_key"]

CACHE_ENV = "SIMCANCEL_CACHE_DIR"
_FORMAT = b"simcancel-rules-cache/2"
_PREFIX = "rules-"
_SUFFIX = ".pickle"
_PACKAGE = Path(__file__).resolve().parent


class _Digest(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _blake2b() -> Callable[[bytes], _Digest]:
    """BLAKE2b with a 256-bit digest, from CPython's own module: ``hashlib`` loads OpenSSL
    (~2 ms of start-up), and BLAKE2b hashes the ~0.7 MB of the key in a third of the time
    of CPython's own SHA-256.  Where the module is missing, hashlib's SHA-256."""
    try:
        from _blake2 import blake2b  # noqa: PLC0415
    except ImportError:
        import hashlib  # noqa: PLC0415 - it loads OpenSSL: only without CPython's module

        return hashlib.sha256
    return functools.partial(blake2b, digest_size=32)


def cache_dir() -> Path | None:
    """Where cached rule sets live, or None when the cache is off (or not possible here)."""
    if not hasattr(os, "getuid"):  # pragma: no cover - POSIX only: ownership is checked
        return None
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # no home directory to be found: no cache
            return None
    return Path(base) / "simcancel"


def _read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path``, through the file descriptor alone (no buffered file
    object: ~75 files are read on every start-up)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(descriptor)
    return b"".join(chunks)


def _hash_tree(digest: _Digest, root: Path, suffix: str) -> bool:
    """Feed every file under ``root`` whose name ends with ``suffix`` (relative name and
    bytes, in sorted order) to ``digest``; False when a symbolic link, an unreadable file
    or anything but files and directories makes the content uncertain."""
    # Plain strings, not Paths: ~75 files are named on every start-up.
    prefix = os.path.join(root, "")  # noqa: PTH118 - the root with its separator
    found: list[tuple[str, str]] = []
    pending = [str(root)]
    try:
        while pending:
            directory = pending.pop()
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_symlink():
                        return False
                    if entry.is_dir():
                        pending.append(entry.path)
                    elif not entry.is_file():
                        return False  # a pipe, socket or device: reading it could block
                    elif entry.name.endswith(suffix):
                        found.append((entry.path.removeprefix(prefix).replace(os.sep, "/"), entry.path))
        for name, path in sorted(found):
            data = _read_bytes(path)
            encoded = name.encode()
            digest.update(len(encoded).to_bytes(8, "big") + encoded + len(data).to_bytes(8, "big"))
            digest.update(data)
    except OSError:
        return False
    return True


def cache_key(rules_dir: Path, *, public_facts: bool) -> str | None:
    """The key of the built-in rule set in ``rules_dir``, or None when it cannot be exact."""
    import attr._make  # noqa: PLC0415 - attrs itself is imported already; its file is read
    import babel  # noqa: PLC0415
    import yaml  # noqa: PLC0415

    digest = _blake2b()(_FORMAT)
    for part in (
        sys.version,
        str(pickle.HIGHEST_PROTOCOL),
        yaml.__version__,
        babel.__version__,
        str(rules_dir),
        f"public_facts={public_facts}",
    ):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    if rules_dir.is_symlink() or not _hash_tree(digest, rules_dir, ""):
        return None
    if not _hash_tree(digest, _PACKAGE, ".py"):
        return None  # pragma: no cover - the package's own files
    try:
        digest.update(Path(attr._make.__file__).read_bytes())
    except OSError:  # pragma: no cover - attrs is installed
        return None
    return digest.hexdigest()


def _private_dir(directory: Path) -> bool:
    """True when ``directory`` is a directory of this user that nobody else can write to."""
    try:
        found = directory.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(found.st_mode)
        and found.st_uid == os.getuid()
        and not found.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def _read(path: Path) -> RuleSet | None:
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as source:
        found = os.fstat(source.fileno())
        if not stat.S_ISREG(found.st_mode) or found.st_uid != os.getuid():
            return None
        try:
            loaded = pickle.load(source)  # noqa: S301 - our own file, in a directory only this user can write
        except Exception:  # noqa: BLE001 - a truncated or stale entry is a miss, whatever it raises
            return None
    return loaded if type(loaded) is RuleSet else None


def _write(directory: Path, name: str, stale_prefix: str, rules: RuleSet) -> None:
    """Store ``rules`` as ``name`` atomically, and drop the other entries of ``stale_prefix``."""
    with contextlib.suppress(OSError):
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private_dir(directory):
        return
    with contextlib.suppress(OSError, pickle.PicklingError):
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=_SUFFIX)
        try:
            with os.fdopen(descriptor, "wb") as target:
                pickle.dump(rules, target, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(directory / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for stale in directory.glob(f"{stale_prefix}*{_SUFFIX}"):
            if stale.name != name:
                stale.unlink(missing_ok=True)


def cached_rules(rules_dir: Path, *, public_facts: bool, load: Callable[[], RuleSet]) -> RuleSet:
    """The built-in rule set: from the cache when its key matches, else ``load()`` (then cached)."""
    directory = cache_dir()
    key = cache_key(rules_dir, public_facts=public_facts) if directory is not None else None
    if directory is None or key is None:
        return load()
    variant = f"{_PREFIX}{'all' if public_facts else 'article'}-"
    name = f"{variant}{key}{_SUFFIX}"
    if _private_dir(directory):
        found = _read(directory / name)
        if found is not None:
            return found
    rules = load()
    # Stored only if nothing changed while it loaded: an edit between the hashing and the
    # reading would store the edited rules under the key of the files before it.
    if cache_key(rules_dir, public_facts=public_facts) == key:
        _write(directory, name, variant, rules)
    return rules
