from django.urls import path

from . import api, views

app_name = "stats"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("results/", views.results_list, name="results"),
    path("results.xlsx", views.results_export, name="results-export"),
    path("bulletin.pdf", views.bulletin_pdf, name="bulletin-pdf"),
    path("api/indicators", api.IndicatorsView.as_view(), name="api-indicators"),
    path("api/results", api.ResultsView.as_view(), name="api-results"),
]
