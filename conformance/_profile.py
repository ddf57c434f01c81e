"""The settings of one run, merged from every source and validated against the shipped schema.

Sources, weakest first: defaults, ``[tool.deployment-conformance]`` in pyproject.toml, the
profile file, the ``pytest_conformance_profile`` hook, the command line.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance._options import DEFAULT_TIMEOUT, OPTIONS, PYPROJECT_SECTION

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

if TYPE_CHECKING:
    import pytest

__all__ = [
    "DEFAULT_BAD_MODEL_URI",
    "MAX_TIMEOUT",
    "Profile",
    "ProfileError",
    "check_settings",
    "load_profile",
    "setting_origin",
    "validate",
]

SCHEMA_PATH = Path(__file__).with_name("schemas") / "profile.schema.json"
# No target resolves this scheme, so create must refuse it.
DEFAULT_BAD_MODEL_URI = "conformance-unresolvable://no/such/model"
# A week: longer than any real deployment takes, and far below what a thread wait can hold.
MAX_TIMEOUT = 7 * 24 * 3600.0


class ProfileError(ValueError):
    """A setting is missing or wrong; the message names the source and the key."""


@dataclass(frozen=True)
class Profile:
    """Every setting of one run, after merging."""

    target: str
    plugin: str | None = None
    model_uris: tuple[str, ...] = ()
    bad_model_uri: str = DEFAULT_BAD_MODEL_URI
    flavor: str | None = None
    input: str | None = None
    input_format: str = "auto"
    config: dict[str, Any] = field(default_factory=dict)
    report: str | None = None
    certificate: str | None = None
    reproducers: str | None = None
    strict: bool = False
    timeout: float = DEFAULT_TIMEOUT
    sweep: bool = False
    xfail: dict[str, str] = field(default_factory=dict)
    capabilities: dict[str, bool] = field(default_factory=dict)
    hypothesis: str = "quick"
    watchdog: bool = True
    # False when the plugin's client must not be used from several threads at once: the
    # scenarios then run one by one.
    thread_safe: bool = True
    sources: dict[str, str] = field(default_factory=dict)  # setting -> where it came from
    existing_endpoint: str | None = None
    existing_deployment: str | None = None

    def read_only(self) -> frozenset[tuple[str, str]]:
        """What the user lent the kit to read and predict against, never to change."""
        lent = (("endpoint", self.existing_endpoint), ("deployment", self.existing_deployment))
        return frozenset((kind, name) for kind, name in lent if name is not None)

    @classmethod
    def from_mapping(
        cls, settings: dict[str, Any], sources: dict[str, str] | None = None
    ) -> Profile:
        """Build from merged settings; ``target`` is required."""
        sources = dict(sources or {})
        if not settings.get("target"):
            where = (
                f" ({setting_origin('target', sources)} is empty)" if "target" in sources else ""
            )
            raise ProfileError(
                f"no target{where}: pass --deployment-target=URI (for example "
                "--deployment-target=memory), or set 'target' in the profile"
            )
        validate(settings, "the merged settings")
        values = dict(settings)
        values.pop("profile", None)
        if "model_uris" in values:
            values["model_uris"] = tuple(values["model_uris"])
        return cls(**values, sources=sources)

    def origin(self, key: str) -> str:
        """The setting ``key`` as the user wrote it, and where: for messages."""
        return setting_origin(key, self.sources)


_FLAGS = {option.key: option.flag for option in OPTIONS}
COMMAND_LINE = "the command line"


def setting_origin(key: str, sources: dict[str, str]) -> str:
    """``--flag (the command line)`` or ``'key' in <source>``."""
    source = sources.get(key, "the defaults")
    if source == COMMAND_LINE:
        return f"{_FLAGS.get(key, key)} on the command line"
    return f"{key!r} in {source}"


def validate(settings: dict[str, Any], source: str) -> None:
    """Check ``settings`` against the profile schema; the error names the bad key."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(settings), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    if error.validator == "additionalProperties" and not error.absolute_path:
        known = sorted(schema["properties"])
        unknown = sorted(set(settings) - set(known))
        raise ProfileError(
            f"{source}: unknown key {', '.join(map(repr, unknown))}; known keys: {', '.join(known)}"
        )
    key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
    top = str(error.absolute_path[0]) if error.absolute_path else ""
    message = error.message
    if error.validator == "minLength" and error.instance == "":
        message = "it is empty; give it a value"
    if source == COMMAND_LINE and top in _FLAGS:
        raise ProfileError(f"{_FLAGS[top]} on the command line: {message}")
    raise ProfileError(f"{source}: key {key!r}: {message}")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except OSError as exc:
        raise ProfileError(f"cannot read profile {path}: {exc.strerror}") from exc
    try:
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(
            f"profile {path} is not valid {path.suffix[1:] or 'TOML'}: {exc}"
        ) from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get(PYPROJECT_SECTION, {})
    if not isinstance(data, dict):
        raise ProfileError(f"profile {path} must hold a table of settings")
    return data


def _pyproject_settings(rootpath: Path) -> dict[str, Any]:
    pyproject = rootpath / "pyproject.toml"
    if not pyproject.is_file():
        return {}
    return _read_file(pyproject)


def _split_pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            raise ProfileError(f"{flag} takes KEY=VALUE; got {value!r}")
        pairs[key] = rest
    return pairs


def _command_line_settings(option: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for spec in OPTIONS:
        value = getattr(option, spec.dest, None)
        if value is None or value is False or spec.key == "profile":
            continue
        if spec.key in ("config", "xfail"):
            value = _split_pairs(value, spec.flag)
        elif spec.key == "capabilities":
            flags = _split_pairs(value, spec.flag)
            bad = {k: v for k, v in flags.items() if v not in ("on", "off")}
            if bad:
                raise ProfileError(f"{spec.flag} takes NAME=on or NAME=off; got {bad}")
            value = {name: state == "on" for name, state in flags.items()}
        elif spec.key in ("watchdog", "thread_safe"):
            if value not in ("on", "off"):
                raise ProfileError(f"{spec.flag} takes on or off; got {value!r}")
            value = value == "on"
        elif spec.key == "timeout":
            try:
                value = float(value)
            except ValueError:
                raise ProfileError(
                    f"{spec.flag} takes a number of seconds, such as {spec.flag}=600; got {value!r}"
                ) from None
        settings[spec.key] = value
    return settings


def load_profile(config: pytest.Config) -> Profile:
    """Merge every source for this pytest run; a bad setting raises :class:`ProfileError`."""
    layers: list[tuple[str, dict[str, Any]]] = [
        ("[tool.deployment-conformance] in pyproject.toml", _pyproject_settings(config.rootpath))
    ]
    profile_path = getattr(config.option, "conformance_profile", None)
    if profile_path:
        layers.append((f"profile {profile_path}", _read_file(Path(profile_path))))
    hooked = config.hook.pytest_conformance_profile(config=config)
    if hooked:
        layers.append(("the pytest_conformance_profile hook", dict(hooked)))
    layers.append((COMMAND_LINE, _command_line_settings(config.option)))
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for source, settings in layers:
        validate(settings, source)
        for key, value in settings.items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key] = {**merged[key], **value}
            else:
                merged[key] = value
            sources[key] = source
    return Profile.from_mapping(merged, sources)


def check_settings(profile: Profile, check_ids: set[str]) -> None:
    """Everything that can be known wrong before the first plugin call, as ProfileError.

    A bad setting must never be charged to the target, nor found only after a long run.
    """
    if not math.isfinite(profile.timeout) or not 0 < profile.timeout <= MAX_TIMEOUT:
        raise ProfileError(
            f"{profile.origin('timeout')}: the timeout must be a finite number of seconds "
            f"above 0 and at most {MAX_TIMEOUT:g} (a week); got {profile.timeout!r}"
        )
    unknown = sorted(set(profile.xfail) - check_ids)
    if unknown:
        raise ProfileError(
            f"{profile.origin('xfail')}: waivers name unknown check ids: {', '.join(unknown)} "
            "(`pytest --deployment-target=URI --collect-only -q` lists the ids)"
        )
    for key in ("report", "certificate"):
        path = getattr(profile, key)
        if path:
            problem = _unwritable(Path(path))
            if problem:
                raise ProfileError(f"{profile.origin(key)}: cannot write {path}: {problem}")
    if profile.reproducers:
        folder = Path(profile.reproducers)
        if folder.exists() and not folder.is_dir():
            raise ProfileError(
                f"{profile.origin('reproducers')}: {folder} is not a folder; name a folder for "
                "the reproducer scripts"
            )
    if profile.input:
        from conformance._inputs import read_input

        try:
            read_input(profile.input, profile.input_format)
        except Exception as error:
            raise ProfileError(
                f"{profile.origin('input')}: cannot read the sample input {profile.input}: {error}"
            ) from None


def _unwritable(path: Path) -> str | None:
    """Why a report could not be written at ``path``, or None; the file itself is not touched."""
    if path.is_dir():
        return "it is a folder; name a file in it, such as report.json"
    if path.exists() and not path.is_file():
        return "it is not a regular file"
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        return f"{folder} is not a folder"
    try:
        handle, probe = tempfile.mkstemp(prefix=".conformance-probe-", dir=folder)
    except OSError as error:
        return f"the folder {folder} is not writable ({error.strerror or error})"
    os.close(handle)
    os.unlink(probe)
    return None
