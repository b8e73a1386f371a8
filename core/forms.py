"""What every app's forms share."""

import copy

from django import forms
from django.core.exceptions import ValidationError


def rebase_form(form, form_class, current, *, version: int | None = None, **kwargs):
    """After a stale edit: the editor's values on top of the current version
    (`current.version` unless given), in the same prefix, so saving again is a
    deliberate overwrite and the page can show what is saved beside them."""
    data = form.data.copy()
    data[form.add_prefix("version")] = current.version if version is None else version
    if issubclass(form_class, forms.ModelForm):
        # A copy: validating the form writes the editor's values into its instance,
        # and `current` must keep showing what is saved.
        kwargs["instance"] = copy.copy(current)
    return form_class(data, prefix=form.prefix, **kwargs)


def add_errors(form, error: ValidationError, *, field: str | None = None) -> None:
    """A service's refusal on the form: messages keyed by a field of the form go beside
    it, the rest (and plain messages, unless `field` is given) above the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(field, error)
