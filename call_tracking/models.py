"""Call-tracking number pools (SPEC §7, seed 002).

A ``TrackingPool`` belongs to a customer (the API's "group") and holds DIDs
through ``TrackingNumber`` rows. Dynamic number insertion hands a visitor a
number in a ``DNISession``; while the session's hold lasts (``expires_at``)
the number is the visitor's. A number's own ``held_until`` is the end of the
longest hold on it: a number is free when it is in the past, and then it is
also the moment the number was released, which orders the allocation (least
recently released first, never-used numbers before all). ``TrackedCall``
records an incoming call with the attribution of the session(s) that held the
called number at that moment.

Rows change only through ``call_tracking.services``.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

__all__ = [
    "DNISession",
    "ExhaustionPolicy",
    "TrackedCall",
    "TrackingNumber",
    "TrackingPool",
    "TrackingPoolStatus",
]


def new_public_key() -> str:
    # The key sits in the customer's web pages: random, not guessable from ids.
    return secrets.token_urlsafe(18)


class TrackingPoolStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DELETED = "deleted", "Deleted"


class ExhaustionPolicy(models.TextChoices):
    REUSE_OLDEST = "reuse_oldest", "Reuse the least recently active session's number (both marked ambiguous)"
    REPLACE_NOTHING = "replace_nothing", "Replace nothing"


class TrackingPool(models.Model):
    """A pool of tracking numbers of one customer, with its replacement rules and call route."""

    TENANT_LOOKUP = "customer"

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="tracking_pools")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=TrackingPoolStatus.choices, default=TrackingPoolStatus.ACTIVE)
    match_period = models.PositiveIntegerField(help_text="Minutes a session holds its number awaiting a call.")
    quantity = models.PositiveIntegerField(default=0, help_text="How many numbers the pool holds now.")
    phone_number_request = models.JSONField(default=dict, blank=True, help_text="As the pool was provisioned.")
    numbers_to_replace = models.JSONField(default=list, blank=True)
    replace_all_numbers = models.BooleanField(default=False)
    tracking_sources = models.JSONField(default=list, blank=True)
    route_type = models.CharField(max_length=16, default="Basic")
    termination_number = models.CharField(max_length=16, help_text="E.164; calls are forwarded here.")
    exhaustion_policy = models.CharField(
        max_length=16, choices=ExhaustionPolicy.choices, default=ExhaustionPolicy.REUSE_OLDEST
    )
    public_key = models.CharField(max_length=32, unique=True, default=new_public_key, editable=False)
    site_domains = models.JSONField(
        default=list, blank=True, help_text="Web sites (domains) allowed to show this pool's numbers."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The tables were created by the old "pools" app; they keep its names.
        db_table = "pools_trackingpool"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "name"],
                condition=Q(status="active"),
                name="tracking_pool_name_unique_per_customer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=TrackingPoolStatus.values), name="tracking_pool_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(exhaustion_policy__in=ExhaustionPolicy.values), name="tracking_pool_policy_valid"
            ),
            models.CheckConstraint(condition=Q(match_period__gte=1), name="tracking_pool_match_period_positive"),
            models.CheckConstraint(condition=Q(route_type="Basic"), name="tracking_pool_route_basic"),
            models.CheckConstraint(
                condition=Q(termination_number__regex=r"^\+[1-9][0-9]{2,14}$"),
                name="tracking_pool_termination_e164",
            ),
            models.CheckConstraint(
                condition=Q(status="deleted", deleted_at__isnull=False) | Q(status="active", deleted_at__isnull=True),
                name="tracking_pool_deleted_at_iff_deleted",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrackingNumber(models.Model):
    """A DID in a tracking pool. Removed numbers keep their row for the history of calls."""

    TENANT_LOOKUP = "pool__customer"

    pool = models.ForeignKey(TrackingPool, on_delete=models.CASCADE, related_name="numbers")
    did = models.ForeignKey("dids.DID", on_delete=models.PROTECT, related_name="tracking_numbers")
    # The end of the longest hold; in the past (or null: never held) when free.
    held_until = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "pools_trackingnumber"
        ordering = ["pk"]
        constraints = [
            # A DID serves one tracking pool at a time.
            models.UniqueConstraint(fields=["did"], condition=Q(removed_at__isnull=True), name="tracking_number_did"),
        ]
        indexes = [
            # Not on held_until: it changes on every page view, and an indexed
            # column makes each of those updates write a new entry in every
            # index of the row (no HOT update), bloating them by the thousand
            # a minute on a busy pool. A pool's current numbers are found here
            # and sorted in memory: at most a few hundred rows.
            models.Index(fields=["pool"], condition=Q(removed_at__isnull=True), name="tracking_number_current"),
        ]

    def __str__(self) -> str:
        return f"{self.did.number} in {self.pool.name}"


class DNISession(models.Model):
    """One visitor holding one number of a pool (several visitors only when marked ambiguous)."""

    TENANT_LOOKUP = "pool__customer"

    # No single-column indexes on the two keys: the composite indexes below
    # start with them, and every page view rewrites the row in each index.
    pool = models.ForeignKey(TrackingPool, on_delete=models.CASCADE, related_name="sessions", db_index=False)
    number = models.ForeignKey(TrackingNumber, on_delete=models.CASCADE, related_name="sessions", db_index=False)
    visitor_id = models.CharField(max_length=64)
    source = models.CharField(max_length=100, help_text="Which tracking source matched: a search engine or domain.")
    referrer = models.TextField(blank=True)
    landing_url = models.TextField(blank=True)
    url_params = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    page_views = models.PositiveIntegerField(default=1)
    ambiguous = models.BooleanField(default=False, help_text="Its number was shared with another session.")

    class Meta:
        db_table = "pools_dnisession"
        verbose_name = "DNI session"
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["pool", "visitor_id", "expires_at"], name="dni_session_visitor"),
            models.Index(fields=["number", "expires_at"], name="dni_session_number"),
            models.Index(fields=["pool", "started_at"], name="dni_session_pool_started"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gte=models.F("started_at")), name="dni_session_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.visitor_id} on {self.number_id}"


class TrackedCall(models.Model):
    """An incoming call to a tracking number, with its attribution."""

    TENANT_LOOKUP = "pool__customer"

    pool = models.ForeignKey(TrackingPool, on_delete=models.CASCADE, related_name="calls")
    number = models.ForeignKey(TrackingNumber, on_delete=models.CASCADE, related_name="calls")
    called_number = models.CharField(max_length=16)
    caller = models.CharField(max_length=32, blank=True)
    called_at = models.DateTimeField()
    # The session credited (the most recently active of those holding the number), if any.
    session = models.ForeignKey(DNISession, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    sessions = models.ManyToManyField(
        DNISession, blank=True, related_name="candidate_calls", db_table="pools_trackedcall_sessions"
    )
    ambiguous = models.BooleanField(default=False)
    source = models.CharField(max_length=100, blank=True)
    referrer = models.TextField(blank=True)
    landing_url = models.TextField(blank=True)
    url_params = models.JSONField(default=dict, blank=True)
    termination_number = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "pools_trackedcall"
        ordering = ["-called_at", "-pk"]
        indexes = [models.Index(fields=["pool", "called_at"], name="tracked_call_pool_time")]

    def __str__(self) -> str:
        return f"{self.caller} → {self.called_number} at {self.called_at:%Y-%m-%d %H:%M}"

    @property
    def attributed(self) -> bool:
        return self.session_id is not None
