from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and schools"

    def ready(self) -> None:
        from notifications.delivery import headteacher_panel

        from .models import Role
        from .views.home import register_panel

        register_panel(Role.HEADTEACHER, headteacher_panel)
