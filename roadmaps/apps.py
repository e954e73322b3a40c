from django.apps import AppConfig


class RoadmapsConfig(AppConfig):
    name = "roadmaps"
    verbose_name = "Дорожные карты"

    def ready(self) -> None:
        # The transition tables register themselves (schools.workflow.REGISTRY).
        from schools import inbox
        from schools.demo import register_demo
        from schools.home import (
            register_nav_item,
            register_related_pages,
            register_school_links,
        )

        from . import workflows  # noqa: F401
        from .demo import drop_roadmaps, load_roadmaps_demo
        from .home import ITEM_TASK, nav_item, related_pages, school_links

        register_nav_item(nav_item, order=40)
        inbox.register(ITEM_TASK)
        register_school_links(school_links)
        register_related_pages(related_pages, order=40)
        register_demo(loader=load_roadmaps_demo, dropper=drop_roadmaps)
