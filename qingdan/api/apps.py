from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "qingdan.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        # Imported here: models load after the app registry.
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save
        from rest_framework.authtoken.models import Token

        from .authentication import forget_tokens, forget_user

        user_model = get_user_model()

        def token_changed(sender, instance, **kwargs):
            forget_tokens([instance.key])

        def account_saved(sender, instance, update_fields=None, **kwargs):
            if update_fields is not None and set(update_fields) <= {"last_login"}:
                return  # a log-in changes nothing the API checks
            forget_user(instance.pk)

        def account_rights_changed(sender, instance, model, pk_set, **kwargs):
            if not kwargs["action"].startswith("post_"):
                return
            if isinstance(instance, user_model):
                forget_user(instance.pk)
            else:  # changed from the group's (or permission's) side
                for user_id in pk_set or ():
                    forget_user(user_id)

        # The cached account of a token is forgotten as soon as it changes here
        # (qingdan.api.authentication); weak=False: the receivers are closures.
        post_delete.connect(token_changed, sender=Token, weak=False, dispatch_uid="api-token-d")
        post_save.connect(token_changed, sender=Token, weak=False, dispatch_uid="api-token-s")
        post_save.connect(account_saved, sender=user_model, weak=False, dispatch_uid="api-user")
        for through in (user_model.groups.through, user_model.user_permissions.through):
            m2m_changed.connect(
                account_rights_changed,
                sender=through,
                weak=False,
                dispatch_uid=f"api-user-{through.__name__}",
            )
