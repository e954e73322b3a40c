from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Партнёрство"

    def ready(self) -> None:
        from schools.home import register_nav_item, register_school_links

        from .home import nav_item, school_links

        register_nav_item(nav_item, order=30)
        register_school_links(school_links)
