from customers.tests.tenancy_walker import MARKER, alice_object


@alice_object("entry_id")
def alice_dnc_entry(alice) -> int:
    from dnc.services import dnc_add

    entry, _ = dnc_add(customer=alice, number="+447911123456", source="api", comment=MARKER)
    return entry.pk


@alice_object("upload_id")
def alice_dnc_upload(alice) -> int:
    from dnc.models import DncUpload
    from telephony.imports.models import ImportJob

    job = ImportJob.objects.create(kind="dnc", customer=alice, original_filename=f"{MARKER}.csv", status="done")
    return DncUpload.objects.create(job=job).pk
