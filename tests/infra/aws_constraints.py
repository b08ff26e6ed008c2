"""What AWS would refuse, found in what the program registers, without AWS.

The Pulumi mocks take any value; AWS does not, and the provider checks little
before it calls AWS, so ``preview`` passes and an update fails halfway. Here each
property the program sets is mapped (:mod:`tests.infra.aws_members`) to the API member the
provider sends it as, for example ``aws:wafv2/webAcl:WebAcl.description`` to
``wafv2.CreateWebACL.Description``, and checked against that member's constraints
in botocore's service models: pattern, length, range, enum, list size, and the
members a structure requires. They are what AWS's SDKs and ``aws ...
--cli-input-json`` validate against.

botocore's patterns come from AWS's Java models. They are applied as Java's
``matches()`` does, to the whole value, with the ``regex`` library, since Python's
``re`` has no ``\\p{L}``-style classes. A few limits are documented by AWS but not
in the models (a Lambda function's name is at most 64 characters though the
member takes a 140-character ARN); :mod:`tests.infra.aws_documented_limits`
holds them, each with its page.

Values are read from what AWS would see: the resource's state under
:class:`~tests.infra.conftest.FakeAws`, which names auto-named resources as
Pulumi does (the resource name, a dash and 7 hex characters), and its tags
merged with the provider's default tags, as the provider's ``tagsAll`` is.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
import regex
from botocore.model import MapShape, Shape, StructureShape

from tests.infra.aws_documented_limits import DOCUMENTED
from tests.infra.aws_members import MEMBERS, PROVIDED, SENTINELS
from tests.infra.conftest import Deployment, Registered


@dataclass(frozen=True)
class Violation:
    """One value AWS would refuse: where it is, what it becomes, and the rule it breaks."""

    resource: str
    property: str
    member: str
    value: Any
    rule: str

    def __str__(self) -> str:
        shown = repr(self.value)
        if len(shown) > 120:
            shown = shown[:117] + "..."
        return f"{self.resource}: {self.property} = {shown} -> {self.member}: {self.rule}"


@cache
def _service(name: str) -> Any:
    return botocore.session.get_session().get_service_model(name)


#: Java's ``\\w``, ``\\d`` and ``\\s`` are ASCII; Python's match any script's letters and digits.
_JAVA_CLASSES = {"w": "A-Za-z0-9_", "d": "0-9", "s": " \\t\\n\\x0B\\f\\r"}


@cache
def java_pattern(pattern: str) -> regex.Pattern[str]:
    """A botocore pattern compiled to match as Java (AWS's validation) does.

    ``regex`` reads Java's Unicode classes (``\\p{L}``) as Java does, but its
    ``\\w``, ``\\d`` and ``\\s`` take any script's letters, digits and spaces,
    where Java takes ASCII only; so those are spelled out as ASCII ranges.
    """
    out, in_class, index = [], False, 0
    while index < len(pattern):
        character = pattern[index]
        if character == "\\" and index + 1 < len(pattern):
            escaped = pattern[index + 1]
            ascii_class = _JAVA_CLASSES.get(escaped.lower())
            if ascii_class is None:
                out.append(pattern[index : index + 2])
            elif in_class:
                assert escaped.islower(), f"{pattern}: a negated class inside a class"
                out.append(ascii_class)
            else:
                out.append(f"[{'^' if escaped.isupper() else ''}{ascii_class}]")
            index += 2
            continue
        if character == "[" and not in_class:
            in_class = True
        elif character == "]" and in_class and out[-1] not in ("[", "[^"):
            in_class = False
        out.append(character)
        index += 1
    return regex.compile("".join(out))


def _segments(path: str) -> list[str]:
    """``a.b[].c{key}`` as ``["a", "b", "[]", "c", "{key}"]``."""
    found: list[str] = []
    for part in path.split("."):
        name, _, rest = part.partition("[]")
        if "{" in name:
            name, brace = name.split("{", 1)
            found += [name, "{" + brace]
            continue
        found.append(name)
        if _ or rest:
            found.append("[]")
            if rest.startswith("{"):
                found.append(rest)
    return [segment for segment in found if segment]


@cache
def member_shape(member: str) -> Shape:
    """The botocore shape of ``service.Operation.Path``."""
    service, operation, path = member.split(".", 2)
    shape: Shape = _service(service).operation_model(operation).input_shape
    for segment in _segments(path):
        if segment == "[]":
            shape = shape.member  # type: ignore[attr-defined]
        elif segment == "{key}":
            shape = shape.key  # type: ignore[attr-defined]
        elif segment == "{value}":
            shape = shape.value  # type: ignore[attr-defined]
        else:
            members = shape.members  # type: ignore[attr-defined]
            assert segment in members, f"{member}: {shape.name} has no member {segment}"
            shape = members[segment]
    return shape


def values_at(data: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Each value at ``path`` in ``data``, with its concrete path (``rules[1].name``)."""

    def walk(value: Any, segments: list[str], where: str) -> Iterator[tuple[str, Any]]:
        if value is None:
            return
        if not segments:
            yield where, value
            return
        head, rest = segments[0], segments[1:]
        if head == "[]":
            for index, item in enumerate(value if isinstance(value, list) else []):
                yield from walk(item, rest, f"{where}[{index}]")
        elif head in ("{key}", "{value}"):
            for key, item in (value if isinstance(value, dict) else {}).items():
                yield from walk(key if head == "{key}" else item, rest, f"{where}[{key!r}]")
        elif isinstance(value, dict):
            yield from walk(value.get(head), rest, f"{where}.{head}" if where else head)

    yield from walk(data, _segments(path), "")


#: apigatewayv2's model names some shapes for their length (``StringWithLengthBetween1And128``,
#: ``UriWithLengthBetween1And2048``, ``StringWithLengthBetween0And32K``) without giving them a
#: ``min`` or ``max``: their name is the rule AWS applies.
_LENGTH_IN_NAME = regex.compile(r"(?:String|Uri)WithLengthBetween(\d+)And(\d+)(K?)")


def _length_limits(shape: Shape) -> dict[str, int]:
    """A string shape's ``min`` and ``max``: the model's, else those its name gives."""
    meta = shape.metadata
    named = _LENGTH_IN_NAME.fullmatch(shape.name)
    if named is None or "min" in meta or "max" in meta:
        return {key: meta[key] for key in ("min", "max") if key in meta}
    low, high, kilo = named.groups()
    return {"min": int(low), "max": int(high) * (1024 if kilo else 1)}


def check_value(value: Any, shape: Shape) -> list[str]:
    """The rules of ``shape`` that ``value`` breaks (empty if AWS would take it)."""
    meta, kind = shape.metadata, shape.type_name
    if kind == "string":
        meta = {**meta, **_length_limits(shape)}
    if kind == "string":
        if not isinstance(value, str):
            return [f"a string, not {type(value).__name__}"]
        broken = []
        if "enum" in meta and value not in meta["enum"]:
            broken.append(f"one of {meta['enum']}")
        if "min" in meta and len(value) < meta["min"]:
            broken.append(f"at least {meta['min']} characters")
        if "max" in meta and len(value) > meta["max"]:
            broken.append(f"at most {meta['max']} characters (this is {len(value)})")
        if "pattern" in meta and not java_pattern(meta["pattern"]).fullmatch(value):
            broken.append(f"the pattern {meta['pattern']}")
        return broken
    if kind in ("integer", "long", "double", "float"):
        number = value
        if isinstance(value, bool) or not isinstance(value, int | float):
            return [f"a number, not {type(value).__name__}"]
        if kind in ("integer", "long") and number != int(number):
            return ["a whole number"]
        bits = {"integer": 32, "long": 64}.get(kind)
        if bits and not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            return [f"a {bits}-bit {kind} (AWS's {kind} shapes are {bits}-bit)"]
        broken = []
        if "min" in meta and number < meta["min"]:
            broken.append(f"at least {meta['min']}")
        if "max" in meta and number > meta["max"]:
            broken.append(f"at most {meta['max']}")
        return broken
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"a boolean, not {type(value).__name__}"]
    if kind == "list":
        if not isinstance(value, list):
            return [f"a list, not {type(value).__name__}"]
        broken = []
        if "min" in meta and len(value) < meta["min"]:
            broken.append(f"at least {meta['min']} items")
        if "max" in meta and len(value) > meta["max"]:
            broken.append(f"at most {meta['max']} items (this has {len(value)})")
        member = shape.member  # type: ignore[attr-defined]
        return broken + [
            f"item {index}: {rule}"
            for index, item in enumerate(value)
            for rule in check_value(item, member)
        ]
    if kind in ("structure", "map"):
        if not isinstance(value, dict):
            return [f"an object, not {type(value).__name__}"]
        if isinstance(shape, MapShape) and "max" in meta and len(value) > meta["max"]:
            return [f"at most {meta['max']} entries"]
        return []
    if kind == "blob":
        return [] if isinstance(value, str | bytes) else ["bytes or a string"]
    raise AssertionError(f"no check for {kind} shapes ({shape.name})")


def aws_view(resource: Registered, deployment: Deployment) -> dict[str, Any]:
    """What AWS would be sent for ``resource``: its state, its tags merged as ``tagsAll``."""
    view = dict(resource.state)
    if any(path.startswith("tagsAll") for path in MEMBERS.get(resource.type, {})):
        view["tagsAll"] = {**default_tags(resource, deployment), **(view.get("tags") or {})}
    return view


def default_tags(resource: Registered, deployment: Deployment) -> dict[str, str]:
    """The tags the resource's explicit provider gives everything it creates."""
    provider_urn = resource.provider.rsplit("::", 1)[0]
    for candidate in deployment.of_type("pulumi:providers:aws"):
        if candidate.urn == provider_urn:
            raw = candidate.inputs.get("defaultTags") or "{}"
            tags = json.loads(raw) if isinstance(raw, str) else raw
            return dict(tags.get("tags") or {})
    return {}


def _structures_along(member: str) -> Iterator[tuple[str, StructureShape]]:
    """Each structure on the way to ``member`` (the input shape first), with its path.

    The member itself is left out: a structure mapped whole is checked as an object.
    """
    service, operation, path = member.split(".", 2)
    where = f"{service}.{operation}"
    shape: Shape = _service(service).operation_model(operation).input_shape
    segments = _segments(path)
    for segment in segments:
        if isinstance(shape, StructureShape) and segment not in ("[]", "{key}", "{value}"):
            yield where, shape
        if segment == "[]":
            shape, where = shape.member, f"{where}[]"  # type: ignore[attr-defined]
        elif segment in ("{key}", "{value}"):
            shape = getattr(shape, segment.strip("{}"))
            where = f"{where}{segment}"
        else:
            shape, where = shape.members[segment], f"{where}.{segment}"  # type: ignore[attr-defined]


def _required_missing(resource: Registered, present: set[str]) -> list[Violation]:
    """Members a structure the resource reaches requires, which nothing fills in."""
    missing: dict[str, Violation] = {}
    for member in sorted(present):
        for where, shape in _structures_along(member):
            for required in shape.required_members:
                wanted = f"{where}.{required}"
                filled = wanted in PROVIDED or any(
                    have == wanted or have.startswith((f"{wanted}.", f"{wanted}[", f"{wanted}{{"))
                    for have in present
                )
                if not filled:
                    missing[wanted] = Violation(
                        resource.name, "(not set)", wanted, None, "required, and nothing sets it"
                    )
    return list(missing.values())


def check_resource(resource: Registered, deployment: Deployment) -> list[Violation]:
    """Everything about ``resource`` that AWS would refuse."""
    view = aws_view(resource, deployment)
    violations: list[Violation] = []
    present: set[str] = set()
    for prop, member in MEMBERS.get(resource.type, {}).items():
        shape = member_shape(member)
        sentinel = SENTINELS.get((resource.type, prop), (object(), ""))[0]
        for where, value in values_at(view, prop):
            if value == sentinel:
                continue
            present.add(member)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            for rule in check_value(value, shape):
                violations.append(Violation(resource.name, where, member, value, rule))
    for limit in DOCUMENTED:
        if limit.type not in ("*", resource.type):
            continue
        for where, value in values_at(view, limit.property):
            if not limit.holds(value):
                violations.append(
                    Violation(
                        resource.name, where, "(documented)", value, f"{limit.rule} ({limit.page})"
                    )
                )
    return violations + _required_missing(resource, present)


def check_deployment(deployment: Deployment) -> list[Violation]:
    """What AWS would refuse in a whole run of the program."""
    return [
        violation
        for resource in deployment.resources
        if resource.custom and not resource.type.startswith("pulumi:providers:")
        for violation in check_resource(resource, deployment)
    ]
