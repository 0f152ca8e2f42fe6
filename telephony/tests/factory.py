"""The base of every model factory: calling a factory gives its model, for the type checker too."""

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model
from factory.django import DjangoModelFactory

M = TypeVar("M", bound=Model)


class ModelFactory(DjangoModelFactory[M]):
    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory_boy's __new__ is untyped, so mypy would take ``DIDFactory()`` for a DIDFactory;
        # it returns the model. mypy asks __new__ to return the class itself, hence the ignore.
        def __new__(cls, *args: Any, **kwargs: Any) -> M: ...  # type: ignore[misc]
