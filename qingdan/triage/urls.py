from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("warnings/", views.warnings_list, name="warnings"),
    path("hot-terms/", views.hot_terms, name="hot-terms"),
    path("hot-terms/<int:pk>/", views.hot_term_edit, name="hot-term"),
    path("hot-issues/", views.hot_issues, name="hot-issues"),
    path("topics/", views.topics, name="topics"),
    path("topics/new/", views.topic_create, name="topic-create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("suggest/", views.suggest, name="suggest"),
    path("cases/<int:pk>/related/", views.related, name="related"),
    path("cases/<int:pk>/merge/", views.merge, name="merge"),
    path("cases/<int:pk>/link/", views.link, name="link"),
]
