"""The server's settings: the defaults live here and nowhere else.

Settings arrive as camelCase JSON from two places, ``initializationOptions`` and
``workspace/configuration`` (section ``bytelens``). A value of the wrong type or out of range is
dropped with a warning, so one typo in an editor's configuration never stops the server.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Optional

#: The configuration section the client is asked for.
SECTION = "bytelens"

#: Upper bounds that keep a single trace's JSON and the worker within reason.
MAX_STEPS_LIMIT = 1_000_000
TIME_LIMIT_LIMIT = 600.0
MEMORY_LIMIT_RANGE = (64, 65_536)


@dataclass(frozen=True)
class Settings:
    max_steps: int = 10_000
    time_limit: float = 5.0
    memory_limit: int = 512
    compare_with_cpython: bool = False
    code_lens: bool = True


def _positive_int(upper: int) -> Callable[[Any], Optional[int]]:
    def check(value: Any) -> Optional[int]:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            return None
        return int(value) if 1 <= value <= upper else None
    return check


def _seconds(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if 0 < value <= TIME_LIMIT_LIMIT else None


def _megabytes(value: Any) -> Optional[int]:
    low, high = MEMORY_LIMIT_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        return None
    return int(value) if low <= value <= high else None


def _flag(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


#: JSON key -> (field name, validator returning the value or None when invalid, what is expected).
_KEYS: dict[str, tuple[str, Callable[[Any], Any], str]] = {
    "maxSteps": ("max_steps", _positive_int(MAX_STEPS_LIMIT), f"an integer from 1 to {MAX_STEPS_LIMIT}"),
    "timeLimit": ("time_limit", _seconds, f"a number of seconds above 0, at most {TIME_LIMIT_LIMIT:g}"),
    "memoryLimit": ("memory_limit", _megabytes,
                    f"a number of megabytes from {MEMORY_LIMIT_RANGE[0]} to {MEMORY_LIMIT_RANGE[1]}"),
    "compareWithCPython": ("compare_with_cpython", _flag, "true or false"),
    "codeLens": ("code_lens", _flag, "true or false"),
}


def section_of(options: Any) -> dict:
    """The ``bytelens`` part of what a client sent: either the section itself or an object holding it."""
    if not isinstance(options, dict):
        return {}
    inner = options.get(SECTION)
    if isinstance(inner, dict):
        return inner
    return options


def apply_settings(current: Settings, options: Any) -> tuple[Settings, list[str]]:
    """``current`` updated with the known keys of ``options``; also the warnings about bad values.

    Unknown keys are ignored (editors send their own keys in the same section); a ``null`` value
    restores the default.
    """
    data = section_of(options)
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    defaults = Settings()
    for key, (name, validate, expected) in _KEYS.items():
        if key not in data:
            continue
        value = data[key]
        if value is None:
            changes[name] = getattr(defaults, name)
            continue
        checked = validate(value)
        if checked is None:
            warnings.append(f"bytelens setting {key!r} should be {expected}, not {value!r}; "
                            f"keeping {getattr(current, name)!r}")
        else:
            changes[name] = checked
    return replace(current, **changes), warnings
