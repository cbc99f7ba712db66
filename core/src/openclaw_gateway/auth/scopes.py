"""Roles and operator scopes, and the reference's implication rules (PROTOCOL.md §7)."""

from __future__ import annotations

from collections.abc import Iterable

ROLE_OPERATOR = "operator"
ROLE_NODE = "node"
ROLES = frozenset({ROLE_OPERATOR, ROLE_NODE})

READ = "operator.read"
WRITE = "operator.write"
ADMIN = "operator.admin"
APPROVALS = "operator.approvals"
PAIRING = "operator.pairing"
TALK = "operator.talk"

OPERATOR_SCOPES = frozenset(
    {
        READ,
        WRITE,
        ADMIN,
        APPROVALS,
        PAIRING,
        TALK,
        "operator.talk.secrets",
        "operator.questions",
        "operator.sessions.read",
        "operator.sessions.write",
    }
)

# What a granted scope implies besides itself. admin implies every operator scope.
_IMPLIES: dict[str, frozenset[str]] = {
    WRITE: frozenset({READ, TALK}),
}


def expand(granted: Iterable[str]) -> frozenset[str]:
    """All scopes a set of granted scopes satisfies."""
    out = set(granted)
    if ADMIN in out:
        return OPERATOR_SCOPES | out
    for scope in list(out):
        out |= _IMPLIES.get(scope, frozenset())
    return frozenset(out)


def satisfies(effective: frozenset[str], required: str | None) -> bool:
    """True when ``effective`` (already expanded) covers ``required`` (None = no scope needed)."""
    return required is None or required in effective
