"""Deactivating a person ends their sessions, however it is done (the admin, a
service, the shell): the save of `is_active=False` deletes them and writes the audit log."""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from teams.audit import audit_record
from teams.models import AuditEvent, User
from teams.sso.services import sessions_end


@receiver(pre_save, sender=User)
def _remember_active(sender, instance: User, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        instance._was_active = None
        return
    instance._was_active = (
        User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    )


@receiver(post_save, sender=User)
def _deactivated(sender, instance: User, created: bool, **kwargs) -> None:
    if created or instance.is_active or not getattr(instance, "_was_active", None):
        return
    ended = sessions_end(user=instance)
    audit_record(
        actor=None,
        action=AuditEvent.Action.DEACTIVATED,
        subject=f"{instance.email}: {ended} session(s) ended",
    )
