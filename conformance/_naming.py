"""Names for everything the kit creates: unique per run and per xdist worker, DNS-1123 safe.

Real targets such as Kubernetes accept only DNS-1123 labels (lowercase letters, digits and '-',
at most 63 characters, starting with a letter and ending with a letter or digit), so every
name the kit makes is one.
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import string
import threading

__all__ = [
    "KIT_NAME_PATTERN",
    "MAX_LABEL",
    "Namer",
    "is_dns_label",
    "is_kit_name",
    "kit_token_in_full",
    "new_run_token",
    "run_token_of",
]

MAX_LABEL = 63
_PREFIX = "mdc"  # mlflow deployments conformance
_TOKEN_ALPHABET = string.ascii_lowercase + string.digits
KIT_NAME_PATTERN = re.compile(rf"^{_PREFIX}-[a-z0-9]{{6}}-(?:m|w\d+)-[a-z0-9-]*[a-z0-9]$")
_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
# Anything a run created carries its prefix, even the deliberately hostile names ("../mdc-…").
_KIT_PREFIX = re.compile(rf"(?:^|/){_PREFIX}-([a-z0-9]{{6}})-(?:m|w\d+)-")
# Every name a run creates, in full: what a sweep may delete. A look-alike that merely starts
# like one ("mdc-europe-m-churn", "team/mdc-abc123-w1-model") does not match: its token has no
# digit or no letter, or its tail is none the kit writes. The alternatives, in order: the
# fresh names of conformance._naming.Namer ("<purpose>-<n>"), the stateful checks' generated
# names ("s<4 hex>-<label ending in a letter>"), and names.hostile's three hostile names.
_TOKEN = r"(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z])[a-z0-9]{6}"
_KIT_NAME_IN_FULL = re.compile(
    rf"(?P<climb>\.\./)?{_PREFIX}-(?P<token>{_TOKEN})-(?:m|w\d+)-"
    r"(?P<tail>(?:[a-z0-9]+-)*[0-9]+"
    r"|s[0-9a-f]{4}-(?:[a-z0-9]+-)*[a-z0-9]*[a-z]"
    r"|escape|x{300}|ctl\n\t\x1b)"
)


def is_dns_label(name: str) -> bool:
    """True when ``name`` is a valid DNS-1123 label."""
    return bool(_DNS_LABEL.match(name))


def is_kit_name(name: object) -> bool:
    """True when ``name`` looks like something a run of the kit created."""
    return run_token_of(name) is not None


def run_token_of(name: object) -> str | None:
    """The token of the run that created ``name``, or None when no run of the kit did."""
    found = _KIT_PREFIX.search(name) if isinstance(name, str) else None
    return found.group(1) if found else None


def kit_token_in_full(name: object) -> str | None:
    """The token of the run that created ``name`` when the whole name is one the kit writes,
    else None. Stricter than :func:`run_token_of`: a sweep deletes only what this matches."""
    found = _KIT_NAME_IN_FULL.fullmatch(name) if isinstance(name, str) else None
    if found is None or (found["climb"] and found["tail"] != "escape"):
        return None  # only the escaping name climbs out of its folder
    return found["token"]


def new_run_token() -> str:
    """Six random lowercase letters and digits, at least one of each, shared by every worker of
    one run. Words ("europe") are never tokens, so names people choose rarely look like the
    kit's."""
    while True:
        token = "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(6))
        if any(c.isdigit() for c in token) and any(c.isalpha() for c in token):
            return token


def _worker_tag() -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw3" under xdist
    digits = worker.removeprefix("gw")
    return f"w{digits}" if digits.isdigit() else "m"


class Namer:
    """Hands out fresh names sharing this run's prefix, e.g. ``mdc-k3x9q2-w1-update-4``."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or new_run_token()
        self.prefix = f"{_PREFIX}-{self.token}-{_worker_tag()}"
        # One counter per purpose: scenarios run concurrently, and a name must not depend on
        # which of them asked first (reports and docs outputs stay comparable between runs).
        self._counters: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()

    def fresh(self, purpose: str = "") -> str:
        """A name never handed out before in this run; ``purpose`` makes it readable."""
        slug = re.sub(r"[^a-z0-9]+", "-", purpose.lower()).strip("-")
        with self._lock:
            number = next(self._counters.setdefault(slug, itertools.count(1)))
        tail = f"-{number}"
        room = MAX_LABEL - len(self.prefix) - len(tail) - 1
        slug = slug[: max(room, 0)].strip("-")
        name = f"{self.prefix}-{slug}{tail}" if slug else f"{self.prefix}{tail}"
        assert is_dns_label(name), name
        return name
