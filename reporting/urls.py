from django.urls import path

from reporting import export_views, views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("data-return.<str:fmt>", export_views.data_return, name="data_return"),
    path("data-dictionary.csv", export_views.data_dictionary, name="data_dictionary"),
]
