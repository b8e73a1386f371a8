"""What happened, told to whoever listens, inside the write's own transaction.

A service in a lower app (`okrs`, `checkins`) says what happened with `emit(...)`; an app
above it (`webhooks`) listens with `subscribe(...)` from its `AppConfig.ready()`. The
layers stay one way: the emitter imports only `core`, never its listeners. Listeners run
synchronously, in the caller's transaction, so what they write (an outbox row) commits
or rolls back with the change it describes; they must not do slow work (no network).
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Any


class Event(StrEnum):
    """The things other systems may hear of (the webhooks' event types)."""

    OBJECTIVE_SUBMITTED = "objective.submitted"
    OBJECTIVE_CHALLENGED = "objective.challenged"
    OBJECTIVE_COMMITTED = "objective.committed"
    KEY_RESULT_VALUE_RECORDED = "key_result.value_recorded"
    CHECKIN_SUBMITTED = "checkin.submitted"
    HELP_REQUESTED = "help.requested"
    HELP_ANSWERED = "help.answered"
    CYCLE_REVIEW_STARTED = "cycle.review_started"
    CYCLE_CLOSED = "cycle.closed"


Listener = Callable[..., Any]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """`listener(event, **subjects)` hears every event from now on (once, however often
    an app's `ready()` runs)."""
    if listener not in _listeners:
        _listeners.append(listener)


def emit(event: Event, **subjects: Any) -> None:
    """Tell the listeners that `event` happened to `subjects` (model instances), in the
    caller's transaction: a listener's error rolls the write back, as any error would."""
    for listener in _listeners:
        listener(event, **subjects)
