"""What every app's forms share."""

import copy

from django import forms


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
