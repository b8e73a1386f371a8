"""Recording a key result's new value and confidence outside a team check-in.

Leaders update the company key results this way; a team may too between check-ins.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from core.htmx import UNPROCESSABLE, is_fragment_request, render_page_or_fragment
from okrs import services
from okrs.forms import RecordForm
from okrs.views import _get_key_result_for_editor, _okr_changed, _okr_page


@login_required
@require_http_methods(["GET", "POST"])
def key_result_record(request: HttpRequest, key_result_id: int) -> HttpResponse:
    key_result = _get_key_result_for_editor(request, key_result_id)
    objective = key_result.objective
    form = RecordForm(
        request.POST or None,
        prefix=f"record{key_result.pk}",
        initial={"value": key_result.current_value, "confidence": key_result.confidence},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_record(
                key_result=key_result,
                value=form.cleaned_data["value"],
                confidence=form.cleaned_data["confidence"],
                comment=form.cleaned_data["comment"],
                author=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _okr_changed(request, objective, f"“{key_result.title}” updated.")
    return render_page_or_fragment(
        request,
        "okrs/key_result_record.html",
        {
            "form": form,
            "kr": key_result,
            "objective": objective,
            "action": request.path,
            "back_url": _okr_page(objective),
            "inline": is_fragment_request(request),
        },
        fragment="record_form",
        status=UNPROCESSABLE if form.errors else 200,
    )
