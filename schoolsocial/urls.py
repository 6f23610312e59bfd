from django.contrib import admin
from django.urls import include, path

from schoolsocial.health import LiveView, ReadyView

# Only the providers' login and callback addresses: allauth's own account pages (signup, its
# password sign-in) are never mounted. The portal's rules are in accounts/sso.py.
sso_provider_urls = [
    path("", include("allauth.socialaccount.providers.microsoft.urls")),
    path("", include("allauth.socialaccount.providers.google.urls")),
    path("", include("allauth.socialaccount.providers.openid_connect.urls")),
]

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("passkeys/api/", include("accounts.passkey_urls", namespace="otp_webauthn")),
    path("incidents/", include("incidents.urls")),
    path("letters/", include("incidents.letters.urls")),
    path("cluster-alerts/", include("incidents.cluster.urls")),
    path("policies/", include("policies.urls")),
    path("agreements/", include("agreements.urls")),
    path("complaints/", include("complaints.urls")),
    path("emails/", include("notifications.urls")),
    path("", include("dataprotection.urls")),
    path("sign-in/provider/", include(sso_provider_urls)),
    path("admin/", admin.site.urls),
    # For the load balancer and the deploy (schoolsocial/health.py): "ok" or "unavailable", nothing else.
    path("health/", LiveView.as_view(), name="health"),
    path("health/ready/", ReadyView.as_view(), name="health_ready"),
]
