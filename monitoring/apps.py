from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        from schools.home import register_nav_item, register_panel

        from .home import campaigns_panel, nav_item

        register_panel(campaigns_panel)

        from schools.demo import register_demo

        from .demo import (
            drop_monitoring,
            generate_monitoring,
            load_lesosibirsk_monitoring,
        )

        register_demo(
            loader=load_lesosibirsk_monitoring, filler=generate_monitoring,
            dropper=drop_monitoring,
        )
        register_nav_item(nav_item, order=10)
