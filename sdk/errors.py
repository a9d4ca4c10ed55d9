"""Errors the CLI prints as a message (no stack trace): the user can act on them."""


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what to do."""
