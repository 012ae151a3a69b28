"""Official documents, mounted at /documents/."""

from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("print/", views.batch, name="batch"),
    path("new/<str:subject>/<int:pk>/<str:kind>/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/service/", views.service, name="service"),
    path("<int:pk>/correct/", views.correct, name="correct"),
    path("<int:pk>/services/<int:service_pk>/proof/", views.proof, name="proof"),
]
