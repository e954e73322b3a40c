from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Мониторинг"

    def ready(self) -> None:
        from schools.home import register_nav_item, register_panel

        from .home import campaigns_panel, nav_item

        register_panel(campaigns_panel)
        register_nav_item(nav_item, order=10)
