from django.urls import path

from okrs.views import coach, cycles, key_results, objectives, reviews, team_objectives

app_name = "okrs"

urlpatterns = [
    path("cycles/", cycles.cycle_list, name="cycle-list"),
    path("cycles/new/", cycles.cycle_create, name="cycle-create"),
    path("cycles/<int:cycle_id>/", cycles.cycle_detail, name="cycle-detail"),
    path("cycles/<int:cycle_id>/edit/", cycles.cycle_edit, name="cycle-edit"),
    path("cycles/<int:cycle_id>/activate/", cycles.cycle_activate, name="cycle-activate"),
    path("cycles/<int:cycle_id>/close/", cycles.cycle_close, name="cycle-close"),
    path("cycles/<int:cycle_id>/review/", cycles.cycle_review_start, name="cycle-review-start"),
    path(
        "cycles/<int:cycle_id>/objective/new/",
        objectives.company_objective_create,
        name="company-objective-create",
    ),
    path("objectives/<int:objective_id>/edit/", objectives.objective_edit, name="objective-edit"),
    path(
        "objectives/<int:objective_id>/review/", reviews.objective_review, name="objective-review"
    ),
    path(
        "objectives/<int:objective_id>/retrospective/",
        reviews.retrospective_edit,
        name="retrospective-edit",
    ),
    path(
        "objectives/<int:objective_id>/carry-forward/",
        reviews.objective_carry_forward,
        name="objective-carry-forward",
    ),
    path(
        "objectives/<int:objective_id>/history/",
        reviews.objective_history,
        name="objective-history",
    ),
    path(
        "objectives/<int:objective_id>/key-results/new/",
        key_results.key_result_create,
        name="key-result-create",
    ),
    path(
        "objectives/<int:objective_id>/accept/",
        team_objectives.team_objective_accept,
        name="team-objective-accept",
    ),
    path(
        "objectives/<int:objective_id>/decline/",
        team_objectives.team_objective_decline,
        name="team-objective-decline",
    ),
    path(
        "objectives/<int:objective_id>/submit/",
        team_objectives.team_objective_submit,
        name="team-objective-submit",
    ),
    path(
        "objectives/<int:objective_id>/challenge/",
        team_objectives.team_objective_challenge,
        name="team-objective-challenge",
    ),
    path(
        "objectives/<int:objective_id>/commit/",
        team_objectives.team_objective_commit,
        name="team-objective-commit",
    ),
    path(
        "objectives/<int:objective_id>/comments/",
        team_objectives.comment_create,
        name="comment-create",
    ),
    path(
        "key-results/<int:key_result_id>/score/", reviews.key_result_score, name="key-result-score"
    ),
    path(
        "key-results/<int:key_result_id>/history/",
        reviews.key_result_history,
        name="key-result-history",
    ),
    path(
        "key-results/<int:key_result_id>/edit/",
        key_results.key_result_edit,
        name="key-result-edit",
    ),
    path(
        "key-results/<int:key_result_id>/delete/",
        key_results.key_result_delete,
        name="key-result-delete",
    ),
    path(
        "key-results/<int:key_result_id>/move/",
        key_results.key_result_move,
        name="key-result-move",
    ),
    path(
        "key-results/<int:key_result_id>/record/",
        key_results.key_result_record,
        name="key-result-record",
    ),
    path("objectives/<int:objective_id>/coach/", coach.coach_findings, name="coach-findings"),
    path(
        "objectives/<int:objective_id>/coach/dismiss/",
        coach.coach_dismiss,
        name="coach-dismiss",
    ),
    path("coach/", coach.coach_draft, name="coach-draft"),
    path("help/writing-okrs/", coach.writing_help, name="writing-help"),
    path("teams/", team_objectives.team_list, name="team-list"),
    path(
        "teams/<slug:slug>/objective/new/",
        team_objectives.team_objective_create,
        name="team-objective-create",
    ),
]
