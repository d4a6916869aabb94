from django.core.exceptions import ValidationError


class MaximumLengthValidator:
    """Refuse absurdly long passwords: hashing megabytes is a cheap denial of service.

    256 characters leaves ample room for passphrases and password managers.
    """

    def __init__(self, max_length: int = 256):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long. Use at most {self.max_length} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return f"Your password can be up to {self.max_length} characters long."
