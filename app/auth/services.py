"""Account services: create users, roles, activation, passwords, authentication."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import audit
from app.auth.models import Office, Role, User, UserRole, WebSession
from app.auth.passwords import MAX_LENGTH as PASSWORD_MAX
from app.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.auth.reauth import Guard, confirm_password
from app.auth.signals import password_changed, password_reset
from app.clock import utcnow
from app.db import lock_row
from app.errors import DomainError
from app.fields import EMAIL_MAX, FieldError, parse_email


class AccountError(DomainError, ValueError):
    """A user-facing problem with account data; `field` names the form field concerned."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class Principal:
    """The logged-in user as Flask-Login sees it: ids and roles, no ORM state."""

    id: int
    office_id: int
    username: str
    full_name: str
    locale: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    active: bool = True

    @property
    def is_authenticated(self) -> bool:
        """Flask-Login: a loaded principal is always authenticated."""
        return True

    @property
    def is_active(self) -> bool:
        """Flask-Login: disabled accounts are logged out."""
        return self.active

    @property
    def is_anonymous(self) -> bool:
        """Flask-Login: never anonymous."""
        return False

    def get_id(self) -> str:
        """Flask-Login: the id stored in the session."""
        return str(self.id)

    def has(self, *roles: Role) -> bool:
        """True when the user holds any of the roles."""
        return bool(self.roles.intersection(roles))


def roles_of(session: Session, user_id: int) -> frozenset[Role]:
    """The roles a user holds."""
    rows = session.exec(select(UserRole.role).where(UserRole.user_id == user_id)).all()
    return frozenset(Role(r) for r in rows)


def load_principal(session: Session, user_id: int) -> Principal | None:
    """Load a principal for the session's user id, or None when missing or disabled."""
    # One statement for the user and their roles: this runs at the start of every request.
    rows = session.exec(
        select(User, UserRole.role).join(UserRole, col(UserRole.user_id) == col(User.id), isouter=True)
        .where(User.id == user_id)
    ).all()
    user = rows[0][0] if rows else None
    if user is None or user.id is None:
        return None
    return principal_of(id=user.id, office_id=user.office_id, username=user.username, full_name=user.full_name,
                        locale=user.locale, active=user.active, roles=[role for _, role in rows])


def principal_of(
    *, id: int, office_id: int, username: str, full_name: str, locale: str, active: bool,  # noqa: A002 - the column
    roles: Iterable[str | None],
) -> Principal | None:
    """The principal of a user read with their roles (one role per row, None without any); None when disabled."""
    if not active:
        return None
    return Principal(id=id, office_id=office_id, username=username, full_name=full_name, locale=locale,
                     roles=frozenset(Role(role) for role in roles if role is not None), active=True)


def normalise_username(username: str) -> str:
    """Usernames are case-insensitive and trimmed."""
    return username.strip().lower()


def find_user(session: Session, username: str) -> User | None:
    """Find a user by username."""
    return session.exec(select(User).where(User.username == normalise_username(username))).first()


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Return the active user whose password matches, upgrading old hashes on the way."""
    user = find_user(session, username)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


USERNAME_MAX = 80  # User.username
FULL_NAME_MAX = 200  # User.full_name
# What the account forms declare as `maxlength` (the services refuse longer values with a message).
ACCOUNT_LIMITS = {"username": USERNAME_MAX, "full_name": FULL_NAME_MAX, "email": EMAIL_MAX, "password": PASSWORD_MAX}


def _checked_profile(full_name: str, email: str) -> tuple[str, str]:
    """The name (spaces collapsed) and e-mail as stored, or the field's problem in Polish."""
    name = " ".join(full_name.split())
    if not name:
        raise AccountError(str(_l("Podaj imię i nazwisko.")), "full_name")
    if len(name) > FULL_NAME_MAX:
        raise AccountError(str(_l("Imię i nazwisko może mieć najwyżej 200 znaków.")), "full_name")
    try:
        return name, parse_email(email)
    except FieldError as exc:
        raise AccountError(exc.message, "email") from exc


def _check_roles(roles: set[Role]) -> None:
    if not roles:
        raise AccountError(str(_l("Wybierz co najmniej jedną rolę.")), "roles")


def create_user(
    session: Session,
    *,
    office_id: int,
    username: str,
    full_name: str,
    password: str,
    roles: set[Role],
    email: str = "",
    locale: str = "pl",
    actor_id: int | None = None,
) -> User:
    """Create an account in an office with the given roles."""
    username = normalise_username(username)
    if not 3 <= len(username) <= USERNAME_MAX or not all(c.isalnum() or c in "-_." for c in username):
        raise AccountError(
            str(_l("Nazwa użytkownika: od 3 do 80 znaków – litery, cyfry, kropka, myślnik lub podkreślnik.")),
            "username",
        )
    full_name, email = _checked_profile(full_name, email)
    if find_user(session, username) is not None:
        raise AccountError(str(_l("Ta nazwa użytkownika jest już zajęta.")), "username")
    problems = password_problems(password, username=username)
    if problems:
        raise AccountError(" ".join(problems), "password")
    _check_roles(roles)
    if session.get(Office, office_id) is None:
        raise AccountError(str(_l("Nie ma takiego ośrodka.")), "office")
    user = User(
        office_id=office_id,
        username=username,
        full_name=full_name,
        email=email,
        locale=locale if locale in ("pl", "en") else "pl",
        password_hash=hash_password(password),
    )
    session.add(user)
    try:
        with session.begin_nested():  # the same username created at the same moment elsewhere: a message, not a 500
            session.flush()
    except IntegrityError:
        raise AccountError(str(_l("Ta nazwa użytkownika jest już zajęta.")), "username") from None
    assert user.id is not None  # noqa: S101 - set by flush
    for role in sorted(roles):
        session.add(UserRole(user_id=user.id, role=role))
    audit.log(session, "user.create", actor=actor_id, obj=user, roles=sorted(roles))
    return user


def update_user(
    session: Session,
    user: User,
    *,
    full_name: str,
    email: str,
    roles: set[Role],
    actor_id: int,
) -> User:
    """Change a user's name, e-mail and roles; nobody changes their own roles (another administrator must).

    A refused attempt on one's own roles is audited (`user.roles_refused`) in the caller's transaction.
    """
    full_name, email = _checked_profile(full_name, email)
    _check_roles(roles)
    assert user.id is not None  # noqa: S101
    lock_row(session, User, user.id)  # two administrators changing one account's roles take turns
    before = roles_of(session, user.id)
    if actor_id == user.id and roles != before:
        # Granting oneself "supervisor" would open every interview of the office: two people must agree.
        audit.log(session, "user.roles_refused", actor=actor_id, obj=user, roles_before=sorted(before),
                  roles_asked=sorted(roles))
        raise AccountError(
            str(_l("Nie możesz zmienić własnych ról. Poproś o to innego administratora ośrodka.")), "roles"
        )
    user.full_name = full_name
    user.email = email
    session.add(user)
    for row in session.exec(select(UserRole).where(UserRole.user_id == user.id)).all():
        if row.role not in roles:
            session.delete(row)
    for role in roles - before:
        session.add(UserRole(user_id=user.id, role=role))
    audit.log(session, "user.update", actor=actor_id, obj=user, roles_before=sorted(before), roles_after=sorted(roles))
    return user


def set_active(session: Session, user: User, *, active: bool, actor_id: int) -> User:
    """Disable or re-enable an account; disabling ends its sessions."""
    if actor_id == user.id and not active:
        raise AccountError(str(_l("Nie możesz zablokować własnego konta.")), "")
    user.active = active
    session.add(user)
    if not active:
        _end_sessions(session, user)
    audit.log(session, "user.enable" if active else "user.disable", actor=actor_id, obj=user)
    return user


def _set_password(session: Session, user: User, new: str, *, field: str) -> None:
    """Check the policy and store a new argon2id hash; `field` names the form field for errors."""
    problems = password_problems(new, username=user.username)
    if problems:
        raise AccountError(" ".join(problems), field)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    session.add(user)


def _end_sessions(session: Session, user: User) -> None:
    """Log the user out everywhere: their server-side sessions are deleted."""
    for web_session in session.exec(select(WebSession).where(WebSession.user_id == user.id)).all():
        session.delete(web_session)


def change_password(
    session: Session, user: User, *, current: str, new: str, repeat: str, guard: Guard | None = None
) -> User:
    """Change one's own password after checking the current one; every session of the user ends.

    The current password counts towards the login lock-out (`guard`; ReauthThrottled while locked). The caller
    gives the current browser a fresh session id (so a lost phone's session dies, this one goes on).
    """
    from app.auth.models import WebSession

    if not confirm_password(session, user=user, password=current, guard=guard):
        raise AccountError(str(_l("Obecne hasło jest nieprawidłowe.")), "current_password")
    if new != repeat:
        raise AccountError(str(_l("Nowe hasła nie są jednakowe.")), "repeat_password")
    if new == current:
        raise AccountError(str(_l("Nowe hasło musi różnić się od obecnego.")), "new_password")
    _set_password(session, user, new, field="new_password")
    password_changed.send(user, session=session, old=current, new=new)  # signing keys follow the password
    for web_session in session.exec(select(WebSession).where(WebSession.user_id == user.id)).all():
        session.delete(web_session)
    audit.log(session, "user.password_change", actor=user, obj=user)
    return user


def reset_password(session: Session, user: User, *, new: str, actor_id: int) -> User:
    """An administrator sets a new password for a user; the user's sessions end."""
    _set_password(session, user, new, field="password")
    _end_sessions(session, user)
    password_reset.send(user, session=session, actor_id=actor_id)  # old keys cannot be opened any more
    audit.log(session, "user.password_reset", actor=actor_id, obj=user)
    return user


def office_users(session: Session, office_id: int) -> list[tuple[User, frozenset[Role]]]:
    """Users of an office with their roles, sorted by name."""
    users = session.exec(select(User).where(User.office_id == office_id).order_by(col(User.full_name))).all()
    return [(u, roles_of(session, u.id)) for u in users if u.id is not None]
