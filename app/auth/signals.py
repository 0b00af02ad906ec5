"""What auth tells the features that build on it, without importing them (blinker, as Flask ships it).

A receiver runs in the sender's transaction and its exceptions reach the sender, so a feature that must act on
a password change (reports re-wraps the signing keys) succeeds or fails together with the change.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the User; keyword arguments: session, old, new (the passwords, never logged or stored).
password_changed = _signals.signal("password-changed")
# sender: the User; keyword arguments: session, actor_id (the administrator who set the new password).
password_reset = _signals.signal("password-reset")
# sender: the new Office; keyword arguments: session, actor_id, settings. Receivers may return a warning to show.
office_created = _signals.signal("office-created")
