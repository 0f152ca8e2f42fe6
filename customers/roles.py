"""The staff groups the product ships with."""

from django.contrib.auth.models import Group, Permission

OPS_GROUP = "Ops"
# Ops staff upload DID inventories and number pools through the admin.
# Permissions of models that do not exist yet are skipped: each migrate
# brings the group up to date with the models the apps have by then.
OPS_PERMISSIONS = [
    ("dids", "view_operator"),
    ("dids", "view_did"),
    ("dids", "add_did"),
    ("dids", "change_did"),
    ("dids", "view_package"),
    ("callerid_pools", "view_numberpool"),
    ("callerid_pools", "add_numberpool"),
    ("callerid_pools", "change_numberpool"),
    ("callerid_pools", "view_numberpoolmember"),
    ("callerid_pools", "add_numberpoolmember"),
    ("callerid_pools", "change_numberpoolmember"),
    ("callerid_pools", "delete_numberpoolmember"),
    ("customers", "view_customer"),
]


def ensure_ops_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=OPS_GROUP)
    wanted = Permission.objects.none()
    for app_label, codename in OPS_PERMISSIONS:
        wanted |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*wanted)
    return group
