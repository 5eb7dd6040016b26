"""Seeded fault injection, repeatable whatever the order of concurrent requests.

A spec is a comma list of ``kind:rate`` (each matching request fails with that
probability) or ``kind:count@METHOD /template`` (the first ``count`` matching requests
fail), plus ``cap:N``. Whether a request fails under a rate rule is a hash of the seed,
the rule, the method, the path, the body and how many identical requests came before.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

PRE_KINDS = {
    "429",
    "429long",
    "529",
    "500",
    "502",
    "502html",
    "503",
    "504",
    "409",
    "timeout",
    "reset",
}
POST_KINDS = {"502applied", "timeoutapplied"}
CURSOR_KINDS = {"badcursor", "loopcursor"}
ALL_KINDS = PRE_KINDS | POST_KINDS | CURSOR_KINDS


class FaultSpecError(ValueError):
    """The ``--faults`` spec cannot be parsed."""


@dataclass
class FaultRule:
    """One item of the spec."""

    kind: str
    rate: float = 0.0
    count: int | None = None
    method: str | None = None
    template: str | None = None
    used: int = 0


@dataclass
class FaultPlan:
    """Parsed rules, the lowered query cap, and counters of identical requests."""

    rules: list[FaultRule]
    cap: int | None
    seed: int
    seen: Counter[str] = field(default_factory=Counter)

    @classmethod
    def parse(cls, spec: str, seed: int) -> FaultPlan:
        """Parse ``spec``; raise :class:`FaultSpecError` on a malformed item."""
        rules: list[FaultRule] = []
        cap: int | None = None
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            kind, sep, rest = item.partition(":")
            if not sep:
                raise FaultSpecError(f"fault {item!r}: expected kind:rate")
            if kind == "cap":
                cap = _int(rest, item)
                continue
            if kind not in ALL_KINDS:
                raise FaultSpecError(f"fault {item!r}: unknown kind {kind!r}")
            rules.append(_rule(kind, rest, item))
        return cls(rules, cap, seed)

    def pick(
        self, method: str, path: str, template: str, body: bytes, applicable: set[str]
    ) -> str | None:
        """The fault kind this request gets, if any, among ``applicable`` kinds."""
        identity = f"{method} {path} ".encode() + body
        digest_key = hashlib.sha256(identity).hexdigest()
        occurrence = self.seen[digest_key]
        self.seen[digest_key] += 1
        for index, rule in enumerate(self.rules):
            if rule.kind not in applicable:
                continue
            if rule.count is not None:
                matches = rule.method == method and rule.template == template
                if matches and rule.used < rule.count:
                    rule.used += 1
                    return rule.kind
                continue
            if _draw(self.seed, index, digest_key, occurrence) < rule.rate:
                return rule.kind
        return None


def _int(text: str, item: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise FaultSpecError(f"fault {item!r}: expected an integer") from exc


def _rule(kind: str, rest: str, item: str) -> FaultRule:
    if "@" in rest:
        count_text, _, target = rest.partition("@")
        method, _, template = target.strip().partition(" ")
        if not template:
            raise FaultSpecError(f"fault {item!r}: expected count@METHOD /template")
        return FaultRule(
            kind,
            count=_int(count_text, item),
            method=method.upper(),
            template=template.strip(),
        )
    try:
        rate = float(rest)
    except ValueError as exc:
        raise FaultSpecError(f"fault {item!r}: expected a rate in [0, 1]") from exc
    if not 0.0 <= rate <= 1.0:
        raise FaultSpecError(f"fault {item!r}: rate must be within [0, 1]")
    return FaultRule(kind, rate=rate)


def _draw(seed: int, rule_index: int, digest_key: str, occurrence: int) -> float:
    text = f"{seed}|{rule_index}|{digest_key}|{occurrence}".encode()
    value = int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
    return value / 2**64
