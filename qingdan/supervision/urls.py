from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.board, name="board"),
    path("notices/issue/", views.issue_notice, name="notice-issue"),
    path("notices/<int:pk>/reply/", views.reply_notice, name="notice-reply"),
    path("key-cases/assign/", views.assign_leader, name="key-case-assign"),
    path("key-cases/<int:pk>/release/", views.release_key_case, name="key-case-release"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting-agenda"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/decisions/", views.meeting_decision, name="meeting-decision"),
    path("decisions/<int:pk>/done/", views.decision_done, name="decision-done"),
]
