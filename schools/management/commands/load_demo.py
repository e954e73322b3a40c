from django.core.management.base import BaseCommand

from schools.demo import DEMO_PASSWORD, load_lesosibirsk


class Command(BaseCommand):
    help = "Загрузить демонстрационный муниципалитет (Лесосибирск); повторный запуск ничего не меняет."

    def handle(self, *args: object, **options: object) -> None:
        created = load_lesosibirsk()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо-данные готовы: создано школ — {created['schools']}, "
                f"пользователей — {created['users']}. Пароль всех демо-пользователей: "
                f"{DEMO_PASSWORD}"
            )
        )
