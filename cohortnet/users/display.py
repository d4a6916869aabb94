"""How allauth names the signed-in person in its messages ("Successfully signed in as …")."""


def user_display(user) -> str:
    # allauth's default is str(user), "Name <address>": the programme names people, never by address.
    return user.name or "you"
