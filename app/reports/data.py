"""Plain data describing an interview report, independent of the database and of Flask."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal


class InterviewType(enum.Enum):
    """Full interview or its update (part IV A)."""

    FULL = "full"
    UPDATE = "update"


class InterviewMode(enum.Enum):
    """How the situation was established: by telephone (art. 15o) or on site."""

    TELEPHONE = "telephone"
    ON_SITE = "on_site"


@dataclass(frozen=True)
class Office:
    """The social assistance centre issuing the report."""

    name: str
    address: str
    phone: str
    email: str = ""
    # Further letterhead lines set by the office (tax numbers, ePUAP box, ...).
    extra_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class CallInfo:
    """Metadata of the telephone call (or visit) in which the interview took place."""

    date: date
    time: time
    number_called: str
    answered_by: str
    identity_check: str


@dataclass(frozen=True)
class PerjuryInstruction:
    """The art. 233 Criminal Code instruction and the person's verbal confirmation."""

    text: str
    confirmation: str
    confirmed_at: datetime | None


@dataclass(frozen=True)
class Section:
    """One answered part of the questionnaire; skipped questions are simply absent from ``answers``."""

    title: str
    answers: tuple[tuple[str, str], ...]
    segment: str | None = None
    comment: str | None = None


@dataclass(frozen=True)
class HouseholdMember:
    """One row of the household table."""

    name: str
    relation: str
    date_of_birth: date | None
    occupation: str
    income_source: str
    income_amount: Decimal | None


@dataclass(frozen=True)
class ReferralSummary:
    """What the caller chooses to show of a referral (e.g. to a psychologist); nothing more is rendered."""

    recipient: str
    urgency: str
    consent: str
    reason: str


@dataclass(frozen=True)
class DocumentReceived:
    """A file received about the case, as the report lists it (the file itself is not part of the report)."""

    kind: str
    description: str
    filename: str
    channel: str
    received_on: date
    sha256: str
    annex_number: int | None = None


@dataclass(frozen=True)
class Annex:
    """A received image or PDF the worker chose to append to the report, numbered as the list refers to it."""

    number: int
    title: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class ReportData:
    """Everything the report PDF shows."""

    office: Office
    case_number: str
    interview_type: InterviewType
    mode: InterviewMode
    legal_basis: str
    call: CallInfo
    instruction: PerjuryInstruction
    sections: tuple[Section, ...]
    household: tuple[HouseholdMember, ...]
    art7_reasons: tuple[str, ...]
    diagnosis: str
    help_plan: str
    document_id: str
    version: int
    worker_name: str
    generated_at: datetime
    referrals: tuple[ReferralSummary, ...] = field(default=())
    documents: tuple[DocumentReceived, ...] = field(default=())
    annexes: tuple[Annex, ...] = field(default=())


LEGAL_BASIS_TELEPHONE = (
    "Art. 15o ust. 1 ustawy z dnia 2 marca 2020 r. o szczególnych rozwiązaniach związanych "
    "z zapobieganiem, przeciwdziałaniem i zwalczaniem COVID-19 (Dz.U. 2020 poz. 374 ze zm.): "
    "sytuację osobistą, rodzinną, dochodową i majątkową ustalono w rozmowie telefonicznej "
    "z pracownikiem socjalnym oraz na podstawie dokumentów i oświadczeń (art. 107 ust. 5b ustawy "
    "o pomocy społecznej), w tym kopii, także elektronicznych."
)

LEGAL_BASIS_ON_SITE = (
    "Art. 107 ustawy z dnia 12 marca 2004 r. o pomocy społecznej; rozporządzenie w sprawie "
    "rodzinnego wywiadu środowiskowego (Dz.U. 2021 poz. 893): wywiad przeprowadzony w miejscu "
    "zamieszkania, zapisany w formie elektronicznej."
)

INSTRUCTION_233 = (
    "Pouczono osobę o odpowiedzialności karnej za składanie fałszywych zeznań i oświadczeń "
    "(art. 233 § 1 i § 6 Kodeksu karnego) oraz o obowiązku niezwłocznego powiadomienia ośrodka "
    "o każdej zmianie sytuacji osobistej, dochodowej i majątkowej."
)

_TZ = timezone(timedelta(hours=1))

_MEMBERS = (
    HouseholdMember("Zażółć Gęślą-Jaźń", "wnioskodawczyni", date(1984, 3, 12),
                    "sprzedawczyni (utrata pracy 03.2020)", "zasiłek dla bezrobotnych", Decimal("1240.00")),
    HouseholdMember("Łukasz Wójcik", "konkubent", date(1981, 11, 2),
                    "kierowca, umowa zlecenie", "wynagrodzenie", Decimal("1850.50")),
    HouseholdMember("Małgorzata Jędrzejczyk", "matka wnioskodawczyni", date(1952, 7, 30),
                    "emerytka, orzeczenie o umiarkowanym stopniu niepełnosprawności", "emerytura",
                    Decimal("1612.34")),
    HouseholdMember("Kacper Wójcik", "syn", date(2008, 5, 19),
                    "uczeń, Szkoła Podstawowa nr 2 w Pucku, klasa 7", "świadczenie wychowawcze 500+",
                    Decimal("500.00")),
    HouseholdMember("Ścisława Wójcik", "córka", date(2013, 1, 8),
                    "uczennica, klasa 1", "świadczenie wychowawcze 500+", Decimal("500.00")),
    HouseholdMember("Jędrzej Wójcik", "syn", date(2019, 9, 25),
                    "dziecko w wieku przedszkolnym", "świadczenie wychowawcze 500+", Decimal("500.00")),
    HouseholdMember("Żaneta Ćwikła", "siostra wnioskodawczyni", date(1990, 4, 14),
                    "studentka studiów zaocznych", "brak dochodu", None),
    HouseholdMember("Bożydar Ńowak-Śliwiński", "szwagier", date(1987, 12, 1),
                    "bezrobotny, zarejestrowany bez prawa do zasiłku", "brak dochodu", None),
)

_SECTIONS = (
    Section(
        "Dane wnioskodawcy i rodziny",
        (
            ("Imię i nazwisko", "Zażółć Gęślą-Jaźń"),
            ("PESEL", "84031212345"),
            ("Data urodzenia", "12.03.1984"),
            ("Obywatelstwo", "polskie"),
            ("Stan cywilny", "panna, pozostaje w związku nieformalnym"),
            ("Adres zamieszkania", "ul. Źródlana 7/3, 84-100 Puck"),
            ("Telefon", "+48 601 234 567"),
            ("Adres e-mail", "zazolc.jazn@example.pl"),
        ),
        segment="A",
        comment="Dane potwierdzone na podstawie kopii dowodu osobistego przesłanej przez ePUAP.",
    ),
    Section(
        "Sytuacja zawodowa",
        (
            ("Status na rynku pracy", "zarejestrowana jako bezrobotna z prawem do zasiłku"),
            ("Wykształcenie", "zasadnicze zawodowe, sprzedawca"),
            ("Utrata pracy lub dochodu z powodu epidemii",
             "Tak — sklep odzieżowy w galerii handlowej zamknięty 14.03.2020, umowa rozwiązana "
             "za porozumieniem stron 31.03.2020."),
        ),
        segment="B",
    ),
    Section(
        "Warunki mieszkaniowe",
        (
            ("Rodzaj mieszkania", "mieszkanie komunalne w budynku wielorodzinnym, 3 pokoje, 54 m²"),
            ("Tytuł prawny", "najem (umowa z gminą)"),
            ("Wyposażenie", "łazienka, WC, ciepła woda z piecyka gazowego"),
            ("Ogrzewanie", "piec kaflowy na węgiel, brak opału na zimę"),
            ("Zaległości", "czynsz: 2 146,80 zł za 4 miesiące; prąd: 312,45 zł"),
            ("Relacje w rodzinie", "poprawne; wnioskodawczyni zgłasza napięcia związane z sytuacją finansową"),
            ("Przemoc domowa", "nie zgłoszono; brak sygnałów dotyczących małoletnich"),
        ),
        segment="C",
    ),
    Section(
        "Sytuacja zdrowotna",
        (
            ("Choroby przewlekłe", "matka: cukrzyca typu 2, nadciśnienie"),
            ("Orzeczenie o niepełnosprawności", "matka: stopień umiarkowany, bezterminowo"),
            ("Uzależnienia", "nie stwierdzono"),
            ("Kwarantanna lub izolacja", "cała rodzina w kwarantannie domowej do 24.04.2020 (decyzja PPIS w Pucku)"),
            ("Dostęp do leków i żywności", "utrudniony; brak osób, które mogłyby zrobić zakupy"),
        ),
        segment="D",
    ),
    Section(
        "Sytuacja materialna",
        (
            ("Łączny dochód rodziny", "6 202,84 zł; na osobę w rodzinie: 775,36 zł"),
            ("Stałe wydatki", "czynsz 536,70 zł, energia 180 zł, gaz 95 zł, leki matki ok. 210 zł"),
            ("Zadłużenie", "pożyczka konsumencka, rata 420 zł miesięcznie"),
            ("Dokumenty i oświadczenia",
             "oświadczenie o dochodach (e-mail, 16.04.2020); decyzja PUP o zasiłku (ePUAP, 15.04.2020); "
             "kopia decyzji o kwarantannie (skrzynka podawcza, 17.04.2020)"),
        ),
        segment="E",
    ),
    Section(
        "Potrzeby i oczekiwania zgłoszone w trakcie wywiadu",
        (
            ("Oczekiwana pomoc", "zasiłek celowy na żywność i opał; dostarczenie zakupów w czasie kwarantanny"),
            ("Wsparcie psychologiczne", "tak — wnioskodawczyni prosi o rozmowę z psychologiem"),
        ),
        segment="H",
    ),
    Section(
        "Ocena sytuacji i wnioski pracownika socjalnego",
        (
            ("Ocena", "Rodzina wielodzietna w przejściowo trudnej sytuacji spowodowanej utratą pracy "
                      "i kwarantanną. Zasoby własne niewystarczające do zaspokojenia podstawowych potrzeb."),
            ("Czynniki ryzyka", "izolacja, brak opału, zaległości czynszowe; brak sygnałów myśli samobójczych"),
        ),
        segment="I",
    ),
    Section(
        "Plan pomocy",
        (
            ("Proponowane formy pomocy",
             "praca socjalna (art. 45); zasiłek celowy (art. 39); poradnictwo specjalistyczne — "
             "psychologiczne (art. 46); pomoc w formie zakupów dostarczanych przez WOT"),
            ("Termin realizacji", "niezwłocznie, do 22.04.2020"),
        ),
        segment="J",
    ),
)


def sample_report(household: int = 6) -> ReportData:
    """Return a full, realistic Polish report (all segments) with ``household`` members, for tests and benchmarks."""
    if not 0 <= household <= len(_MEMBERS):
        raise ValueError(f"household must be between 0 and {len(_MEMBERS)}")
    return ReportData(
        office=Office(
            name="Gminny Ośrodek Pomocy Społecznej w Pucku",
            address="ul. Żeromskiego 12, 84-100 Puck",
            phone="+48 58 673 22 11",
        ),
        case_number="GOPS.8211.142.2020",
        interview_type=InterviewType.FULL,
        mode=InterviewMode.TELEPHONE,
        legal_basis=LEGAL_BASIS_TELEPHONE,
        call=CallInfo(
            date=date(2020, 4, 17),
            time=time(10, 42),
            number_called="+48 601 234 567",
            answered_by="Zażółć Gęślą-Jaźń (wnioskodawczyni)",
            identity_check="podała PESEL i adres zgodne z wnioskiem; pytanie kontrolne o datę złożenia wniosku",
        ),
        instruction=PerjuryInstruction(
            text=INSTRUCTION_233,
            confirmation="Osoba ustnie potwierdziła, że rozumie pouczenie: „Tak, rozumiem, wszystko się zgadza”.",
            confirmed_at=datetime(2020, 4, 17, 10, 46, tzinfo=_TZ),
        ),
        sections=_SECTIONS,
        household=_MEMBERS[:household],
        art7_reasons=(
            "ubóstwo",
            "bezrobocie",
            "niepełnosprawność",
            "potrzeba ochrony macierzyństwa lub wielodzietności",
            "zdarzenie losowe i sytuacja kryzysowa",
        ),
        diagnosis=(
            "Zażółć gęślą jaźń. Rodzina pozostaje w kwarantannie i utraciła główne źródło dochodu. "
            "Dochód na osobę przekracza kryterium, jednak zachodzi szczególnie uzasadniony przypadek "
            "(zdarzenie losowe, kwarantanna, brak opału). Zasadne jest przyznanie pomocy doraźnej "
            "oraz objęcie rodziny pracą socjalną."
        ),
        help_plan=(
            "1. Zasiłek celowy na żywność i opał w wysokości 800 zł. "
            "2. Dostarczanie zakupów do 24.04.2020 we współpracy z 7. Pomorską Brygadą OT. "
            "3. Przekazanie numeru telefonu psychologowi (za zgodą). "
            "4. Aktualizacja wywiadu po zakończeniu kwarantanny."
        ),
        referrals=(
            ReferralSummary(
                recipient="psycholog GOPS (dyżur telefoniczny)",
                urgency="w ciągu 48 godzin",
                consent="zgoda ustna na przekazanie numeru telefonu, 17.04.2020, 10:58",
                reason="silny stres związany z utratą pracy i izolacją",
            ),
        ),
        document_id="RWS-2020-000142",
        version=1,
        worker_name="Grzegorz Źdźbło",
        generated_at=datetime(2020, 4, 17, 14, 5, tzinfo=_TZ),
    )
