from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "cohortnet.users"
    label = "users"
    verbose_name = "People"
