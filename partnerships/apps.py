from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Партнёрство"

    def ready(self) -> None:
        from schools.home import register_school_links

        from .home import school_links

        # The gradation is reached from the identification dashboard; the menu
        # gets «Партнёрство» when partnerships themselves arrive.
        register_school_links(school_links)
