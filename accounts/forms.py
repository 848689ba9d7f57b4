"""Account forms (Flask-WTF: every one carries a CSRF token). Labels are English msgids."""

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from accounts.passwords import MAX_LENGTH, MIN_LENGTH, weakness
from pricing.text import first_hidden_character
from web.locale import lazy_gettext as _l


class NoHiddenCharacters:
    """The offers schema's rule for vendor text: no invisible control, format or bidi characters."""

    def __init__(self, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, form, field) -> None:
        problem = first_hidden_character(field.data or "", self.multiline)
        if problem:
            position, char = problem
            raise ValidationError(_l("Character %(position)d is an invisible control character %(code)s: "
                                     "delete it.", position=position, code=f"U+{ord(char):04X}"))

# A shape check only (no email_validator dependency); the address is proved by use, not by regex.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address like name@example.com."))


def strong_password(form, field) -> None:
    """Refuse passwords that are short or easy to guess, counting the person's own email and name as guessable."""
    inputs = [getattr(form, name).data or "" for name in ("email", "display_name") if hasattr(form, name)]
    if current_user and current_user.is_authenticated:
        inputs += [current_user.email, current_user.display_name]
    problem = weakness(field.data or "", inputs)
    if problem == "short":
        raise ValidationError(_l("Use at least %(n)s characters.", n=MIN_LENGTH))
    if problem == "guessable":
        raise ValidationError(_l("This password is too easy to guess: it is a common password, a word, a pattern "
                                 "such as 12345 or aaaa, or your own email or name. Try a phrase of several "
                                 "unrelated words."))


NEW_PASSWORD = [DataRequired(), Length(max=MAX_LENGTH), strong_password]


class SignupForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL, Length(max=254)])
    display_name = StringField(_l("Your name"), validators=[Optional(), Length(max=120)])
    password = PasswordField(_l("Password"), validators=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(), EqualTo("password")])
    as_vendor = BooleanField(_l("I also sell compute (set up a vendor profile next)"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), EMAIL])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me logged in"))


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat new password"), validators=[DataRequired(), EqualTo("password")])


class LogoutForm(FlaskForm):
    """Log-out is a POST with a CSRF token, so no other site can log a user out."""


class VendorProfileForm(FlaskForm):
    name_zh = StringField(_l("Company name (Chinese)"),
                          validators=[Optional(), Length(max=200), NoHiddenCharacters()])
    name_en = StringField(_l("Company name (English)"),
                          validators=[DataRequired(), Length(max=200), NoHiddenCharacters()])
    contact = StringField(_l("Contact (email or phone)"),
                          validators=[DataRequired(), Length(max=300), NoHiddenCharacters()])
    website = StringField(_l("Website"), validators=[Optional(), URL(require_tld=False), Length(max=300)])
    description_zh = TextAreaField(_l("Short description (Chinese)"),
                                   validators=[Optional(), Length(max=2000), NoHiddenCharacters(multiline=True)])
    description_en = TextAreaField(_l("Short description (English)"),
                                   validators=[Optional(), Length(max=2000), NoHiddenCharacters(multiline=True)])
