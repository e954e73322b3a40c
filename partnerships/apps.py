from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Партнёрство"

    def ready(self) -> None:
        # The transition tables register themselves (schools.workflow.REGISTRY).
        from schools import inbox
        from schools.demo import register_demo
        from schools.home import (
            register_nav_item,
            register_panel,
            register_related_pages,
            register_school_links,
        )

        from . import workflows  # noqa: F401
        from .demo import drop_partnerships, load_partnerships_demo
        from .home import (
            PARTNER_TASK,
            nav_item,
            partnerships_panel,
            related_pages,
            school_links,
        )

        register_nav_item(nav_item, order=35)
        register_school_links(school_links)
        register_related_pages(related_pages, order=30)
        register_panel(partnerships_panel)
        inbox.register(PARTNER_TASK)
        register_demo(loader=load_partnerships_demo, dropper=drop_partnerships)
        # Roadmaps' target indicators count partnerships and exchange events.
        from roadmaps.indicators import register_source

        from .indicators import events_per_partnership, partnerships_count

        register_source(
            "partnerships", "Число партнёрских пар школ", "пар", partnerships_count
        )
        register_source(
            "exchange_events",
            "Мероприятия обмена опытом в партнёрствах (в среднем на пару)",
            "шт.",
            events_per_partnership,
        )
