"""Every write to the DID inventory. Public API (other apps build on these names),
imported from here; the modules are ``lifecycle`` (transitions, errors),
``inventory`` (create, edit, delete), ``usage`` (client packages, assignment,
hold) and ``routing``.

Lifecycle (the one transition function)
    ``transition_refusal(did, to_status, *, via) -> str | None``
        Pure check: why ``did`` may not move to ``to_status`` by ``via``
        (one of ``Via``), or None. Messages name the DID, its status and the rule.
    ``did_transition(*, did, to_status, via=Via.EDIT, user=None, reason="", **fields) -> DID``
        The one place a single DID's status changes: checks, then compare-and-set on the
        status it was read with. Raises ``DIDTransitionError``.
    ``did_transition_many(*, ids, to_status, via, now, user=None, reason="", **fields) -> int``
        The set-based form, for the bulk paths (assignment, release, hold,
        reactivation, hold expiry): one compare-and-set on ``allowed_from(to_status, via)``,
        the statuses the same table lets reach ``to_status`` by ``via``; the others are left.
        The administrators' bulk edit locks its rows and checks each with ``transition_refusal``.

Creating and editing
    ``did_create_many(*, specs, operator, status=DIDStatus.IN_STOCK, after_hold_status=DIDStatus.IN_STOCK,
    tag="", notes="", user=None) -> DIDCreateResult`` (``.created``/``.existing`` E.164 lists)
        ``specs`` is text or a list of numbers / ranges (``dids.numbers.parse_specs``).
        Raises ``NumberError`` (bad spec) or ``DIDError``; nothing is written then.
    ``did_update(*, did, user=None, **fields) -> DID`` single edit; a status
        change goes through the transition.
    ``did_bulk_update(*, dids, changes, user=None) -> int`` all-or-nothing:
        raises ``DIDBulkError`` (``.refusals``: list of messages) and changes nothing
        when any selected DID refuses.
    ``did_delete(*, did)`` and ``did_delete_many(*, dids)`` refused for Assigned and Hold.
    ``operator_get_or_create(*, name) -> (Operator, created)``

Customers' use
    ``client_package_create(*, customer, package, active=True, starts_on=None, ends_on=None)``
    ``client_package_save(*, client_package) -> ClientPackage`` a new or changed one (the admin's forms).
    ``client_package_dates_refusal(starts_on, ends_on) -> str | None`` the dates rule, for forms.
    ``client_package_room(client_package) -> int`` free slots now.
    ``did_assign_many(*, dids, client_package, user=None) -> list[DID]``
        In Stock / Reserved → Assigned. The client package row is locked
        (``select_for_update``) while its room and tags are checked, and every
        DID is taken by compare-and-set, so of two concurrent assignments of the
        last slot or of the same DID exactly one wins; the loser gets
        ``DIDError`` and nothing changes.
    ``did_assign(*, did, client_package, user=None) -> DID``
    ``did_provision(*, customer, quantity, iso_country, number_type, area_code="",
    locality="", tag=None, user=None) -> list[DID]`` picks ``quantity`` matching
        In Stock DIDs (skipping rows locked by others) and assigns them under an
        active client package of ``customer`` with room. Raises ``DIDError``
        (not enough numbers / no room), nothing changed. For call tracking.
    ``did_release(*, did, user=None) -> DID`` Assigned → In Stock.
    ``did_release_many(*, dids, user=None) -> int``
    ``client_package_deactivate(*, client_package, user=None) -> int``
        Assigned DIDs → Hold until now + package.hold_days.
    ``client_package_activate(*, client_package, user=None) -> int``
        Hold DIDs whose hold has not ended → Assigned.
    ``did_expire_holds(*, now=None) -> int`` Hold DIDs whose hold ended → their
        after-hold status, freed from the customer (run by the periodic task).

Routing
    ``did_route(number) -> DIDRoute`` with ``.kind`` in ``Route.CUSTOMER``
    ("route to customer"), ``Route.UNREACHABLE`` (Hold), ``Route.UNKNOWN``;
    ``.did`` and ``.customer`` when known.

History: every write leaves a django-simple-history row (``DID.history``) with
the user and a change reason; set-based updates write them with
``bulk_history_create``.
"""

from dids.numbers import NumberError
from dids.services.inventory import (
    DIDCreateResult,
    did_bulk_update,
    did_create_many,
    did_delete,
    did_delete_many,
    did_update,
    operator_get_or_create,
)
from dids.services.lifecycle import (
    DIDBulkError,
    DIDError,
    DIDTransitionError,
    Via,
    allowed_from,
    did_transition,
    did_transition_many,
    transition_refusal,
)
from dids.services.routing import (
    DIDRoute,
    Route,
    did_route,
)
from dids.services.usage import (
    client_package_activate,
    client_package_create,
    client_package_dates_refusal,
    client_package_deactivate,
    client_package_room,
    client_package_save,
    client_package_used,
    did_assign,
    did_assign_many,
    did_expire_holds,
    did_provision,
    did_release,
    did_release_many,
)

__all__ = [
    "DIDBulkError",
    "DIDCreateResult",
    "DIDError",
    "DIDRoute",
    "DIDTransitionError",
    "NumberError",
    "Route",
    "Via",
    "allowed_from",
    "client_package_activate",
    "client_package_create",
    "client_package_dates_refusal",
    "client_package_deactivate",
    "client_package_room",
    "client_package_save",
    "client_package_used",
    "did_assign",
    "did_assign_many",
    "did_bulk_update",
    "did_create_many",
    "did_delete",
    "did_delete_many",
    "did_expire_holds",
    "did_provision",
    "did_release",
    "did_release_many",
    "did_route",
    "did_transition",
    "did_transition_many",
    "did_update",
    "operator_get_or_create",
    "transition_refusal",
]
