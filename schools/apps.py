from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    name = "schools"
    verbose_name = "Реестр"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from simple_history.signals import pre_create_historical_record

        from . import audit, history

        user_logged_in.connect(audit.on_login, dispatch_uid="audit-login")
        user_login_failed.connect(audit.on_login_failed, dispatch_uid="audit-failed")
        user_locked_out.connect(audit.on_locked_out, dispatch_uid="audit-lockout")
        pre_create_historical_record.connect(
            history.copy_changes, dispatch_uid="history-changes"
        )
