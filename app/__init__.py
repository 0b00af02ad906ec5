"""telewywiad: telephone family environmental interviews for Polish social assistance centres."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import cache
from pathlib import Path

from flask import Flask, Response, has_request_context, request, session, url_for
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from app import db as database
from app.auth import passwords
from app.auth.models import Role
from app.auth.sessions import DatabaseSessionInterface
from app.clock import LOCAL_TZ
from app.config import SETTINGS_KEY, Settings, get_settings, load_settings
from app.web import chrome, errors, ids, probes, security
from app.web import request as clean_request
from app.web.htmx import is_htmx, trigger
from app.web.redirects import safe_next

ROOT = Path(__file__).resolve().parent.parent

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()


def create_app(settings: Settings | None = None) -> Flask:
    """Build the application from typed settings (read from the environment when not given)."""
    settings = settings or load_settings()
    settings.check()
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.resolved_secret_key(),
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A CSRF token lives as long as the session: an hour-long interview must keep autosaving.
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=settings.session_cookie_secure,
        MAX_CONTENT_LENGTH=settings.max_upload_mb * 1024 * 1024,
        BABEL_DEFAULT_LOCALE=settings.default_locale,
        BABEL_DEFAULT_TIMEZONE=str(LOCAL_TZ),  # Polish deadlines and holidays: one zone, as app/clock.py
        BABEL_TRANSLATION_DIRECTORIES=str(ROOT / "app" / "translations"),
        TEMPLATES_AUTO_RELOAD=settings.env == "dev",
    )
    app.extensions[SETTINGS_KEY] = settings
    app.extensions[passwords.EXTENSION_KEY] = passwords.hasher_for(settings)
    # A broken form definition stops start-up with every problem named (file: item: problem).
    from app.formdefs.extension import FORMS_KEY, load_forms

    app.extensions[FORMS_KEY] = load_forms(settings.forms_dir)
    # The filing guides (forms/guides) are checked the same way: a broken one stops start-up naming file and place.
    from app.guides.services import GUIDES_KEY, load_guides

    app.extensions[GUIDES_KEY] = load_guides(settings.forms_dir)
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    _configure_logging(settings)

    if settings.trusted_proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.trusted_proxies, x_proto=settings.trusted_proxies, x_host=settings.trusted_proxies
        )

    engine = database.init_app(app, settings.effective_database_url())
    _check_published_forms(app, engine)
    app.session_interface = DatabaseSessionInterface(
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
    )

    from app.auth import throttle

    app.extensions["telewywiad.throttle"] = throttle.ThrottlePolicy(
        max_failures=settings.login_max_failures,
        ip_max_failures=settings.login_ip_max_failures,
        window=timedelta(minutes=settings.login_window_minutes),
        lock=timedelta(minutes=settings.login_lock_minutes),
        lock_max=timedelta(minutes=settings.login_lock_max_minutes),
    )

    babel.init_app(app, locale_selector=_select_locale)
    _init_login(app)

    # Order matters: request id, then the expired-session hook, then CSRF protection.
    clean_request.install(app)
    errors.install(app)
    ids.install(app)
    from app.auth import expiry

    expiry.install(app)
    csrf.init_app(app)
    security.install(app, hsts=settings.is_production)
    _install_commit(app)
    _register_blueprints(app)
    _template_helpers(app)
    return app


def _check_published_forms(app: Flask, engine: Engine) -> None:
    """A built-in form file that differs from the version interviews already pinned stops start-up, naming it."""
    from app.formdefs import FormDefinitionError
    from app.formdefs.extension import FORMS_KEY
    from app.formstore.catalog import startup_problems

    problems = startup_problems(engine, app.extensions[FORMS_KEY])
    if problems:
        raise FormDefinitionError(problems)


def _configure_logging(settings: Settings) -> None:
    level = logging.DEBUG if settings.env == "dev" else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")


def _select_locale() -> str:
    if not has_request_context():
        return get_settings().default_locale
    if current_user and current_user.is_authenticated:
        return str(current_user.locale)
    lang = session.get("lang")
    if lang in ("pl", "en"):
        return str(lang)
    return get_settings().default_locale


def _init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # ids are renewed at login and sessions are server-side
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Zaloguj się, aby kontynuować.")
    login_manager.login_message_category = "info"

    from app.auth.services import Principal, load_principal

    @login_manager.user_loader
    def _load(user_id: str) -> Principal | None:
        parsed = ids.parse_id(user_id)
        if parsed is None:
            return None
        # Read with the session row (app/auth/sessions.py) unless the request logged someone else in since.
        known = getattr(session, "principal", None)
        if isinstance(known, Principal) and known.id == parsed:
            return known
        return load_principal(database.get_session(), parsed)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        from flask import redirect

        target = url_for("auth.login", next=safe_next(request.full_path.rstrip("?")))
        if is_htmx() and request.method == "POST":
            # An autosave must not take the page away: what is on screen stays there and is retried after login.
            response = Response("", status=401)
            response.headers["HX-Reswap"] = "none"
            return trigger(response, "tw:session-expired", {"login": target, "kept": False})
        if is_htmx():
            response = Response("", status=401)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)  # type: ignore[return-value]


def _install_commit(app: Flask) -> None:
    @app.after_request
    def _commit(response: Response) -> Response:
        # Requests that did not fail on our side keep their changes (including audit of refusals).
        if response.status_code < 500:
            database.commit_request_session()
        return response


def _register_blueprints(app: Flask) -> None:
    from app.admin.routes import bp as admin_bp
    from app.appointments.routes import bp as appointments_bp
    from app.appointments.setup_routes import bp as visit_setup_bp
    from app.audit.routes import bp as audit_bp
    from app.auth.routes import bp as auth_bp
    from app.cases.record_routes import bp as case_record_bp
    from app.cases.routes import bp as cases_bp
    from app.dashboard.routes import bp as dashboard_bp
    from app.directory.public import bp as contact_bp
    from app.directory.routes import bp as directory_bp
    from app.documents.routes import bp as documents_bp
    from app.formstore.routes import bp as formstore_bp
    from app.guides.routes import bp as guides_bp
    from app.handoff.routes import bp as handoff_bp
    from app.home.routes import bp as home_bp
    from app.interviews.carry_routes import bp as interview_carry_bp
    from app.interviews.resume import bp as interview_pending_bp
    from app.interviews.routes import bp as interviews_bp
    from app.officeconfig.routes import bp as officeconfig_bp
    from app.offices.routes import bp as offices_bp
    from app.privacy.routes import bp as privacy_bp
    from app.referrals.helpline_routes import bp as helplines_bp
    from app.referrals.routes import bp as referrals_bp
    from app.reports.routes import bp as reports_bp
    from app.staffing.duty_routes import bp as duty_bp
    from app.staffing.routes import bp as rota_bp
    from app.statistics.routes import bp as statistics_bp
    from app.worklist.routes import bp as worklist_bp

    blueprints = (auth_bp, home_bp, admin_bp, audit_bp, cases_bp, interviews_bp, interview_pending_bp, referrals_bp,
                  reports_bp, privacy_bp, rota_bp, duty_bp, directory_bp, contact_bp, guides_bp, appointments_bp,
                  visit_setup_bp, offices_bp, officeconfig_bp, helplines_bp, formstore_bp, documents_bp, handoff_bp,
                  statistics_bp, dashboard_bp, case_record_bp, interview_carry_bp, worklist_bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    probes.install(app)
    _subscribe_hooks()


def _subscribe_hooks() -> None:
    """Features taking part in another feature's work through its hooks (blinker signals), not by being imported."""
    from app.referrals import finish as referrals_finish

    referrals_finish.subscribe()  # undecided flags block finishing an interview; the autosave reply's flags panel


@cache
def _file_version(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


def _template_language(app: Flask) -> None:
    """The templates' _() and ngettext(), and |loc for a form's texts, resolve the language once per request.

    Flask-Babel's own callables look up the request context, the locale and the catalogue cache for each of the
    hundreds of strings a long page has (a fifth of the today list's server time). The catalogue is kept in `g`
    with the locale it belongs to, so a `force_locale` block (a Polish report or e-mail for an English-speaking
    user) still gets its own."""
    from babel.support import NullTranslations
    from flask import g
    from flask_babel import get_locale, get_translations

    from app.formdefs import LocalText

    def language() -> tuple[object, NullTranslations, str]:
        locale = get_locale()
        cached: tuple[object, NullTranslations, str] | None = g.get("template_language")
        if cached is None or cached[0] is not locale:
            cached = g.template_language = (locale, get_translations(), str(locale or "pl")[:2])
        return cached

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: language()[1].ugettext(s),
        ngettext=lambda s, p, n: language()[1].ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: language()[1].upgettext(c, s),
        npgettext=lambda c, s, p, n: language()[1].unpgettext(c, s, p, n),
    )

    @app.template_filter("loc")
    def _localised(text: LocalText | None) -> str:
        """A form text in the user's language (Polish by default)."""
        return "" if text is None else text.get(language()[2])


def _template_helpers(app: Flask) -> None:
    static_folder = app.static_folder or ""

    def asset_url(filename: str) -> str:
        """Static URL with a content hash, so assets can be cached for a year."""
        return url_for("static", filename=filename, v=_file_version(str(Path(static_folder) / filename)))

    @app.template_filter("localtime")
    def _localtime(value: object, fmt: str = "short") -> str:
        """Naive-UTC timestamp shown in the office's time zone and the user's language."""
        from datetime import datetime

        from flask_babel import format_datetime

        from app.dates import moment_text

        if not isinstance(value, datetime):
            return ""
        return moment_text(value) if fmt == "short" else format_datetime(value, fmt)

    @app.template_filter("thousands")
    def _thousands(value: int) -> str:
        """A count with the user's digit grouping ("10 000" in Polish)."""
        from flask_babel import format_decimal

        return str(format_decimal(value))

    from flask_babel import get_locale

    _template_language(app)

    from app.auth.labels import role_label
    from app.auth.services import ACCOUNT_LIMITS

    # Globals (not a context processor) so imported macros see them too.
    app.jinja_env.globals.update(get_locale=get_locale, asset_url=asset_url, Role=Role, role_label=role_label,
                                account_limits=ACCOUNT_LIMITS)
    from app.guides.services import guide_registry
    from app.home.chrome import staff_chrome

    app.jinja_env.globals.update(filing_guides=lambda: guide_registry().current())
    chrome.install(app, staff_chrome)
