"""The one exception type the command line turns into a one-line message and exit status 1."""


class UserError(Exception):
    """Bad input from a user: the message says, on one line, what to fix.

    Raise it anywhere (domain code included); the command line prints ``error: <message>`` and
    exits 1, with no traceback. Never put a name or an alien number in the message.
    """
