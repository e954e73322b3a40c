from django.core.management.base import BaseCommand

from schools.demo import DEMO_PASSWORD, load_all_demo


class Command(BaseCommand):
    help = "Загрузить демонстрационный муниципалитет (Лесосибирск); повторный запуск ничего не меняет."

    def handle(self, *args: object, **options: object) -> None:
        created = load_all_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы: создано школ — {created['schools']}, "
                f"пользователей — {created['users']}, отчётов — {created['reports']}. "
                "Пароль всех демо-пользователей: "
                f"{DEMO_PASSWORD}"
            )
        )
