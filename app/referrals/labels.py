"""Words for referral reasons, priorities, contact and closing outcomes, emergency actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.referrals.models import (
    CloseOutcome,
    ContactOutcome,
    EmergencyAction,
    Priority,
    ReasonCategory,
)

# Reason category the psychologist sees for each shipped flag rule (unknown rules: "other").
RULE_REASONS: dict[str, ReasonCategory] = {
    "suicide_risk": ReasonCategory.CRISIS,
    "suicide_warning_signs": ReasonCategory.CRISIS,
    "domestic_violence": ReasonCategory.VIOLENCE,
    "violence_child": ReasonCategory.VIOLENCE,
    "anxiety_severe": ReasonCategory.ANXIETY,
    "anxiety": ReasonCategory.ANXIETY,
    "isolation": ReasonCategory.ISOLATION,
    "job_loss_distress": ReasonCategory.LOSS,
    "bereavement": ReasonCategory.BEREAVEMENT,
    "addiction_support_lost": ReasonCategory.ADDICTION,
    "no_food_or_medicines": ReasonCategory.BASIC_NEEDS,
}
REASON_LABELS = {
    ReasonCategory.CRISIS: _l("kryzys psychiczny, ryzyko samobójstwa"),
    ReasonCategory.VIOLENCE: _l("przemoc domowa"),
    ReasonCategory.ANXIETY: _l("lęk, niepokój o przyszłość"),
    ReasonCategory.ISOLATION: _l("izolacja, samotność"),
    ReasonCategory.LOSS: _l("utrata pracy lub dochodu"),
    ReasonCategory.BEREAVEMENT: _l("żałoba"),
    ReasonCategory.ADDICTION: _l("przerwana terapia uzależnień"),
    ReasonCategory.BASIC_NEEDS: _l("brak żywności lub leków"),
    ReasonCategory.OTHER: _l("inny powód"),
}
PRIORITY_LABELS = {
    Priority.URGENT: _l("pilne"),
    Priority.HIGH: _l("wysoki priorytet"),
    Priority.NORMAL: _l("zwykłe"),
}
CONTACT_LABELS = {
    ContactOutcome.REACHED: _l("rozmowa odbyta"),
    ContactOutcome.NO_ANSWER: _l("nie odbiera"),
    ContactOutcome.BUSY: _l("zajęte"),
    ContactOutcome.WRONG_NUMBER: _l("błędny numer"),
    ContactOutcome.CALL_BACK: _l("prosi o telefon później"),
    ContactOutcome.DECLINED: _l("odmawia wsparcia"),
}
CLOSE_LABELS = {
    CloseOutcome.SUPPORT_COMPLETED: _l("wsparcie zakończone"),
    CloseOutcome.REFERRED_ELSEWHERE: _l("skierowano do innej placówki"),
    CloseOutcome.DECLINED: _l("osoba zrezygnowała"),
    CloseOutcome.UNREACHABLE: _l("brak kontaktu mimo prób"),
    CloseOutcome.OTHER: _l("inny wynik"),
}
EMERGENCY_LABELS = {
    EmergencyAction.CALLED: _l("wezwano służby ratunkowe (112)"),
    EmergencyAction.ADVISED: _l("doradzono osobie telefon pod 112"),
}
