"""The one table of call outcomes and cause codes.

Every cause code the dialer or a gateway writes on an attempt is here, with
the outcome it counts as and an explanation for the people who read reports.
SIP-style codes keep their SIP numbers; the platform's own start with ``P``.
"""

from dataclasses import dataclass

from django.db import models


class Outcome(models.TextChoices):
    ANSWERED = "answered", "Answered"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    FAILED = "failed", "Failed"


@dataclass(frozen=True)
class Cause:
    code: str
    outcome: Outcome
    title: str
    explanation: str


CAUSES: dict[str, Cause] = {
    cause.code: cause
    for cause in [
        Cause("200", Outcome.ANSWERED, "Answered", "The subscriber answered and the app ran."),
        Cause("486", Outcome.BUSY, "Busy here", "The subscriber's line was busy."),
        Cause("600", Outcome.BUSY, "Busy everywhere", "Every device of the subscriber was busy."),
        Cause("603", Outcome.BUSY, "Declined", "The subscriber rejected the call."),
        Cause("480", Outcome.NO_ANSWER, "Temporarily unavailable", "The phone was switched off or out of coverage."),
        Cause("408", Outcome.NO_ANSWER, "No answer", "The phone rang until the ring timeout and nobody answered."),
        Cause("487", Outcome.NO_ANSWER, "Request terminated", "The call was cancelled while ringing."),
        Cause("404", Outcome.FAILED, "Not found", "The number does not exist."),
        Cause("484", Outcome.FAILED, "Address incomplete", "The number is missing digits."),
        Cause("403", Outcome.FAILED, "Forbidden", "The carrier refused the call, often because of the A-number."),
        Cause("500", Outcome.FAILED, "Server error", "The telephony gateway failed while placing the call."),
        Cause("502", Outcome.FAILED, "Bad gateway", "An upstream carrier returned an invalid answer."),
        Cause("503", Outcome.FAILED, "Service unavailable", "The carrier or the gateway was overloaded or down."),
        Cause(
            "P01",
            Outcome.FAILED,
            "No usable A-number",
            "The campaign's number or every number of its pool was unusable (on hold, no longer yours).",
        ),
        Cause("P02", Outcome.FAILED, "Number on hold", "The A-number is on hold because its package is inactive."),
        Cause(
            "P03",
            Outcome.FAILED,
            "Call lost by a worker",
            "The worker placing the call stopped before reporting a result; the attempt counts as failed "
            "and the contact is retried by the failed-call rule.",
        ),
        Cause(
            "P05",
            Outcome.ANSWERED,
            "Answered, end lost by a worker",
            "The subscriber answered, then the worker stopped before recording the end; the call counts as "
            "answered (its length unknown) and is not repeated as a failed or short call.",
        ),
    ]
}

NO_USABLE_A_NUMBER = "P01"
A_NUMBER_ON_HOLD = "P02"
LOST_BY_WORKER = "P03"
ANSWERED_END_LOST = "P05"
