"""The scorecard model file: versioned, human-readable JSON that round-trips, sealed by a digest.

The file holds the format name and version, the target, the scaling, the
intercept, every characteristic with its bins (edges or category lists,
special values, missing), counts, WoE and points, the training summary and
the protected attributes that were kept out. ``digest`` is the sha256 of the
canonical JSON (sorted keys, no spaces) of everything else, so a changed
file is refused; a file of another version is refused, saying which
versions this code reads. Every other defect names the field, e.g.
``characteristics[2].bins[0].points``.

>>> from arrears.risk.model import Scaling, Scorecard, Target, TrainingSummary
>>> card = Scorecard((), -0.8, 600.0, Scaling(), Target("bad", "1", "0"),
...                  TrainingSummary(10, 3, 0.3, 0.5, 0.0, {}, {}))
>>> loads(dumps(card)) == card
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

from arrears.kernel.errors import InvalidInput
from arrears.risk.model import (
    CATEGORICAL,
    CATEGORIES,
    MISSING,
    NUMERIC,
    RANGE,
    SPECIAL,
    Bin,
    Characteristic,
    Scaling,
    Scorecard,
    Target,
    TrainingSummary,
)

__all__ = ["FORMAT", "UNDERSTOOD", "VERSION", "digest_of", "dumps", "loads"]

FORMAT = "arrears.scorecard"
VERSION = 1
#: The versions of the file this code reads.
UNDERSTOOD = (1,)
T = TypeVar("T")


def _bin(b: Bin) -> dict[str, Any]:
    out: dict[str, Any] = {"label": b.label, "kind": b.kind}
    if b.kind == CATEGORIES:
        out["categories"] = list(b.categories)
    out.update(count=b.count, bads=b.bads, woe=b.woe, points=b.points)
    return out


def _characteristic(c: Characteristic) -> dict[str, Any]:
    return {
        "name": c.name, "kind": c.kind, "trend": c.trend, "iv": c.iv,
        "coefficient": c.coefficient, "edges": list(c.edges),
        "special_values": list(c.special_values), "bins": [_bin(b) for b in c.bins],
    }  # fmt: skip


def _document(card: Scorecard) -> dict[str, Any]:
    training = asdict(card.training)
    training["iv"], training["dropped"] = dict(card.training.iv), dict(card.training.dropped)
    return {
        "format": FORMAT,
        "version": VERSION,
        "target": asdict(card.target),
        "scaling": asdict(card.scaling),
        "intercept": card.intercept,
        "intercept_points": card.intercept_points,
        "characteristics": [_characteristic(c) for c in card.characteristics],
        "excluded_protected": list(card.excluded_protected),
        "training": training,
    }


def digest_of(document: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of the document without its digest."""
    rest = {k: v for k, v in document.items() if k != "digest"}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           allow_nan=False)  # fmt: skip
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dumps(card: Scorecard) -> str:
    document = _document(card)
    document["digest"] = digest_of(document)
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _refuse(where: str, what: str, hint: str = "fit the model again") -> InvalidInput:
    return InvalidInput(f"model file: {where} {what}", hint=hint)


def _get(obj: Any, key: str, kind: type[T] | tuple[type, ...], where: str) -> T:
    path = f"{where}.{key}" if where else key
    if not isinstance(obj, dict) or key not in obj:
        raise _refuse(f"field {path!r}", "is missing")
    value = obj[key]
    number = kind in (float, (float,)) and isinstance(value, int) and not isinstance(value, bool)
    if not (number or isinstance(value, kind)) or (isinstance(value, bool) and kind is not bool):
        raise _refuse(
            f"field {path!r}", f"has {type(value).__name__} {value!r}, not the type it needs"
        )
    return float(value) if number else value  # type: ignore[return-value]


def _items(obj: Any, key: str, read: Callable[[Any, str], T], where: str) -> tuple[T, ...]:
    values = _get(obj, key, list, where)
    path = f"{where}.{key}" if where else key
    return tuple(read(v, f"{path}[{i}]") for i, v in enumerate(values))


def _header(document: Any) -> None:
    if not isinstance(document, dict):
        raise _refuse("content", "is not a JSON object")
    if document.get("format") != FORMAT:
        raise _refuse(f"field 'format' {document.get('format')!r}", f"is not {FORMAT!r}",
                      hint="give a model file written by `arrears risk fit`")  # fmt: skip
    if document.get("version") not in UNDERSTOOD:
        raise _refuse(
            f"field 'version' {document.get('version')!r}",
            f"is not understood: this arrears reads version {', '.join(map(str, UNDERSTOOD))}",
            hint="fit the model again with this arrears, or use the arrears that wrote it",
        )
    if "digest" not in document:
        raise _refuse(
            "field 'digest'", "is missing", hint="give the file as `arrears risk fit` wrote it"
        )
    if document["digest"] != digest_of(document):
        raise _refuse(
            "field 'digest'",
            "does not match the content: the file was changed after it was written",
            hint="restore the file as fitted, or fit the model again",
        )


def _read_bin(obj: Any, where: str) -> Bin:
    kind = _get(obj, "kind", str, where)
    if kind not in (RANGE, CATEGORIES, SPECIAL, MISSING):
        raise _refuse(f"field '{where}.kind'", f"{kind!r} is not a kind of bin")
    categories: tuple[str, ...] = ()
    if kind == CATEGORIES:
        categories = _items(obj, "categories", lambda v, w: _get({"c": v}, "c", str, w), where)
    return Bin(
        label=_get(obj, "label", str, where),
        kind=kind,
        count=_get(obj, "count", int, where),
        bads=_get(obj, "bads", int, where),
        woe=_get(obj, "woe", float, where),
        points=_get(obj, "points", float, where),
        categories=categories,
    )


def _special(value: Any, where: str) -> float | str:
    if isinstance(value, str):
        return value
    return _get({"v": value}, "v", float, where)


def _read_characteristic(obj: Any, where: str) -> Characteristic:
    kind = _get(obj, "kind", str, where)
    if kind not in (NUMERIC, CATEGORICAL):
        raise _refuse(
            f"field '{where}.kind'", f"{kind!r} is neither {NUMERIC!r} nor {CATEGORICAL!r}"
        )
    edges = _items(obj, "edges", lambda v, w: _get({"e": v}, "e", float, w), where)
    bins = _items(obj, "bins", _read_bin, where)
    char = Characteristic(
        name=_get(obj, "name", str, where),
        kind=kind,
        edges=edges,
        special_values=_items(obj, "special_values", _special, where),
        bins=bins,
        coefficient=_get(obj, "coefficient", float, where),
        iv=_get(obj, "iv", float, where),
        trend=_get(obj, "trend", str, where),
    )
    _check_shape(char, where)
    return char


def _check_shape(char: Characteristic, where: str) -> None:
    kinds = [b.kind for b in char.bins]
    regular = RANGE if char.kind == NUMERIC else CATEGORIES
    want = len(char.edges) + 1 if char.kind == NUMERIC else max(len(kinds) - 2, 1)
    if kinds != [regular] * want + [SPECIAL, MISSING]:
        raise _refuse(
            f"field '{where}.bins'", f"must be {want} {regular} bins, then special and missing"
        )
    if any(b >= a for a, b in zip(char.edges[1:], char.edges, strict=False)):
        raise _refuse(f"field '{where}.edges'", "must rise strictly")
    if char.kind == NUMERIC and any(isinstance(v, str) for v in char.special_values):
        raise _refuse(
            f"field '{where}.special_values'", "must be numbers for a numeric characteristic"
        )


def _read_training(obj: Any) -> TrainingSummary:
    where = "training"
    iv = _get(obj, "iv", dict, where)
    dropped = _get(obj, "dropped", dict, where)
    return TrainingSummary(
        rows=_get(obj, "rows", int, where),
        bads=_get(obj, "bads", int, where),
        bad_rate=_get(obj, "bad_rate", float, where),
        auc=_get(obj, "auc", float, where),
        ks=_get(obj, "ks", float, where),
        iv={str(k): _get(iv, k, float, "training.iv") for k in iv},
        dropped={str(k): _get(dropped, k, str, "training.dropped") for k in dropped},
    )


def loads(text: str) -> Scorecard:
    """A scorecard from the text of a model file; refused, naming the field, when it cannot be used."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as err:
        raise _refuse("content", f"is not JSON (line {err.lineno}: {err.msg})") from None
    _header(document)
    target = _get(document, "target", dict, "")
    scaling = _get(document, "scaling", dict, "")
    card = Scorecard(
        characteristics=_items(document, "characteristics", _read_characteristic, ""),
        intercept=_get(document, "intercept", float, ""),
        intercept_points=_get(document, "intercept_points", float, ""),
        scaling=Scaling(
            *(_get(scaling, k, float, "scaling") for k in ("pdo", "base_score", "base_odds"))
        ),
        target=Target(*(_get(target, k, str, "target") for k in ("column", "bad", "good"))),
        training=_read_training(_get(document, "training", dict, "")),
        excluded_protected=_items(
            document, "excluded_protected", lambda v, w: _get({"p": v}, "p", str, w), ""
        ),
    )
    names = [c.name for c in card.characteristics]
    if len(set(names)) != len(names):
        raise _refuse("field 'characteristics'", "names a characteristic twice")
    return card
