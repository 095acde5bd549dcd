from datetime import UTC, date, datetime

import polars as pl

from pipelines.sources import values as v

UTC = UTC


def test_dates_in_iso_us_eu_excel_serial_and_epoch():
    s = pl.Series(["2024-03-01", "03/14/2024", "45352", "1709251200", "2024-03-01T10:00:00Z", "junk", ""])
    assert v.parse_date(s).to_list() == [
        date(2024, 3, 1),
        date(2024, 3, 14),
        date(2024, 3, 1),
        date(2024, 3, 1),
        date(2024, 3, 1),
        None,
        None,
    ]
    assert v.parse_date(pl.Series(["14/03/2024", "01/02/2024"])).to_list() == [date(2024, 3, 14), date(2024, 2, 1)]
    assert v.parse_date(pl.Series(["01.02.2024"])).to_list() == [date(2024, 2, 1)]


def test_datetimes_with_zone_in_value_or_setting():
    s = pl.Series(["2024-03-01 10:00:00", "2024-07-01 10:00:00", "2024-07-01T10:00:00+02:00", "2024-07-01T10:00:00Z"])
    got = v.parse_datetime(s, "Europe/Dublin").to_list()
    assert got == [
        datetime(2024, 3, 1, 10, tzinfo=UTC),
        datetime(2024, 7, 1, 9, tzinfo=UTC),  # Dublin summer time is UTC+1
        datetime(2024, 7, 1, 8, tzinfo=UTC),
        datetime(2024, 7, 1, 10, tzinfo=UTC),
    ]


def test_money_with_thousands_separators_and_decimal_commas():
    s = pl.Series(["58,500.00 USD", "1.234,56", "12,5", "1,234", "1.234.567", "52000", "x"])
    assert v.parse_number(s).to_list() == [58500.0, 1234.56, 12.5, 1234.0, 1234567.0, 52000.0, None]


def test_yes_no_booleans():
    assert v.parse_bool(pl.Series(["Yes", "no", "TRUE", "maybe", None])).to_list() == [True, False, True, None, None]


def test_csat_scales_on_one_good_not_good_scale():
    assert v.csat_good(pl.Series(["Good", "Bad", "Not Offered", "Offered", None])).to_list() == [
        True,
        False,
        None,
        None,
        None,
    ]
    assert v.csat_good(pl.Series(["5", "3", "4", ""])).to_list() == [True, False, True, None]
    assert v.csat_good(pl.Series(["9", "7", "10"])).to_list() == [True, False, True]


def test_channels_priorities_tiers_and_growth_types():
    via = pl.Series(
        ["Web Form", "Email", "Phone call (incoming)", "Web Widget", "Answer Bot for Web Widget", "WhatsApp", "Fax"]
    )
    assert v.to_channel(via).to_list() == ["web", "email", "phone", "chat", "chat", "messaging", "other"]
    assert v.to_priority(pl.Series(["Low", "Not priority", "Priority", "urgent", "Medium"])).to_list() == [
        "low",
        "normal",
        "high",
        "urgent",
        "normal",
    ]
    tiers = ("Tier 1", "Tier 2", "Tier 3")
    assert v.to_tier(pl.Series(["Tier 1 - General", "Tier 3 - Advanced", "Sales"]), tiers).to_list() == [
        "Tier 1",
        "Tier 3",
        None,
    ]
    kinds = pl.Series(["Onboarding Buddy", "Help Content", "Technical Development Programme", "Juggling"])
    assert v.to_growth_type(kinds).to_list() == ["onboarding", "content", "programme", None]


def test_hms_durations():
    assert v.parse_hms_seconds(pl.Series(["01:30:00", "0:05", "", "90"])).to_list() == [5400.0, 300.0, None, 90.0]
