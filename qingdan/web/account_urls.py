"""Staff login and logout, mounted at /accounts/. The names stay un-namespaced
because settings.LOGIN_URL is "login"."""

from django.contrib.auth import views as auth_views
from django.urls import path

from qingdan.orgs.forms import LoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            redirect_authenticated_user=True,
            authentication_form=LoginForm,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
]
