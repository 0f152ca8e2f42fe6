"""The one error the import engine raises for a file or a markup it cannot use."""


class ImportFileError(ValueError):
    """A file that cannot be imported, with a message meant for the person who uploaded it."""
