from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.outbox import send_unrecorded
from schoolsocial.lib.text import PlainTextMixin

from .models import Invitation, Pupil, Relationship, Role, SchoolClass, SchoolSignIn, User


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _("That email address and password do not match. Check both and try again."),
        "inactive": _("This account has been switched off. Please contact the school office."),
    }

    def clean(self) -> dict:
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                # The email address stays as typed, the password does not: that is where the person
                # goes next, so the page puts them there and their screen reader reads out why.
                self.fields["username"].widget.attrs.pop("autofocus", None)
                self.fields["password"].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "sign-in-error"}
                )
            raise


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the email leaves through the task queue, not inside the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        context = {key: value for key, value in context.items() if key != "user"} | {
            "user_name": context["user"].get_short_name()
        }
        send_unrecorded("password-reset", [to_email], context)


class NewPasswordForm(SetPasswordForm):
    """The form behind the emailed reset link, in the same words as the invitation form."""

    error_messages = {"password_mismatch": _("The two passwords are different. Please type the same password twice.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Choose a new password")
        self.fields["new_password2"].label = _("Type the new password again")
        self.fields["new_password2"].help_text = ""


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
    )


class PupilForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = Pupil
        fields = ["first_name", "last_name", "school_class", "date_of_birth", "is_on_roll"]
        widgets = {"date_of_birth": forms.DateInput(attrs={"type": "date"})}
        labels = {"school_class": "Class", "is_on_roll": "On roll"}
        help_texts = {"is_on_roll": "Untick when the pupil leaves the school. Their records are kept."}
        error_messages = {
            "first_name": {"required": "Type the pupil's first name."},
            "last_name": {"required": "Type the pupil's last name."},
            "date_of_birth": {
                "required": "Type the pupil's date of birth.",
                "invalid": "Type the date of birth as day/month/year, for example 17/05/2018.",
            },
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["school_class"]).queryset = SchoolClass.objects.filter(school=school)
        cast(forms.ModelChoiceField, self.fields["school_class"]).empty_label = "No class yet"

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("The date of birth is in the future. Check the year.")
        if born.year < today.year - MAX_PUPIL_AGE:
            raise forms.ValidationError(
                f"That would make the pupil older than {MAX_PUPIL_AGE}. Check the year of the date of birth."
            )
        return born


# Sixth forms go to 19; anything older is a typing slip in the year.
MAX_PUPIL_AGE = 21


class SchoolClassForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ["name", "year_group", "teacher"]
        labels = {"name": "Class name", "teacher": "Class teacher"}
        help_texts = {
            "name": "As the school says it, for example Otters or 3B.",
            "year_group": "For example Reception or Year 3.",
            "teacher": "Looks into a parent's concern about a child in this class first (the informal stage).",
        }
        error_messages = {"name": {"required": "Give the class a name."}}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school
        staff_roles = [Role.STAFF, Role.HEADTEACHER, Role.DSL]
        cast(forms.ModelChoiceField, self.fields["teacher"]).queryset = (
            User.objects.filter(
                is_active=True,
                memberships__school=school,
                memberships__role__in=staff_roles,
                memberships__is_active=True,
            )
            .distinct()
            .order_by("full_name")
        )
        cast(forms.ModelChoiceField, self.fields["teacher"]).empty_label = "No class teacher"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        clash = SchoolClass.objects.filter(school=self.school, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(f"There is already a class called {name}. Choose another name.")
        return name


class PupilsField(forms.ModelMultipleChoiceField):
    """The children an invitation links. Never drawn as a list of the whole school: the page shows
    the children chosen so far and those a search found (see `accounts/invitation_form.html`)."""

    def label_from_instance(self, obj: Pupil) -> str:
        return f"{obj.full_name} ({obj.school_class or 'no class'})"


class InvitationForm(PlainTextMixin, forms.ModelForm):
    pupils = PupilsField(
        queryset=Pupil.objects.none(),
        widget=forms.MultipleHiddenInput,
        label="Children to link",
        help_text="The parent will find these children already linked when they accept.",
        error_messages={
            "required": "Find the child (or children) to link: type part of their name and choose them.",
            "invalid_choice": "One of the children chosen is no longer on the roll. Find them again.",
            "invalid_pk_value": "Find the child (or children) to link: type part of their name and choose them.",
        },
    )
    find = forms.CharField(
        label="Find a child by name",
        required=False,
        max_length=100,
        help_text="Type part of the first name or surname, then choose the child. Their class and date of "
        "birth tell two children of the same name apart.",
    )

    class Meta:
        model = Invitation
        fields = ["full_name", "email", "relationship", "pupils"]
        labels = {"full_name": "Parent or carer's full name", "email": "Their email address"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        pupils = cast(PupilsField, self.fields["pupils"])
        pupils.queryset = Pupil.objects.filter(school=school, is_on_roll=True).select_related("school_class")
        cast(forms.ChoiceField, self.fields["relationship"]).choices = Relationship.choices

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def chosen_pupils(self) -> list[Pupil]:
        """The children ticked so far (valid ones of this school only), to show them ticked again."""
        raw = cast(QueryDict, self.data).getlist("pupils") if self.is_bound else self.initial.get("pupils", [])
        ids = [int(value) for value in raw if str(value).isdigit()]
        if not ids:
            return []
        return list(
            Pupil.objects.filter(school=self.school, is_on_roll=True, pk__in=ids).select_related("school_class")
        )


class AcceptInvitationForm(PlainTextMixin, forms.Form):
    full_name = forms.CharField(label=_("Your full name"), max_length=200)
    password1 = forms.CharField(
        label=_("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Type the password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords are different. Please type the same password twice."))
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, full_name=cleaned.get("full_name", ""))
                )
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SchoolSignInForm(PlainTextMixin, forms.ModelForm):
    class Meta:
        model = SchoolSignIn
        fields = ["provider", "email_domain", "tenant_id", "is_enabled", "provider_mfa_counts"]
        labels = {
            "email_domain": "Staff email domain",
            "is_enabled": "Staff may sign in with the school's account",
            "provider_mfa_counts": "The provider's multi-factor sign-in counts as the portal's second factor",
        }

    def clean_email_domain(self) -> str:
        return self.cleaned_data["email_domain"].strip().lower().lstrip("@")

    def clean(self):
        data = super().clean() or {}
        if data.get("provider") == SchoolSignIn.Provider.MICROSOFT and not data.get("tenant_id"):
            self.add_error("tenant_id", "Enter your Microsoft directory (tenant) ID, from the Entra admin centre.")
        return data
