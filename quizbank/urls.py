"""URLs of the authoring area, under /authoring/."""

from django.urls import URLPattern, URLResolver, path

from quizbank.views import analysis, authoring, images, imports, review

urlpatterns: list[URLPattern | URLResolver] = [
    path("", authoring.question_list, name="authoring-home"),
    path("questions/new/", authoring.question_create, name="authoring-question-new"),
    path("questions/<id:pk>/", review.question_detail, name="authoring-question"),
    path("questions/<id:pk>/edit/", authoring.question_edit, name="authoring-question-edit"),
    path(
        "questions/<id:pk>/preview/",
        authoring.question_preview,
        name="authoring-question-preview",
    ),
    path("questions/<id:pk>/submit/", review.question_submit, name="authoring-question-submit"),
    path(
        "questions/<id:pk>/request-changes/",
        review.question_request_changes,
        name="authoring-question-request-changes",
    ),
    path("questions/<id:pk>/publish/", review.question_publish, name="authoring-question-publish"),
    path("questions/<id:pk>/retire/", review.question_retire, name="authoring-question-retire"),
    path(
        "questions/<id:pk>/request-retirement/",
        review.question_request_retirement,
        name="authoring-question-request-retirement",
    ),
    path(
        "questions/<id:pk>/decline-retirement/",
        review.question_decline_retirement,
        name="authoring-question-decline-retirement",
    ),
    path("questions/<id:pk>/comments/", review.question_comment, name="authoring-question-comment"),
    path("questions/<id:pk>/images/", images.question_image_add, name="authoring-image-add"),
    path(
        "questions/<id:pk>/images/<id:image_pk>/remove/",
        images.question_image_remove,
        name="authoring-image-remove",
    ),
    path(
        "questions/<id:pk>/decision/override/",
        review.question_decision_override,
        name="authoring-question-decision-override",
    ),
    path(
        "questions/<id:pk>/decision/fill/",
        review.question_decision_fill,
        name="authoring-question-decision-fill",
    ),
    path(
        "questions/<id:pk>/analysis/",
        analysis.question_analysis,
        name="authoring-question-analysis",
    ),
    path("analysis/", analysis.item_analysis, name="authoring-item-analysis"),
    path("analysis.csv", analysis.item_analysis_csv, name="authoring-item-analysis-csv"),
    path("review/", review.review_queue, name="authoring-review-queue"),
    path(
        "reports/<id:pk>/resolve/",
        review.problem_report_resolve,
        name="authoring-report-resolve",
    ),
    path("import/", imports.import_upload, name="authoring-import"),
]
