from django.urls import path

from okrs import record_views, review_views, team_views, views

app_name = "okrs"

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/new/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:cycle_id>/edit/", views.cycle_edit, name="cycle-edit"),
    path("cycles/<int:cycle_id>/activate/", views.cycle_activate, name="cycle-activate"),
    path("cycles/<int:cycle_id>/close/", views.cycle_close, name="cycle-close"),
    path(
        "cycles/<int:cycle_id>/review/", review_views.cycle_review_start, name="cycle-review-start"
    ),
    path("cycles/<int:cycle_id>/print/", review_views.cycle_print, name="cycle-print"),
    path(
        "cycles/<int:cycle_id>/export.csv", review_views.cycle_export_csv, name="cycle-export-csv"
    ),
    path(
        "cycles/<int:cycle_id>/export.json",
        review_views.cycle_export_json,
        name="cycle-export-json",
    ),
    path(
        "objectives/<int:objective_id>/review/",
        review_views.objective_review,
        name="objective-review",
    ),
    path(
        "objectives/<int:objective_id>/retrospective/",
        review_views.retrospective_edit,
        name="retrospective-edit",
    ),
    path(
        "objectives/<int:objective_id>/carry-forward/",
        review_views.objective_carry_forward,
        name="objective-carry-forward",
    ),
    path(
        "objectives/<int:objective_id>/history/",
        review_views.objective_history,
        name="objective-history",
    ),
    path(
        "key-results/<int:key_result_id>/score/",
        review_views.key_result_score,
        name="key-result-score",
    ),
    path(
        "key-results/<int:key_result_id>/history/",
        review_views.key_result_history,
        name="key-result-history",
    ),
    path(
        "cycles/<int:cycle_id>/objective/new/",
        views.company_objective_create,
        name="company-objective-create",
    ),
    path("objectives/<int:objective_id>/edit/", views.objective_edit, name="objective-edit"),
    path(
        "objectives/<int:objective_id>/key-results/new/",
        views.key_result_create,
        name="key-result-create",
    ),
    path(
        "objectives/<int:objective_id>/accept/",
        team_views.team_objective_accept,
        name="team-objective-accept",
    ),
    path(
        "objectives/<int:objective_id>/decline/",
        team_views.team_objective_decline,
        name="team-objective-decline",
    ),
    path(
        "objectives/<int:objective_id>/submit/",
        team_views.team_objective_submit,
        name="team-objective-submit",
    ),
    path(
        "objectives/<int:objective_id>/challenge/",
        team_views.team_objective_challenge,
        name="team-objective-challenge",
    ),
    path(
        "objectives/<int:objective_id>/commit/",
        team_views.team_objective_commit,
        name="team-objective-commit",
    ),
    path(
        "objectives/<int:objective_id>/comments/",
        team_views.comment_create,
        name="comment-create",
    ),
    path("key-results/<int:key_result_id>/edit/", views.key_result_edit, name="key-result-edit"),
    path(
        "key-results/<int:key_result_id>/delete/",
        views.key_result_delete,
        name="key-result-delete",
    ),
    path("key-results/<int:key_result_id>/move/", views.key_result_move, name="key-result-move"),
    path(
        "key-results/<int:key_result_id>/record/",
        record_views.key_result_record,
        name="key-result-record",
    ),
    path("teams/", team_views.team_list, name="team-list"),
    path("teams/<slug:slug>/", team_views.team_detail, name="team-detail"),
    path(
        "teams/<slug:slug>/objective/new/",
        team_views.team_objective_create,
        name="team-objective-create",
    ),
]
