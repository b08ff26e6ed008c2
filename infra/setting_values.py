"""How a stack setting's value is read, whichever way it arrives, and how a wrong one is told.

A value arrives YAML-typed (a stack file, read by ``stack_config`` for the local
server and the tests) or as text (the Pulumi CLI hands every value to the program
as a string, objects and arrays as JSON). The types here accept both, and nothing
looser: ``true``/``false`` in any case or a real bool, never ``yes`` or ``1``; an
integer or its digits, never a bool; a list or a mapping, or its JSON text.

The settings' models (:class:`ConfigModel`) are pydantic models: each field's
type, default, range and description in one place. A mistake becomes one
:class:`SettingsError`, each line ``config <path> ...``, the path as a stack file
spells it (``tables.Orders.hashKey``); :func:`settings_error` is the one place
pydantic's errors are put into these words, so nobody reads a pydantic dump.
"""

from __future__ import annotations

import datetime
import difflib
import json
from collections.abc import Mapping
from typing import Annotated, Any, NoReturn, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from infra.config_keys import config_key

#: The error type of a refusal whose words are ours (:func:`refuse`).
_REFUSED = "config"


class SettingsError(ValueError):
    """A stack setting is missing, unknown or out of range; the message names it."""


def refuse(text: str, *, at: tuple[str, ...] = ()) -> NoReturn:
    """Refuse the value being validated, in these words.

    ``text`` follows the path of the value in the message: ``": 'BOOL' must be S"``
    or ``"is required"`` (a leading colon joins the path, anything else a space).
    ``at`` continues the path below the value, for a rule of a model about one field.
    """
    raise PydanticCustomError(_REFUSED, "{text}", {"text": text, "at": at})


def settings_error(
    error: ValidationError,
    validated: Any,
    *,
    under: tuple[str, ...] = (),
    kind: type[SettingsError] = SettingsError,
) -> SettingsError:
    """``error`` from validating ``validated`` (a model or a type), told as config paths.

    ``under`` is where the value validated sits in a stack's config (``("tables",)``).
    A field's own ``refusal`` (in its ``json_schema_extra``) words any error of its
    range or pattern; pydantic's words are the last resort.
    """
    lines = []
    for detail in error.errors():
        loc = tuple(str(part) for part in detail["loc"] if part != "[key]")
        ctx = detail.get("ctx") or {}
        if detail["type"] == _REFUSED:
            lines.append(_line((*under, *loc, *ctx.get("at", ())), ctx["text"]))
        elif detail["type"] == "missing":
            lines.append(_line((*under, *loc), "is required"))
        else:
            refusal = _refusal(validated, loc)
            text = (
                refusal.format(input=detail["input"])
                if refusal is not None
                else f": {shortened(detail['input'])} is refused ({detail['msg']})"
            )
            lines.append(_line((*under, *loc), text))
    return kind("\n".join(dict.fromkeys(lines)))


def _line(path: tuple[str, ...], text: str) -> str:
    return f"config {'.'.join(path)}{'' if text.startswith(':') else ' '}{text}"


def _refusal(validated: Any, loc: tuple[str, ...]) -> str | None:
    """The ``refusal`` of the field at ``loc`` (config keys and mapping keys) under a model."""
    annotation, extra = validated, None
    for part in loc:
        annotation = _unwrapped(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = next(
                (f for f in annotation.model_fields.values() if f.alias == part),
                None,
            )
            if field is None:
                return None
            annotation, extra = field.annotation, field.json_schema_extra
        elif get_origin(annotation) in (dict, Mapping):
            annotation, extra = get_args(annotation)[1], None
        else:
            return None
    refusal = extra.get("refusal") if isinstance(extra, dict) else None
    return refusal if isinstance(refusal, str) else None


def _unwrapped(annotation: Any) -> Any:
    """``annotation`` without ``Annotated`` and ``| None``."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, type(int | None)):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


class ConfigModel(BaseModel):
    """A group of settings: each field is the config key of its name in camelCase.

    Defaults are written as a stack file writes them and validated like any value.
    A key the model does not have is refused, naming the nearest one it has.
    """

    model_config = ConfigDict(
        alias_generator=config_key,
        validate_by_alias=True,
        validate_by_name=False,
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    @classmethod
    def config_keys(cls) -> tuple[str, ...]:
        """The keys a stack file may write for this model, in declaration order."""
        return tuple(field.alias or name for name, field in cls.model_fields.items())

    @classmethod
    def refuse_unknown(cls, key: str, value: Any) -> NoReturn:
        """Refuse a key this model does not have; a model may word it its own way."""
        refuse(f": unknown field {key!r}; {nearest(key, cls.config_keys())}")

    @classmethod
    def refuse_non_object(cls, value: Any) -> NoReturn:
        """Refuse a value that is not a mapping of this model's keys."""
        refuse(f"must be an object, not {value!r}")

    @model_validator(mode="before")
    @classmethod
    def _known_keys_only(cls, raw: Any) -> Any:
        if isinstance(raw, cls):
            return raw
        if not isinstance(raw, Mapping):
            cls.refuse_non_object(raw)
        known = cls.config_keys()
        for key, value in raw.items():
            if key not in known:
                cls.refuse_unknown(str(key), value)
        return raw


def config_default(model: type[BaseModel], name: str) -> Any:
    """The default of a model's field as a stack file would write it (YAML-ready values).

    A model's default is its changes from its own defaults: none, ``{}``.
    """
    field = model.model_fields[name]
    adapter: TypeAdapter[Any] = TypeAdapter(field.annotation or Any)
    return adapter.dump_python(
        field.get_default(call_default_factory=True),
        mode="json",
        by_alias=True,
        exclude_defaults=True,
    )


def nearest(key: str, known: tuple[str, ...], synonyms: Mapping[str, str] | None = None) -> str:
    """What a misspelt or borrowed key most likely means, as a hint."""
    lowered = {k.lower(): v for k, v in (synonyms or {}).items()}
    synonym = (synonyms or {}).get(key) or lowered.get(key.lower())
    if synonym in known:
        return f"did you mean {synonym!r}?"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known)}"


def shortened(value: Any, most: int = 80) -> str:
    """``repr(value)``, cut to ``most`` characters: an error line stays one readable line."""
    text = repr(value)
    return text if len(text) <= most else f"{text[: most - 5]}...{text[-2:]}"


def as_bool(value: Any) -> bool:
    """A bool, or ``true``/``false`` in any case."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    refuse(f": {shortened(value)} must be true or false")


def as_int(value: Any) -> int:
    """An integer, or its text; never a bool."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    refuse(f": {shortened(value)} must be a whole number")


def as_text(value: Any) -> str:
    """Text; a YAML scalar (number, bool, date) as the CLI would hand it over."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"  # as the CLI hands a YAML bool over
    if isinstance(value, int | float | datetime.date):
        return str(value)  # PyYAML reads 2024-01-01 as a date; the CLI hands it over as text
    refuse(f": {shortened(value)} must be text")


def as_names(value: Any) -> Any:
    """A list of names, or its JSON text."""
    items = parsed_json(value)
    if not isinstance(items, list | tuple) or not all(isinstance(item, str) for item in items):
        refuse(f": {shortened(value)} must be a list of names")
    return tuple(items)


def parsed_json(value: Any) -> Any:
    """A list or mapping as it is, or read from its JSON text; anything else as it is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
        except RecursionError:
            refuse(": nested too deeply to read")
    return value


#: ``true``/``false`` (any case) or a bool.
ConfigBool = Annotated[bool, BeforeValidator(as_bool)]
#: An integer, or its text; never a bool.
ConfigInt = Annotated[int, BeforeValidator(as_int)]
#: Text; a YAML number or bool as the CLI would hand it over.
ConfigText = Annotated[str, BeforeValidator(as_text)]
#: A list of names, or its JSON text.
ConfigNames = Annotated[tuple[str, ...], BeforeValidator(as_names)]
