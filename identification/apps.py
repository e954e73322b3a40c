from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "Выявление ШНОР/ШНСУ"

    def ready(self) -> None:
        from schools import inbox
        from schools.demo import register_demo
        from schools.home import (
            register_nav_item,
            register_panel,
            register_related_pages,
        )

        from .demo import drop_runs, load_identification_demo
        from .home import LIST_TASK, nav_item, related_pages, runs_panel

        register_nav_item(nav_item, order=20)
        register_panel(runs_panel)
        register_related_pages(related_pages, order=10)
        inbox.register(LIST_TASK)
        register_demo(loader=load_identification_demo, dropper=drop_runs)
