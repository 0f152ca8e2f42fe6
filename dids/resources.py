"""The columns of a DID export (django-import-export), for the admin and the dashboard."""

from import_export import fields, resources

from dids.models import CLASSIFICATION_FIELDS, DID


class DIDResource(resources.ModelResource):
    """Every column an administrator sees; staff exports include the customer."""

    operator = fields.Field(attribute="operator__name", column_name="operator")
    status = fields.Field(column_name="status")
    after_hold_status = fields.Field(column_name="after_hold")
    number_type = fields.Field(column_name="number_type")
    customer = fields.Field(attribute="customer__name", column_name="customer")

    class Meta:
        model = DID
        fields: tuple[str, ...] = (
            "number",
            "operator",
            "status",
            "after_hold_status",
            "tag",
            "notes",
            "customer",
            *CLASSIFICATION_FIELDS,
            "hold_ends_at",
            "created_at",
        )
        export_order = fields

    def dehydrate_status(self, did: DID) -> str:
        return did.get_status_display()

    def dehydrate_after_hold_status(self, did: DID) -> str:
        return did.get_after_hold_status_display()

    def dehydrate_number_type(self, did: DID) -> str:
        return did.get_number_type_display()


class CustomerDIDResource(DIDResource):
    """What a customer may see of its own numbers: no operator, notes or stock details."""

    class Meta(DIDResource.Meta):
        fields = ("number", "status", "tag", "iso_country", "number_type", "area_code", "locality", "hold_ends_at")
        export_order = fields
