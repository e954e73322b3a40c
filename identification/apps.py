from django.apps import AppConfig


class IdentificationConfig(AppConfig):
    name = "identification"
    verbose_name = "Выявление ШНОР/ШНСУ"

    def ready(self) -> None:
        from schools.demo import register_demo
        from schools.home import register_nav_item, register_panel

        from .demo import drop_runs, load_identification_demo
        from .home import nav_item, runs_panel

        register_nav_item(nav_item, order=20)
        register_panel(runs_panel)
        register_demo(loader=load_identification_demo, dropper=drop_runs)
