from django.apps import AppConfig


class LibConfig(AppConfig):
    """Shared helpers with no models of their own; installed only so that what they add to
    Django itself is registered before any query runs."""

    name = "remis.lib"
    label = "lib"

    def ready(self) -> None:
        from remis.lib import lookups  # noqa: F401  (registers `field__among`)
        from remis.lib.digits import read_arabic_indic_digits, type_numbers_as_text

        read_arabic_indic_digits()
        type_numbers_as_text()
