from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        # The transition tables register themselves (schools.workflow.REGISTRY).
        # The registry (schools) shows monitoring's menu, home panel and demo
        # through these hooks, never by importing monitoring itself.
        from schools.demo import register_demo
        from schools.home import (
            register_nav_item,
            register_panel,
            register_related_pages,
        )

        from . import workflows  # noqa: F401
        from .demo import (
            drop_monitoring,
            generate_monitoring,
            load_lesosibirsk_monitoring,
        )
        from .home import campaigns_panel, nav_item, related_pages

        register_panel(campaigns_panel)
        register_nav_item(nav_item, order=10)
        register_related_pages(related_pages, order=20)
        register_demo(
            loader=load_lesosibirsk_monitoring,
            filler=generate_monitoring,
            dropper=drop_monitoring,
        )
