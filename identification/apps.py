from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "Выявление ШНОР/ШНСУ"

    def ready(self) -> None:
        from schools import inbox
        from schools.demo import register_demo
        from schools.home import register_nav_item, register_panel

        from .demo import drop_runs, load_identification_demo
        from .home import LIST_TASK, nav_item, runs_panel

        register_nav_item(nav_item, order=20)
        register_panel(runs_panel)
        inbox.register(LIST_TASK)
        register_demo(loader=load_identification_demo, dropper=drop_runs)
