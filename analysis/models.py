"""The canonical survey response, defined once.

The same pydantic models validate the Streamlit form, the JSON/JSON Lines importer, the JSON
export and the CLI, so a response that one of them accepts is accepted by all. Field names are the
JSON keys named in the survey's specification and are an interface: other tools depend on them.

What text is accepted (every text field, here and in the nested models) is decided once, by
:func:`text_problem`, and the same message reaches the form (by field) and the importer (by
line and key):

- refused everywhere: control characters (NUL, ``\x01``-``\x1f`` except tab, newline and
  carriage return, DEL, the C1 controls ``\x80``-``\x9f``), lone surrogates and the
  non-characters U+FFFE/U+FFFF. They are never typed on purpose, PostgreSQL cannot store NUL,
  XML (so XLSX) cannot hold most of them, and a terminal runs ESC sequences.
- refused everywhere: the bidirectional embedding, override and isolate controls (U+202A-U+202E,
  U+2066-U+2069). Right-to-left scripts need none of them (the Unicode bidi algorithm orders
  them), and ``\u202eDebian`` displays reversed: a name could impersonate another on screen.
- refused in names (``distributor``) and single-line fields: every other invisible format
  character (zero-width space/joiners, word joiner, BOM, soft hyphen, LRM/RLM, ...) and line
  breaks, so ``Debian\u200b`` cannot pose as a second "Debian". Prose keeps them (zero-width
  joiners build emoji and some scripts).
- the counting key (:func:`normalise_distributor`) also drops every format character, so
  whatever an older store holds still counts as one distributor.

An older store may hold text written before this rule. Reading it back
(``model_validate(..., context=STORED)``) replaces each refused character with U+FFFD (a visible
"�") instead of failing, and :func:`visible_text` does the same for every export writer, so
no stored answer can break a page or a report.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from datetime import UTC, date, datetime
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from analysis.reference_data import distributor_aliases, known_python_versions, known_version_rank

#: Longest free-text answer accepted. Generous for prose, small enough that one response cannot
#: bloat the store or a report (a 1 MB paste is refused with a clear message).
MAX_TEXT = 10_000
MAX_SHORT_TEXT = 200


class DistributorKind(StrEnum):
    LINUX_DISTRIBUTION = "linux-distribution"
    BSD = "bsd"
    PACKAGE_MANAGER = "package-manager"
    CONTAINER_IMAGE = "container-image"
    VERSION_MANAGER = "version-manager"
    CLOUD_PLATFORM = "cloud-platform"
    ENTERPRISE_INTERNAL = "enterprise-internal"
    OTHER = "other"


class PrereleaseStart(StrEnum):
    ALPHA = "alpha"
    BETA = "beta"
    RC = "rc"
    FINAL = "final"
    POST_FINAL = "post-final"


class YesNoUnsure(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


class SigstoreStatus(StrEnum):
    NOT_STARTED = "not-started"
    EVALUATING = "evaluating"
    PACKAGED = "packaged"
    VERIFYING_IN_CI = "verifying-in-ci"
    IN_PRODUCTION = "in-production"


class Blocker(StrEnum):
    OFFLINE_VERIFICATION = "offline-verification"
    PACKAGING_DEPENDENCIES = "packaging-dependencies"
    TOOLING_SUPPORT = "tooling-support"
    POLICY_REQUIRES_PGP = "policy-requires-pgp"
    TRUST_MODEL = "trust-model"
    AIR_GAPPED_BUILDERS = "air-gapped-builders"
    IDENTITY_MANAGEMENT = "identity-management"
    MAINTAINER_TIME = "maintainer-time"
    OTHER = "other"


class WorstCase(StrEnum):
    SHIP_UNVERIFIED = "ship-unverified"
    STOP_UPDATING = "stop-updating"
    PIN_LAST_PGP_RELEASE = "pin-last-pgp-release"
    DELAY_UPGRADES = "delay-upgrades"
    OWN_SIGNATURE_SCHEME = "own-signature-scheme"
    DROP_PYTHON = "drop-python"
    NO_IMPACT = "no-impact"
    OTHER = "other"


#: Enumerated fields and their enums: the single place the cross-tab engine, the charts and the
#: form learn which values exist and in which order.
ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "distributor_kind": DistributorKind,
    "prerelease_start": PrereleaseStart,
    "verifies_pgp_today": YesNoUnsure,
    "sigstore_status": SigstoreStatus,
    "blockers": Blocker,
    "worst_case": WorstCase,
}
MULTI_FIELDS: tuple[str, ...] = ("python_versions", "blockers", "worst_case")
TEXT_FIELDS: tuple[str, ...] = ("blockers_text", "worst_case_text", "comments")
PERSONAL_FIELDS: tuple[str, ...] = ("respondent_role", "contact")
#: The multi-line (prose) text fields: tab, newline and CR are accepted only here; every other text
#: field is one line. Kept beside the annotations below (``LongText``) that enforce it.
PROSE_FIELDS: frozenset[str] = frozenset(
    ("verification_tooling", "blockers_text", "worst_case_text", "comments", "source")
)

_T = TypeVar("_T")
_VERSION_RE = re.compile(r"^3\.\d{1,2}$")


def _check_version(value: str) -> str:
    # Every imported answer passes here once per version: a dict lookup answers almost all.
    if value in known_version_rank():
        return value
    if not _VERSION_RE.fullmatch(value):
        raise ValueError(f"{quoted(value)} is not a Python version of the form X.Y (e.g. 3.14)")
    if value not in known_python_versions():
        known = ", ".join(known_python_versions())
        raise ValueError(f"{quoted(value)} is not a Python line in the release data ({known})")
    return value


#: Validation context for text read back from the store: refused characters are replaced
#: (U+FFFD) instead of failing, so an answer stored before the text rule still loads.
STORED: dict[str, bool] = {"stored": True}
REPLACEMENT = "\ufffd"
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NONCHARACTERS = frozenset("\ufffe\uffff")
_REFUSED_ANYWHERE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def _refused(ch: str, *, single_line: bool) -> str | None:
    """Why ``ch`` is not accepted in a text field (``None``: accepted)."""
    if ch in _ALLOWED_CONTROLS:
        return "a line break or tab (this field is one line)" if single_line else None
    if ch in _BIDI_CONTROLS:
        return "a bidirectional text control (it reorders text on screen)"
    if ch in _NONCHARACTERS:
        return "a non-character"
    category = unicodedata.category(ch)
    if category == "Cc":
        return "a control character"
    if category == "Cs":
        return "a lone surrogate (not valid Unicode text)"
    if single_line and category == "Cf":
        return "an invisible formatting character"
    return None


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}" + (f" {unicodedata.name(ch)}" if unicodedata.name(ch, "") else "")


def text_problem(value: str, *, single_line: bool = False) -> str | None:
    """The message for the first refused character in ``value``, or ``None`` if it is accepted.

    The message names the character by code point and its position (1-based), never echoes the
    text itself: the text may be exactly what should not reach a screen or a log.
    """
    # Fast paths (C speed; every stored answer is checked again when it is read back): printable
    # text holds no control, format, surrogate or non-character at all, and prose that matches
    # none of the characters refused everywhere is accepted.
    if value.isprintable() or (not single_line and not _REFUSED_ANYWHERE.search(value)):
        return None
    for position, ch in enumerate(value, start=1):
        why = _refused(ch, single_line=single_line)
        if why is not None:
            return f"contains {why}, {_char_name(ch)}, at character {position}; remove it and try again"
    return None


def visible_text(value: str, *, single_line: bool = False) -> str:
    """``value`` with every refused character replaced by U+FFFD: for text already stored.

    Export writers (XLSX cannot hold control characters at all) and the store's reader use this,
    so an answer stored before the rule existed is shown with a visible mark, never crashes.
    """
    if text_problem(value, single_line=single_line) is None:
        return value
    return "".join(REPLACEMENT if _refused(ch, single_line=single_line) else ch for ch in value)


def _text_rule(single_line: bool) -> Any:
    def check(value: str, info: ValidationInfo) -> str:
        # Printable text (nearly every answer) is accepted and kept as it is whether stored or
        # not (``text_problem`` is None, so ``visible_text`` returns it unchanged): answered before
        # the context is read or another function called. An import of 100,000 answers runs this
        # 700,000 times; ``tests/test_text_rule.py`` and ``test_models_properties.py`` hold it equal.
        if value.isprintable():
            return value
        if isinstance(info.context, dict) and info.context.get("stored"):
            return visible_text(value, single_line=single_line)
        problem = text_problem(value, single_line=single_line)
        if problem is not None:
            raise ValueError(problem)
        return value

    return AfterValidator(check)


PythonVersion = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_check_version)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SHORT_TEXT), _text_rule(True)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT), _text_rule(False)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT_TEXT), _text_rule(True)
]
FileName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_SHORT_TEXT),
    AfterValidator(lambda value: visible_text(value, single_line=True)),
]
Contact = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), _text_rule(True)]


def quoted(value: object, limit: int = 40) -> str:
    """``value`` quoted for a message: invisible and control characters escaped, length capped.

    Messages go to terminals, logs and pages; what a respondent typed must not run there.
    """
    text = str(value)
    short = text[:limit] + ("…" if len(text) > limit else "")
    return repr(short) if not short.isprintable() else f"'{short}'"


def _dedupe(values: list[_T]) -> list[_T]:
    return list(dict.fromkeys(values))


class ReadyBy(BaseModel):
    """When a distributor expects to verify Sigstore: a three-point estimate, all optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    earliest: date | None = None
    likely: date | None = None
    latest: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        earliest, likely, latest = self.earliest, self.likely, self.latest
        # The common cases answered without building the lists below (every imported answer
        # passes here): all three dates given and in order, or none given.
        # ``tests/test_models_properties.py`` holds this equal to the general path for every
        # order, equal and missing dates included.
        if earliest is not None and likely is not None and latest is not None:
            if earliest <= likely <= latest:
                return self
        elif earliest is None and likely is None and latest is None:
            return self
        points = [(n, d) for n, d in (("earliest", earliest), ("likely", likely), ("latest", latest)) if d]
        # Every out-of-order pair at once (earliest > likely *and* likely > latest), so a person
        # fixes both in one go; ``pairs`` names them for the form ("earliest>likely;likely>latest").
        wrong = [(name_a, a, name_b, b) for (name_a, a), (name_b, b) in pairwise(points) if a > b]
        if wrong:
            raise PydanticCustomError(
                "date_order",
                "{problems}",
                {
                    "problems": "; ".join(
                        f"{na} date ({a}) must not be after the {nb} date ({b})" for na, a, nb, b in wrong
                    ),
                    "pairs": ";".join(f"{na}>{nb}" for na, _, nb, _ in wrong),
                },
            )
        return self

    def is_empty(self) -> bool:
        return self.earliest is None and self.likely is None and self.latest is None


class VerificationEvidence(BaseModel):
    """A successful offline Sigstore verification a respondent attached as proof their path works."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    python_version: PythonVersion
    #: The uploaded file's name: recorded, not typed, and the person cannot fix it in a form, so
    #: refused characters are marked (U+FFFD) instead of refusing the evidence.
    artifact: FileName = ""
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    identity: ShortText
    issuer: ShortText
    verified_at: datetime
    tool: ShortText


class SurveyResponse(BaseModel):
    """One distributor's answers: the canonical JSON object.

    Unknown keys are rejected so a typo in an import file is reported instead of silently dropped.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)

    response_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")] | None = Field(
        default=None, description="Stable id of the response; absent for new responses."
    )
    distributor: Name
    distributor_kind: DistributorKind
    respondent_role: ShortText | None = None
    contact: Contact | None = None
    python_versions: list[PythonVersion] = Field(default_factory=list, max_length=50)
    prerelease_start: PrereleaseStart
    prerelease_lag_days: int = Field(default=0, ge=0, le=3650)
    #: ``None`` = not answered, which is not the same as answering "unsure".
    verifies_pgp_today: YesNoUnsure | None = None
    verification_tooling: LongText = ""
    sigstore_status: SigstoreStatus
    blockers: list[Blocker] = Field(default_factory=list, max_length=len(Blocker))
    blockers_text: LongText = ""
    ready_by: ReadyBy = Field(default_factory=ReadyBy)
    worst_case: list[WorstCase] = Field(default_factory=list, max_length=len(WorstCase))
    worst_case_text: LongText = ""
    dual_signing_until: PythonVersion | None = None
    comments: LongText = ""
    source: LongText = ""
    illustrative: bool = False
    verification_evidence: list[VerificationEvidence] = Field(default_factory=list, max_length=100)
    submitted_at: datetime | None = None

    @field_validator("python_versions")
    @classmethod
    def _sorted_versions(cls, value: list[str]) -> list[str]:
        # Each item passed ``_check_version``, so each has a rank (known lines sort by version),
        # and ranks are distinct: strictly rising ranks mean the list is already sorted and unique,
        # which is how most answers (and every export) give it, so it is kept as it is.
        # ``tests/test_models_properties.py`` holds this equal to the general path (repeats, any order).
        if len(value) < 2:
            return value
        ranks = list(map(known_version_rank().__getitem__, value))
        if all(map(operator.lt, ranks, ranks[1:])):
            return value
        return sorted(_dedupe(value), key=known_version_rank().__getitem__)

    @field_validator("blockers", "worst_case")
    @classmethod
    def _unique(cls, value: list[Any]) -> list[Any]:
        # Without a repeat (a set of the same size: the common case) the list is its own dedupe.
        return value if len(set(value)) == len(value) else _dedupe(value)

    @field_validator("respondent_role", "contact")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("submitted_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def canonical_json(self) -> dict[str, Any]:
        """The exported form: JSON-safe, ISO 8601 dates, enum values as strings."""
        return self.model_dump(mode="json")

    def answers_equal(self, other: SurveyResponse) -> bool:
        """Same answers, ignoring when they were submitted (used to make re-imports idempotent)."""
        skip = {"submitted_at", "response_id"}
        return self.model_dump(exclude=skip) == other.model_dump(exclude=skip)


def normalise_distributor(name: str) -> str:
    """The counting key for a distributor name: case, spacing and known aliases folded.

    "RHEL", " Red Hat Enterprise Linux " and "rhel" all count as one distributor. Invisible
    format characters (zero-width, BOM, bidi controls) are dropped first, so ``Debian\u200b``,
    ``Deb\u200dian``, ``\u202eDebian`` and ``Debian\ufeff`` (which an older store may hold) count
    as "debian" too.
    """
    visible = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cf", "Cc", "Cs"))
    folded = unicodedata.normalize("NFKC", visible).casefold()
    folded = re.sub(r"[\s_]+", " ", folded).strip(" .")
    return distributor_aliases().get(folded, folded)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _loc_part(part: object) -> str:
    """A key of the input as it may appear in a message: an unknown key is the sender's text."""
    text = str(part)
    return text if text.isprintable() and len(text) <= 60 else quoted(text)


def format_validation_error(exc: Exception, prefix: str = "") -> list[str]:
    """One readable line per problem, naming the JSON key ("ready_by.likely: ...")."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return [f"{prefix}{exc}"]
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(_loc_part(part) for part in err["loc"]) or "(response)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the survey format)"
        elif err["type"] == "string_too_long":
            limit = (err.get("ctx") or {}).get("max_length")
            msg = f"text is too long (at most {limit:,} characters)"
        elif err["type"] == "enum":
            msg = f"not one of the allowed values: {(err.get('ctx') or {}).get('expected', '')}"
        msg = msg.removeprefix("Value error, ")
        lines.append(f"{prefix}{loc}: {msg}")
    return lines


#: Longest public channel (a mailing list address or an issue tracker URL).
MAX_CHANNEL = 500


class RosterEntry(BaseModel):
    """A distributor the council wants to hear from: one row of ``roster import`` and the roster page.

    The name follows the survey's rule for a distributor name (so an entry and an answer normalise
    to the same key); ``contact`` and ``channel`` are people's data and leave the app only with
    ``--include-contacts``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    distributor: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT_TEXT)]
    kind: DistributorKind | None = None
    contact: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] | None = None
    channel: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_CHANNEL)] | None = None

    @field_validator("distributor", "contact", "channel")
    @classmethod
    def _no_control_chars(cls, value: str | None) -> str | None:
        if value and any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
            raise ValueError("must not contain control or invisible formatting characters")
        return value

    @field_validator("kind", "contact", "channel", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("distributor")
    @classmethod
    def _key_fits(cls, value: str) -> str:
        # Normalisation (NFKC) can lengthen a name; the counting key must fit its column too.
        if len(normalise_distributor(value)) > MAX_SHORT_TEXT:
            raise ValueError(f"is longer than {MAX_SHORT_TEXT} characters once normalised")
        return value

    @property
    def key(self) -> str:
        return normalise_distributor(self.distributor)


_EMAIL_RE = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;.]+$")


def check_email(value: str) -> str:
    """An e-mail address for an invitation (one plain address, no display name, no header tricks)."""
    value = value.strip()
    if len(value) > 320 or not _EMAIL_RE.match(value) or any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise ValueError(f"not an e-mail address: {value[:80]!r}")
    return value
