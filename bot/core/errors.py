"""Errors the core raises; each message is written for the person who caused it."""

from __future__ import annotations


class CoreError(Exception):
    """Base class: the message is safe to show to the user."""


class Refused(CoreError):
    """The person may not do this; the message says why."""


class NotFound(CoreError):
    """The thing asked for does not exist (or no longer does)."""


class InvalidInput(CoreError):
    """The request is malformed; the message says what is wrong."""


class PostFailed(CoreError):
    """The platform would not take the post; the delivery is recorded as failed with the reason."""


class PostStateUnknown(CoreError):
    """A platform cannot tell whether an interrupted post reached the channel."""


class NotRecorded(CoreError):
    """The database could not take the write in time; nothing was written and the person may try again."""


class AlreadyHandled(CoreError):
    """A platform's retry of an event whose work is already done: nothing more to do or say."""
