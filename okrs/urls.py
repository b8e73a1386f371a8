from django.urls import path

from okrs import views

app_name = "okrs"

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:cycle_id>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:cycle_id>/activate/", views.cycle_activate, name="cycle-activate"),
    path("cycles/<int:cycle_id>/close/", views.cycle_close, name="cycle-close"),
    path(
        "cycles/<int:cycle_id>/objective/new/",
        views.company_objective_create,
        name="company-objective-create",
    ),
    path(
        "objectives/<int:objective_id>/edit/",
        views.company_objective_edit,
        name="company-objective-edit",
    ),
    path(
        "objectives/<int:objective_id>/key-results/new/",
        views.key_result_create,
        name="key-result-create",
    ),
    path("key-results/<int:key_result_id>/", views.key_result_detail, name="key-result-detail"),
    path("key-results/<int:key_result_id>/edit/", views.key_result_edit, name="key-result-edit"),
    path(
        "key-results/<int:key_result_id>/delete/",
        views.key_result_delete,
        name="key-result-delete",
    ),
    path("key-results/<int:key_result_id>/move/", views.key_result_move, name="key-result-move"),
]
