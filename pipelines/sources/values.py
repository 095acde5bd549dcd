"""Shared value parsers: text cells from any export -> typed canonical values (one Series at a time).

Every parser returns null for an empty cell and null for a cell it cannot read; the caller
compares the two to quarantine unreadable values with a reason (see base.parse_columns).
Adapters never write their own date, money, boolean or rating parsing: they call these.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import polars as pl

EXCEL_EPOCH = date(1899, 12, 30)
_TRUE = ("yes", "y", "true", "t", "1", "ja", "oui", "si", "x")
_FALSE = ("no", "n", "false", "f", "0", "nein", "non")

CHANNELS = ("email", "chat", "phone", "web", "messaging", "api", "other")
PRIORITIES = ("low", "normal", "high", "urgent")
GROWTH_TYPES = ("mentoring", "onboarding", "internal_tool", "content", "process_owner", "programme")

# Keyword -> canonical value, first match wins (so "Web Widget" is chat, not web).
_CHANNEL_WORDS: tuple[tuple[str, str], ...] = (
    ("widget", "chat"),
    ("chat", "chat"),
    ("mail", "email"),
    ("phone", "phone"),
    ("call", "phone"),
    ("voice", "phone"),
    ("whatsapp", "messaging"),
    ("sms", "messaging"),
    ("messenger", "messaging"),
    ("messag", "messaging"),
    ("twitter", "messaging"),
    ("facebook", "messaging"),
    ("instagram", "messaging"),
    ("social", "messaging"),
    ("api", "api"),
    ("web", "web"),
    ("form", "web"),
    ("portal", "web"),
)
_PRIORITY_WORDS: dict[str, str] = {
    "low": "low",
    "normal": "normal",
    "medium": "normal",
    "not priority": "normal",
    "high": "high",
    "priority": "high",
    "urgent": "urgent",
    "1": "low",
    "2": "normal",
    "3": "high",
    "4": "urgent",
}
_GROWTH_WORDS: tuple[tuple[str, str], ...] = (
    ("onboard", "onboarding"),
    ("buddy", "onboarding"),
    ("mentor", "mentoring"),
    ("coach", "mentoring"),
    ("tool", "internal_tool"),
    ("content", "content"),
    ("article", "content"),
    ("blog", "content"),
    ("process", "process_owner"),
    ("owner", "process_owner"),
    ("programme", "programme"),
    ("program", "programme"),
    ("course", "programme"),
)
_GOOD_WORDS = ("good", "great", "satisfied", "happy", "awesome", "amazing", "positive")
_BAD_WORDS = (
    "not sat",
    "bad",
    "unsatisfied",
    "dissatisfied",
    "unhappy",
    "poor",
    "terrible",
    "negative",
    "neutral",
    "neither",
)
_NO_RATING = ("not offered", "offered", "unoffered", "n/a", "none", "")


def clean(s: pl.Series) -> pl.Series:
    """Strip whitespace; empty strings become null."""
    out = s.cast(pl.String).str.strip_chars()
    return out.set(out == "", None) if out.len() else out


def _num_text(s: pl.Series) -> pl.Series:
    """The numeric part of a cell: currency codes, symbols and spaces removed."""
    return clean(s).str.replace_all(r"[^0-9,.\-]", "")


def parse_number(s: pl.Series) -> pl.Series:
    """Numbers with thousands separators or decimal commas (58,500.00 USD; 1.234,5; 12,5) -> Float64."""
    t = _num_text(s)
    frame = pl.DataFrame({"t": t})
    last_comma = pl.col("t").str.find(r",[^,]*$")
    last_dot = pl.col("t").str.find(r"\.[^.]*$")
    has_comma = pl.col("t").str.contains(",", literal=True)
    has_dot = pl.col("t").str.contains(".", literal=True)
    comma_thousands = pl.col("t").str.contains(r"^-?\d{1,3}(,\d{3})+$")
    dot_thousands = pl.col("t").str.contains(r"^-?\d{1,3}(\.\d{3}){2,}$")
    normal = (
        pl.when(has_comma & has_dot & (last_comma > last_dot))
        .then(pl.col("t").str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
        .when(has_comma & has_dot)
        .then(pl.col("t").str.replace_all(",", "", literal=True))
        .when(comma_thousands)
        .then(pl.col("t").str.replace_all(",", "", literal=True))
        .when(has_comma)
        .then(pl.col("t").str.replace(",", ".", literal=True))
        .when(dot_thousands)
        .then(pl.col("t").str.replace_all(".", "", literal=True))
        .otherwise(pl.col("t"))
    )
    out = frame.select(normal.cast(pl.Float64, strict=False).alias("v"))["v"]
    return out.alias(s.name)


def parse_int(s: pl.Series) -> pl.Series:
    """Whole numbers (1,204 or 3.0 accepted) -> Int64; fractions are unreadable."""
    f = parse_number(s)
    whole = f.is_not_null() & (f == f.floor())
    return f.set(~whole.fill_null(False), None).cast(pl.Int64).alias(s.name)


def parse_bool(s: pl.Series) -> pl.Series:
    """Yes/No, True/False, 1/0 (and a few languages) -> Boolean."""
    t = clean(s).str.to_lowercase()
    frame = pl.DataFrame({"t": t})
    expr = pl.when(pl.col("t").is_in(_TRUE)).then(True).when(pl.col("t").is_in(_FALSE)).then(False)
    return frame.select(expr.alias("v"))["v"].cast(pl.Boolean).alias(s.name)


def _date_candidates(t: pl.Series, dayfirst: bool) -> list[pl.Series]:
    slash = ["%d/%m/%Y", "%d/%m/%y"] if dayfirst else ["%m/%d/%Y", "%m/%d/%y"]
    return [t.str.to_date(fmt, strict=False) for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", *slash, "%d-%m-%Y")]


def _dayfirst(t: pl.Series) -> bool:
    """US (month first) unless some slash date has a first part above 12 (then EU, day first)."""
    parts = t.str.extract(r"^(\d{1,2})[/](\d{1,2})[/]\d{2,4}", 1).cast(pl.Int64, strict=False)
    seconds = t.str.extract(r"^(\d{1,2})[/](\d{1,2})[/]\d{2,4}", 2).cast(pl.Int64, strict=False)
    if (parts > 12).any():
        return True
    if (seconds > 12).any():
        return False
    return False


def _serial_dates(t: pl.Series) -> pl.Series:
    """Excel serial day numbers (20000..80000) and epoch seconds / milliseconds -> Date."""
    n = t.str.extract(r"^(\d+(?:\.\d+)?)$", 1).cast(pl.Float64, strict=False)
    excel = (
        pl.when((n >= 10000) & (n < 80000))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=pl.col("n").floor().cast(pl.Int64)))
        .otherwise(None)
    )
    epoch = (
        pl.when((n >= 1e8) & (n < 1e11))
        .then(pl.from_epoch(pl.col("n").cast(pl.Int64), time_unit="s").dt.date())
        .when((n >= 1e11) & (n < 1e14))
        .then(pl.from_epoch(pl.col("n").cast(pl.Int64), time_unit="ms").dt.date())
    )
    frame = pl.DataFrame({"n": n})
    return frame.select(pl.coalesce(excel.cast(pl.Date), epoch).alias("v"))["v"]


def parse_date(s: pl.Series) -> pl.Series:
    """Dates as ISO, US, EU, dotted, Excel serial or epoch seconds (a time part is ignored) -> Date."""
    t = clean(s)
    if t.dtype == pl.Date:
        return t
    head = t.str.replace(r"[T ]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?( ?UTC)?$", "")
    cands = [*_date_candidates(head, _dayfirst(head)), _serial_dates(head)]
    out = pl.DataFrame({f"c{i}": c for i, c in enumerate(cands)}).select(pl.coalesce(pl.all()).alias("v"))["v"]
    return out.alias(s.name)


_NAIVE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
)


def _common_datetime(t: pl.Series, timezone: str) -> pl.Series | None:
    """The whole column in one common layout (export style or ISO with zone), else None: the fast path."""
    present = t.is_not_null()
    naive = t.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
    if (naive.is_not_null() == present).all():
        return naive.dt.replace_time_zone(timezone, ambiguous="earliest", non_existent="null").dt.convert_time_zone(
            "UTC"
        )
    aware = t.str.replace(r"Z$", "+00:00").str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit="us", time_zone="UTC"
    )
    if (aware.is_not_null() == present).all():
        return aware
    return None


def parse_datetime(s: pl.Series, timezone: str = "UTC") -> pl.Series:
    """Timestamps -> Datetime(us, UTC); values without an offset are read in `timezone`.

    Accepts ISO with `Z` or an offset, naive ISO / US / EU / dotted with or without seconds, a bare
    date (midnight), Excel serial numbers with a fraction and epoch seconds or milliseconds.
    """
    t = clean(s)
    if isinstance(t.dtype, pl.Datetime):
        if t.dtype.time_zone is None:
            return t.dt.cast_time_unit("us").dt.replace_time_zone(timezone).dt.convert_time_zone("UTC")
        return t.dt.cast_time_unit("us").dt.convert_time_zone("UTC")
    fast = _common_datetime(t, timezone)
    if fast is not None:
        return fast.alias(s.name)
    t = t.str.replace(r" ?UTC$", "Z")
    aware_text = t.str.replace(r"Z$", "+00:00")
    aware = [
        aware_text.str.to_datetime(fmt, strict=False, time_unit="us", time_zone="UTC")
        for fmt in ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
    ]
    naive = [t.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in _NAIVE_FORMATS]
    dayfirst = _dayfirst(t)
    slash = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M") if dayfirst else ("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M")
    slash_ampm = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p") if not dayfirst else ()
    naive += [t.str.to_datetime(fmt, strict=False, time_unit="us") for fmt in (*slash, *slash_ampm)]
    bare = parse_date(t).cast(pl.Datetime("us"))
    bare = bare.set(t.str.contains(r"^\d+(\.\d+)?$").fill_null(False), None)
    n = t.str.extract(r"^(\d+(?:\.\d+)?)$", 1).cast(pl.Float64, strict=False)
    serial = pl.DataFrame({"n": n}).select(
        pl.when((pl.col("n") >= 10000) & (pl.col("n") < 80000))
        .then(pl.lit(datetime(1899, 12, 30)) + pl.duration(microseconds=(pl.col("n") * 86_400_000_000).round()))
        .alias("v")
    )["v"]
    naive_all = pl.DataFrame({f"c{i}": c for i, c in enumerate([*naive, bare, serial])}).select(
        pl.coalesce(pl.all()).alias("v")
    )["v"]
    localised = naive_all.dt.replace_time_zone(
        timezone, ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
    epoch = pl.DataFrame({"n": n}).select(
        pl.when((pl.col("n") >= 1e8) & (pl.col("n") < 1e11))
        .then(pl.from_epoch((pl.col("n") * 1e6).round().cast(pl.Int64), time_unit="us"))
        .when((pl.col("n") >= 1e11) & (pl.col("n") < 1e14))
        .then(pl.from_epoch((pl.col("n") * 1e3).round().cast(pl.Int64), time_unit="us"))
        .dt.replace_time_zone("UTC")
        .alias("v")
    )["v"]
    out = pl.DataFrame({f"c{i}": c for i, c in enumerate([*aware, localised, epoch])}).select(
        pl.coalesce(pl.all()).alias("v")
    )["v"]
    return out.alias(s.name)


def parse_hms_seconds(s: pl.Series) -> pl.Series:
    """Durations as HH:MM:SS (or H:MM) or plain seconds -> Float64 seconds."""
    t = clean(s)
    parts = pl.DataFrame({"t": t}).select(
        h=pl.col("t").str.extract(r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$", 1).cast(pl.Float64, strict=False),
        m=pl.col("t").str.extract(r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$", 2).cast(pl.Float64, strict=False),
        sec=pl.col("t").str.extract(r"^(-?\d+):(\d{1,2})(?::(\d{1,2}))?$", 3).cast(pl.Float64, strict=False),
    )
    hms = parts.select((pl.col("h") * 3600 + pl.col("m") * 60 + pl.col("sec").fill_null(0)).alias("v"))["v"]
    return pl.DataFrame({"a": hms, "b": parse_number(t)}).select(pl.coalesce("a", "b").alias("v"))["v"].alias(s.name)


def _keyword_map(s: pl.Series, words: tuple[tuple[str, str], ...], default: str | None) -> pl.Series:
    t = clean(s).str.to_lowercase()
    expr = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for word, value in words:
        expr = expr.when(pl.col("t").str.contains(word, literal=True)).then(pl.lit(value))
    expr = expr.otherwise(pl.when(pl.col("t").is_not_null()).then(pl.lit(default)))
    return pl.DataFrame({"t": t}).select(expr.alias("v"))["v"].alias(s.name)


# Checked in order: "involuntary" contains "voluntary", so it comes first.
_EXIT_WORDS = (
    ("involuntary", "involuntary"),
    ("employer", "involuntary"),
    ("dismiss", "involuntary"),
    ("layoff", "involuntary"),
    ("laid off", "involuntary"),
    ("redundan", "involuntary"),
    ("fired", "involuntary"),
    ("voluntary", "voluntary"),
    ("resign", "voluntary"),
    ("employee", "voluntary"),
    ("quit", "voluntary"),
)


def to_exit_type(s: pl.Series) -> pl.Series:
    """Termination type labels (Voluntary, Involuntary, Resignation, Dismissal, Personio's
    employee / employer, Workday's "Terminate Employee > Voluntary") -> voluntary | involuntary;
    unknown labels stay null (an exit of unknown type)."""
    return _keyword_map(s, _EXIT_WORDS, None)


def to_channel(s: pl.Series) -> pl.Series:
    """Helpdesk channel / via / source -> email | chat | phone | web | messaging | api | other."""
    return _keyword_map(s, _CHANNEL_WORDS, "other")


def to_priority(s: pl.Series) -> pl.Series:
    """Priority labels (Low/Medium/High/Urgent, Intercom's Priority/Not priority, 1-4) -> canonical."""
    t = clean(s).str.to_lowercase()
    return t.replace_strict(_PRIORITY_WORDS, default=None, return_dtype=pl.String).alias(s.name)


def to_growth_type(s: pl.Series) -> pl.Series:
    """Growth activity labels (Mentoring, Onboarding Buddy, Internal Tool...) -> canonical activity_type."""
    t = clean(s)
    exact = t.str.to_lowercase().str.replace_all(r"[^a-z]+", "_").str.strip_chars("_")
    known = exact.is_in(GROWTH_TYPES).fill_null(False)
    mapped = _keyword_map(t, _GROWTH_WORDS, None)
    return exact.zip_with(known, mapped).alias(s.name)


def to_tier(s: pl.Series, tiers: tuple[str, ...]) -> pl.Series:
    """Helpdesk group / team -> a configured tier: `Tier 1 - General` -> `Tier 1`; null when none fits."""
    t = clean(s)
    frame = pl.DataFrame({"t": t})
    expr = pl.when(pl.lit(False)).then(pl.lit(None, pl.String))
    for tier in tiers:
        pattern = r"(?i)^\s*" + re.escape(tier) + r"(\b|$)"
        expr = expr.when(pl.col("t").str.contains(pattern)).then(pl.lit(tier))
    number = pl.col("t").str.extract(r"(?i)\b(?:tier|level|l)\s*-?\s*(\d)\b", 1).cast(pl.Int64, strict=False)
    by_number = pl.lit(None, pl.String)
    for i, tier in enumerate(tiers, start=1):
        by_number = pl.when(number == i).then(pl.lit(tier)).otherwise(by_number)
    return frame.select(expr.otherwise(by_number).alias("v"))["v"].alias(s.name)


def csat_good(s: pl.Series) -> pl.Series:
    """Ratings on one good / not-good scale: Good/Bad words, 1-5 (>= 4 good), 1-10 (>= 8), 0-100 (>= 80)."""
    t = clean(s).str.to_lowercase()
    n = t.str.extract(r"^(\d+(?:[.,]\d+)?)", 1).str.replace(",", ".").cast(pl.Float64, strict=False)
    top = n.max() if n.is_not_null().any() else 5
    threshold = 4 if top <= 5 else (8 if top <= 10 else 80)
    frame = pl.DataFrame({"t": t, "n": n})
    bad_pat = "|".join(_BAD_WORDS)
    good_pat = "|".join(_GOOD_WORDS)
    expr = (
        pl.when(pl.col("n").is_not_null())
        .then(pl.col("n") >= threshold)
        .when(pl.col("t").is_in(_NO_RATING))
        .then(None)
        .when(pl.col("t").str.contains(bad_pat))
        .then(False)
        .when(pl.col("t").str.contains(good_pat))
        .then(True)
    )
    return frame.select(expr.cast(pl.Boolean).alias("v"))["v"].alias(s.name)


def lower_email(s: pl.Series) -> pl.Series:
    """Emails trimmed and lower-cased (matching is case- and whitespace-insensitive)."""
    return clean(s).str.to_lowercase().alias(s.name)
