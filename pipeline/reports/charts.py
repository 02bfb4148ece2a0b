"""The analyst report's charts: pure functions from the warehouse views' rows to PNG images.

matplotlib's object API on an Agg canvas (no pyplot state, no display). Plot text is Chinese first,
English second (titles, axes, legends, categories, captions), drawn with Noto Sans CJK SC, which the set-up
installs (the pinned package ``noto-cjk-sans-otc``, SIL Open Font License 1.1; :func:`cjk_font`). Without
it (a hand-made environment) the charts fall back to English with ``?`` for CJK characters. Text from the
database is made safe for matplotlib (no mathtext, no glyphs the font lacks) by :func:`plot_text`.
"""

from __future__ import annotations

import calendar
import io
from functools import cache

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from pipeline.indicators.aqi import AQI_CATEGORIES, aqi_level
from pipeline.indicators.water_class import CLASS_NAMES

AQI_COLOURS = tuple("#{:02x}{:02x}{:02x}".format(*map(int, rgb.split(","))) for rgb in AQI_CATEGORIES["colour_rgb"])
"""HJ 633-2012, Table 2: the colour of AQI levels 1-6 (优 #00e400 ... 严重污染 #7e0023)."""
AQI_RANGES = ("0-50", "51-100", "101-150", "151-200", "201-300", ">300")
"""HJ 633-2012, Table 2: the AQI range of levels 1-6."""
NO_DATA_COLOUR = "#c8c8c8"
NO_SUCH_DAY_COLOUR = "#ffffff"

WATER_CLASS_COLOURS = {1: "#44c5fd", 2: "#1f78d1", 3: "#33a02c", 4: "#ffd92f", 5: "#ff7f00", 6: "#e31a1c"}
"""Colours of GB 3838-2002 classes I-V and 劣V. The standard defines none: this report's convention
(blue for I-II, green III, yellow IV, orange V, red 劣V), close to what Chinese bulletins use."""

MET_COLOUR, MISSED_COLOUR, TARGET_LINE_COLOUR = "#1a9641", "#ff7e00", "#d7191c"

POLLUTANT_LABELS = {
    "so2": ("SO2 年平均", "annual mean"),
    "no2": ("NO2 年平均", "annual mean"),
    "pm10": ("PM10 年平均", "annual mean"),
    "pm25": ("PM2.5 年平均", "annual mean"),
    "co": ("CO 24小时平均第95百分位数", "24-h mean, 95th pct"),
    "o3_8h": ("O3 日最大8小时平均第90百分位数", "max 8-h mean, 90th pct"),
}
"""The statistics HJ 663-2013 compares with GB 3095-2012 Grade II, in the order shown."""
UNIT_LABELS = {"ug/m3": "µg/m³", "mg/m3": "mg/m³", "mg/L": "mg/L"}
MONTHS_EN = [calendar.month_abbr[m] for m in range(1, 13)]
MONTHS = [f"{m}月" for m in range(1, 13)]

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "AR PL UMing CN", "Droid Sans Fallback")  # fmt: skip


@cache
def cjk_font() -> str | None:
    """The CJK font family the charts use: Noto Sans CJK SC from the pinned ``noto-cjk-sans-otc`` package
    (registered with matplotlib here), else the first installed family of :data:`CJK_FAMILIES`, or None."""
    from matplotlib import font_manager

    try:
        import noto_cjk_sans_otc

        font_manager.fontManager.addfont(str(noto_cjk_sans_otc.FONT_PATH))
    except (ImportError, OSError, RuntimeError):  # not installed: look for a system font
        pass
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FAMILIES if name in installed), None)


def zh_en(zh: str, en: str, cjk: bool) -> str:
    """Chinese first, English second; English alone when no CJK font can draw the Chinese."""
    if not cjk:
        return en
    return zh if zh == en else f"{zh} {en}"


def plot_text(text, cjk: bool) -> str:
    """``text`` safe to draw: ``$`` escaped (no mathtext); without a CJK font, CJK characters become ``?``."""
    text = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    if not cjk:
        text = "".join("?" if ord(ch) >= 0x2E80 else ch for ch in text)
    return text.replace("$", r"\$")


def class_label(number: int, cjk: bool) -> str:
    """GB 3838-2002 class name; 劣V is ``V+`` when no CJK font can draw it."""
    return CLASS_NAMES[number] if number < 6 or cjk else "V+"


def aqi_colour(aqi) -> str:
    """The HJ 633-2012 Table 2 colour of an AQI value; grey when missing."""
    level = int(aqi_level([np.nan if aqi is None else aqi])[0])
    return NO_DATA_COLOUR if level == 0 else AQI_COLOURS[level - 1]


def _figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    font = cjk_font()
    if font:
        import matplotlib

        with matplotlib.rc_context({"font.sans-serif": [font, "DejaVu Sans"]}):
            figure.savefig(buffer, format="png", bbox_inches="tight")
    else:
        figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def floats(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype(float)


def flags(series: pd.Series) -> pd.Series:
    """Booleans from SQLite 0/1 or PostgreSQL booleans; NULL -> False."""
    return series.map(lambda v: False if v is None or pd.isna(v) else bool(v))


def worse_than_target(meets_target: pd.Series) -> pd.Series:
    """True where ``meets_target`` is false; NULL (no target) is not worse."""
    return meets_target.map(lambda v: v is not None and not pd.isna(v) and not bool(v))


def calendar_figure(days: pd.DataFrame, year: int, missing=()) -> Figure:
    """Daily city AQI of ``year`` as a 12 months x 31 days grid in HJ 633-2012 Table 2 colours.

    days: ``date`` (date or 'YYYY-MM-DD'), ``aqi``, ``valid_day``. Grey: no AQI; white: no such date.
    The AQI is written in each cell, with ``*`` when the day is not valid for the good-day ratio; ``missing``:
    days whose file is missing in the source, marked 缺 (or ``x`` without a CJK font)."""
    grid = np.ones((12, 31, 3))
    grey = to_rgb(NO_DATA_COLOUR)
    for month in range(12):
        grid[month, : calendar.monthrange(year, month + 1)[1]] = grey
    cjk = cjk_font() is not None
    figure = _figure(13, 6.4)
    axes = figure.subplots()
    dates = pd.to_datetime(days["date"].astype(str))
    aqi, valid = floats(days["aqi"]), flags(days["valid_day"])
    for when, value, ok in zip(dates, aqi, valid, strict=True):
        if when.year != year or np.isnan(value):
            continue
        level = int(aqi_level([value])[0])
        grid[when.month - 1, when.day - 1] = to_rgb(AQI_COLOURS[level - 1])
        axes.text(when.day - 1, when.month - 1, f"{value:.0f}" + ("" if ok else "*"), ha="center", va="center",
                  fontsize=7.5, color="white" if level >= 4 else "black")  # fmt: skip
    for when in missing:
        if when.year == year:
            axes.text(when.day - 1, when.month - 1, "缺" if cjk else "x", ha="center", va="center", fontsize=8,
                      color="#b00020")  # fmt: skip
    axes.imshow(grid, aspect="equal", interpolation="nearest")
    axes.set_xticks(range(31), [str(d) for d in range(1, 32)], fontsize=7)
    axes.set_yticks(range(12), MONTHS if cjk else MONTHS_EN, fontsize=8)
    axes.xaxis.tick_top()
    axes.set_xticks(np.arange(-0.5, 31), minor=True)
    axes.set_yticks(np.arange(-0.5, 12), minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="both", length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    handles = [
        Patch(facecolor=c, edgecolor="#888888", label=f"{zh_en(zh, en, cjk)} {r}")
        for c, zh, en, r in zip(
            AQI_COLOURS, AQI_CATEGORIES["category_zh"], AQI_CATEGORIES["category_en"], AQI_RANGES, strict=True
        )
    ]
    handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="#888888", label=zh_en("无数据", "No data", cjk)))
    if len(missing):
        label = zh_en("缺 = 源数据缺失", "missing in the source", cjk) if cjk else "x = missing in the source"
        handles.append(Patch(facecolor="white", edgecolor="#b00020", label=label))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=8, fontsize=8, frameon=False)
    return figure


def good_days_figure(months: pd.DataFrame, year: int, target_pct: float = 95.0) -> Figure:
    """Monthly good-air-day ratio [%] of ``year`` as bars, against the plan's target line.

    months: ``month`` ('YYYY-MM'), ``valid_days``, ``good_days``, ``good_day_ratio_pct``."""
    cjk = cjk_font() is not None
    ratio = pd.Series(np.nan, index=range(1, 13))
    labels = {}
    for row in months.itertuples():
        m = int(str(row.month)[5:7])
        ratio[m] = float(pd.to_numeric(row.good_day_ratio_pct, errors="coerce"))
        labels[m] = f"{int(row.good_days or 0)}/{int(row.valid_days or 0)} " + ("天" if cjk else "d")
    figure = _figure(10, 3.8)
    axes = figure.subplots()
    colours = [MET_COLOUR if v > target_pct else MISSED_COLOUR for v in ratio.fillna(0)]
    axes.bar(ratio.index, ratio.fillna(0), color=colours, width=0.7)
    for m in ratio.index:
        if np.isnan(ratio[m]):
            axes.text(m, 2, zh_en("无数据", "no data", cjk), ha="center", va="bottom", fontsize=7, color="#777777",
                      rotation=90)  # fmt: skip
        elif ratio[m] >= 15:
            axes.text(m, ratio[m] - 2, f"{ratio[m]:.1f} %", ha="center", va="top", fontsize=7.5, color="white")
        else:
            axes.text(m, ratio[m] + 1, f"{ratio[m]:.1f} %", ha="center", va="bottom", fontsize=7.5)
    axes.axhline(target_pct, color=TARGET_LINE_COLOUR, linestyle="--", linewidth=1.2)
    handles = [
        Patch(facecolor=MET_COLOUR, label=zh_en("达到目标", f"above the target (> {target_pct:g} %)", cjk)),
        Patch(facecolor=MISSED_COLOUR, label=zh_en("未达目标", "at or below the target", cjk)),
        Line2D(
            [],
            [],
            color=TARGET_LINE_COLOUR,
            linestyle="--",
            label=zh_en("811规划目标", f"811 plan target > {target_pct:g} %", cjk),
        ),  # fmt: skip
    ]
    axes.legend(handles=handles, loc="lower right", bbox_to_anchor=(1, 1.0), ncol=3, fontsize=8, frameon=False)
    axes.set_xticks(
        range(1, 13),
        [f"{name}\n{labels.get(m, '')}" for m, name in enumerate(MONTHS if cjk else MONTHS_EN, start=1)],
        fontsize=8,
    )
    axes.set_xlim(0.4, 12.6)
    axes.set_ylim(0, 100)
    axes.set_yticks(range(0, 101, 20))
    axes.set_ylabel(zh_en("优良天数比例", "good-air days / valid days (%)", cjk))
    axes.grid(axis="y", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def annual_figure(annual: pd.DataFrame) -> Figure:
    """Annual statistics as % of their GB 3095-2012 Grade II limit, with the limit at 100 %.

    annual: ``pollutant``, ``value``, ``unit``, ``grade_ii_limit``, ``data_complete``, ``valid_days``."""
    cjk = cjk_font() is not None
    order = {p: i for i, p in enumerate(POLLUTANT_LABELS)}
    rows = annual.assign(_o=annual["pollutant"].map(order).fillna(99)).sort_values("_o", ascending=False)
    value, limit = floats(rows["value"]), floats(rows["grade_ii_limit"])
    pct = 100 * value / limit
    figure = _figure(10, 0.55 * len(rows) + 1.2)
    axes = figure.subplots()
    y = np.arange(len(rows))
    axes.barh(y, pct.fillna(0), color=[MET_COLOUR if p <= 100 else TARGET_LINE_COLOUR for p in pct.fillna(0)],
              height=0.6)  # fmt: skip
    top = max(125.0, float(np.nanmax(pct.to_numpy(), initial=0)) * 1.35)
    labels = []
    for i, (row, v, lim, p) in enumerate(zip(rows.itertuples(), value, limit, pct, strict=True)):
        unit = UNIT_LABELS.get(row.unit, plot_text(row.unit, False))
        limit_word = zh_en("限值", "limit", cjk)
        text = zh_en("无数值", "no value", cjk) if np.isnan(v) else f"{v:g} {unit} / {limit_word} {lim:g} ({p:.0f} %)"
        axes.text((0 if np.isnan(p) else p) + top * 0.01, i, text, va="center", fontsize=8)
        names = POLLUTANT_LABELS.get(row.pollutant)
        english = f"{names[0].split()[0]} {names[1]}" if names else ""
        label = (f"{names[0]} {names[1]}" if cjk else english) if names else plot_text(row.pollutant, False)
        if not flags(pd.Series([row.data_complete]))[0]:
            label += "\n(" + zh_en("数据不完整", "incomplete", cjk) + f": {int(row.valid_days or 0)} "
            label += "天 days)" if cjk else "days)"
        labels.append(label)
    axes.axvline(100, color=TARGET_LINE_COLOUR, linestyle="--", linewidth=1.2)
    axes.text(100, len(rows) - 0.45, " " + zh_en("二级浓度限值", "Grade II limit", cjk) + " = 100 %",
              color=TARGET_LINE_COLOUR, fontsize=8, va="bottom")  # fmt: skip
    axes.set_yticks(y, labels, fontsize=8)
    axes.set_xlim(0, top)
    axes.set_ylim(-0.6, len(rows) - 0.1)
    axes.set_xlabel(zh_en("占GB 3095二级浓度限值的百分比", "% of the GB 3095 Grade II limit in force", cjk))
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def water_grid(water: pd.DataFrame) -> pd.DataFrame:
    """One row per section and month: the manual (lab) class, or the automatic station's when no
    sample was taken. Pure; columns as :data:`v_water_section_month`, plus ``month_number``."""
    if water.empty:
        return water.assign(month_number=pd.Series(dtype=int))
    ranked = water.assign(_k=(water["kind"] != "manual").astype(int), month_number=water["month"].str[5:7].astype(int))
    ranked = ranked.sort_values(["section_code", "month", "_k"]).drop_duplicates(["section_code", "month"])
    return ranked.drop(columns="_k").reset_index(drop=True)


def water_figure(water: pd.DataFrame) -> Figure:
    """Sections x months coloured by GB 3838-2002 class; a black frame where the class is worse than
    the section's target class (its label bold unless drawn in the CJK font, which has one weight).
    water: rows of ``v_water_section_month`` (see :func:`water_grid`)."""
    grid = water_grid(water)
    cjk = cjk_font() is not None
    sections = grid.drop_duplicates("section_code").reset_index(drop=True)
    row_of = {code: i for i, code in enumerate(sections["section_code"])}
    figure = _figure(10, 0.32 * len(sections) + 1.6)
    axes = figure.subplots()
    for cell in grid.assign(worse=worse_than_target(grid["meets_target"])).itertuples():
        number = pd.to_numeric(cell.water_class, errors="coerce")
        if pd.isna(number):
            continue
        x, y = cell.month_number, row_of[cell.section_code]
        missed = cell.worse
        axes.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=WATER_CLASS_COLOURS[int(number)],
                                 edgecolor="black" if missed else "white", linewidth=2.5 if missed else 1,
                                 zorder=3 if missed else 2))  # fmt: skip
        axes.text(x, y, class_label(int(number), cjk), ha="center", va="center", fontsize=7.5, zorder=4,
                  fontweight="bold" if missed and not cjk else "normal", color="white" if int(number) in (2, 6) else "black")  # fmt: skip
    labels = []
    for row in sections.itertuples():
        target = pd.to_numeric(row.target_class, errors="coerce")
        label = plot_text(row.section_code, cjk) + (f" {plot_text(row.name_zh, cjk)}" if cjk else "")
        target_word = zh_en("目标", "target", cjk)
        labels.append(label + ("" if pd.isna(target) else f" ({target_word} {class_label(int(target), cjk)})"))
    axes.set_yticks(range(len(sections)), labels, fontsize=8)
    axes.set_xticks(range(1, 13), MONTHS if cjk else MONTHS_EN, fontsize=8)
    axes.set_xlim(0.5, 12.5)
    axes.set_ylim(len(sections) - 0.5, -0.5)
    axes.set_facecolor("#f4f4f4")
    axes.tick_params(length=0)
    handles = [
        Patch(facecolor=c, edgecolor="#888888", label=class_label(n, cjk)) for n, c in WATER_CLASS_COLOURS.items()
    ]
    handles.append(
        Patch(facecolor="white", edgecolor="black", linewidth=2, label=zh_en("劣于目标", "worse than target", cjk))
    )
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.04), ncol=7, fontsize=8, frameon=False)
    return figure


def exceedance_figure(exceedances: pd.DataFrame) -> Figure:
    """Exceedance days per outlet and pollutant as horizontal bars, labelled with the worst multiple
    of the limit. exceedances: ``outlet_code``, ``enterprise_zh``, ``pollutant``, ``exceed_days``,
    ``max_times_limit``."""
    cjk = cjk_font() is not None
    rows = exceedances.iloc[::-1].reset_index(drop=True)
    days, worst = floats(rows["exceed_days"]), floats(rows["max_times_limit"])
    figure = _figure(10, 0.42 * len(rows) + 1.0)
    axes = figure.subplots()
    axes.barh(range(len(rows)), days, color=TARGET_LINE_COLOUR, height=0.6)
    top = max(float(days.max()) if len(days) else 1.0, 1.0)
    for i, (d, w) in enumerate(zip(days, worst, strict=True)):
        text = (
            f"{d:.0f} 天 days, 最高为限值的 {w:.2f} 倍 max {w:.2f}× limit" if cjk else f"{d:.0f} d, max {w:.2f}× limit"
        )
        axes.text(d + top * 0.01, i, text, va="center", fontsize=8)
    labels = [
        f"{plot_text(r.outlet_code, cjk)} {plot_text(r.pollutant, cjk).upper()}"
        + (f" {plot_text(r.enterprise_zh, cjk)}" if cjk else "")
        for r in rows.itertuples()
    ]
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.set_xlim(0, top * 1.35)
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel(zh_en("超过排放限值的天数", "days over the emission limit", cjk))
    axes.grid(axis="x", alpha=0.3)
    axes.spines[["top", "right"]].set_visible(False)
    return figure


def composite_figure(months: pd.DataFrame, year: int) -> Figure:
    """A city's monthly composite index (I_sum, smaller is cleaner) of ``year`` as bars, with the same month a
    year before as points where the warehouse holds it.

    months: ``period`` ('YYYY-MM'), ``composite_index``, ``previous_year_index``."""
    cjk = cjk_font() is not None
    now = pd.Series(np.nan, index=range(1, 13))
    before = pd.Series(np.nan, index=range(1, 13))
    for row in months.itertuples():
        m = int(str(row.period)[5:7])
        now[m] = float(pd.to_numeric(row.composite_index, errors="coerce"))
        before[m] = float(pd.to_numeric(row.previous_year_index, errors="coerce"))
    figure = _figure(10, 3.4)
    axes = figure.subplots()
    axes.bar(now.index, now.fillna(0), color="#5b8cc4", width=0.7, label=zh_en(f"{year}年", str(year), cjk))
    for m in now.index:
        if np.isnan(now[m]):
            axes.text(m, 0.05, zh_en("无数据", "no data", cjk), ha="center", va="bottom", fontsize=7, color="#777777",
                      rotation=90)  # fmt: skip
        else:
            axes.text(m, now[m], f"{now[m]:.2f}", ha="center", va="bottom", fontsize=7.5)
    if before.notna().any():
        axes.plot(
            before.index, before, "o", color="#444444", label=zh_en(f"{year - 1}年同期", f"same month {year - 1}", cjk)
        )
    axes.set_xticks(range(1, 13), MONTHS if cjk else MONTHS_EN, fontsize=8)
    axes.set_ylabel(zh_en("综合指数", "composite index I_sum", cjk), fontsize=8)
    axes.legend(loc="lower right", bbox_to_anchor=(1, 1.0), ncol=2, fontsize=8, frameon=False)
    axes.grid(axis="y", alpha=0.3)
    return figure


WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
WEEKDAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
PROFILE_POLLUTANTS = {
    "o3": ("臭氧", "O3 (1-h)", "#e6842a"),
    "pm25": ("PM2.5", "PM2.5", "#5b6c9e"),
}  # one name in both languages


def time_profiles(hours: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Mean concentration of each pollutant by hour of the day (hour-beginning 0-23), day of the week (Monday 0)
    of the natural day and month, over every station-hour (the shape of openair's timeVariation).

    hours: ``hour_end`` (hour-ending stamps), ``pollutant``, ``value``. Returns ``hour``, ``weekday`` and ``month``
    frames, one column per pollutant."""
    hour_end = pd.to_datetime(hours["hour_end"].astype(str))
    start = hour_end - pd.Timedelta(hours=1)  # 01:00 holds 00:00-01:00; D+1 00:00 belongs to D
    keyed = hours.assign(hour=start.dt.hour, weekday=start.dt.weekday, month=start.dt.month,
                         value=pd.to_numeric(hours["value"], errors="coerce"))  # fmt: skip
    return {
        key: keyed.pivot_table(index=key, columns="pollutant", values="value", aggfunc="mean").reindex(range(*span))
        for key, span in (("hour", (0, 24)), ("weekday", (0, 7)), ("month", (1, 13)))
    }


def profiles_figure(hours: pd.DataFrame, year: int) -> Figure:
    """O3 and PM2.5 by hour of the day, day of the week and month (three panels), the months against the Grade
    II annual PM2.5 limit in force for ``year`` (GB 3095-2012 / GB 3095-2026 Table 1)."""
    from pipeline.indicators.editions import period_edition
    from pipeline.indicators.evaluation import GRADE_II_LIMITS_BY_EDITION

    cjk = cjk_font() is not None
    profiles = time_profiles(hours)
    figure = _figure(13, 3.6)
    panels = figure.subplots(1, 3, gridspec_kw={"width_ratios": [2.4, 1, 1.6]})
    titles = [zh_en("小时变化", "hour of the day", cjk), zh_en("星期变化", "day of the week", cjk),
              zh_en("月变化", "month", cjk)]  # fmt: skip
    ticks = [(range(0, 24, 3), [f"{h:02d}" for h in range(0, 24, 3)]),
             (range(7), WEEKDAYS if cjk else WEEKDAYS_EN), (range(1, 13), MONTHS if cjk else MONTHS_EN)]  # fmt: skip
    for axes, key, title, (where, labels) in zip(panels, ("hour", "weekday", "month"), titles, ticks, strict=True):
        frame = profiles[key]
        for code, (zh, en, colour) in PROFILE_POLLUTANTS.items():
            if code in frame and frame[code].notna().any():
                axes.plot(frame.index, frame[code], marker="o", markersize=3, color=colour, label=zh_en(zh, en, cjk))
        axes.set_title(title, fontsize=9)
        axes.set_xticks(list(where), labels, fontsize=7.5)
        axes.grid(alpha=0.3)
        axes.spines[["top", "right"]].set_visible(False)
    limits = GRADE_II_LIMITS_BY_EDITION[period_edition(str(year)).code].set_index("pollutant")["limit"]
    panels[2].axhline(float(limits["pm25"]), color=TARGET_LINE_COLOUR, linestyle="--", linewidth=1)
    panels[2].text(12.4, float(limits["pm25"]), zh_en("PM2.5二级年均限值", "PM2.5 Grade II annual limit", cjk),
                   ha="right", va="bottom", fontsize=7, color=TARGET_LINE_COLOUR)  # fmt: skip
    panels[0].set_ylabel(zh_en("浓度 µg/m³", "concentration µg/m³", cjk), fontsize=8)
    panels[0].legend(fontsize=8, frameon=False)
    return figure


HIGHLIGHT_COLOUR = "#d95f02"


def ranking_figure(ranking: pd.DataFrame, city: str, title_zh: str, title_en: str) -> Figure:
    """One period's ranking of a universe by composite index as horizontal bars, cleanest on top, ``city``
    highlighted; cities not ranked (incomplete data) at the bottom, hatched, their value for reference.

    ranking: ``city``, ``value`` (I_sum), ``rank`` (NaN when not ranked)."""
    cjk = cjk_font() is not None
    frame = ranking.assign(value=floats(ranking["value"]), rank=floats(ranking["rank"]))
    frame = frame[frame["value"].notna()].sort_values(["rank", "value"], na_position="last")
    figure = _figure(7.5, 0.32 * max(len(frame), 3) + 1.0)
    axes = figure.subplots()
    positions = np.arange(len(frame))[::-1]
    for y, row in zip(positions, frame.itertuples(), strict=True):
        ranked = not np.isnan(row.rank)
        colour = HIGHLIGHT_COLOUR if row.city == city else "#5b8cc4"
        axes.barh(y, row.value, color=colour if ranked else "#ffffff", edgecolor=colour,
                  hatch=None if ranked else "///", height=0.7)  # fmt: skip
        label = f"{row.value:.2f}" + ("" if ranked else zh_en("（未排名）", " (not ranked)", cjk))
        axes.text(row.value, y, " " + label, va="center", fontsize=7.5)
    names = [
        (f"{int(r.rank)}. " if not np.isnan(r.rank) else "— ") + plot_text(r.city, cjk) for r in frame.itertuples()
    ]
    axes.set_yticks(positions, names, fontsize=8)
    axes.set_xlabel(zh_en("综合指数（越小越好）", "composite index I_sum (smaller is cleaner)", cjk), fontsize=8)
    axes.set_title(zh_en(title_zh, title_en, cjk), fontsize=9)
    axes.set_xlim(0, float(frame["value"].max()) * 1.25 if len(frame) else 1)
    axes.grid(axis="x", alpha=0.3)
    return figure


def rank_trend_figure(ranks: pd.DataFrame, year: int, city: str) -> Figure:
    """``city``'s monthly rank by composite index in each universe, rank 1 on top (the y-axis spans every rank
    given in the year, so a move of one place looks like one place).

    ranks: ``universe_zh``, ``period`` ('YYYY-MM'), ``rank`` (NaN: not ranked), ``n_ranked``, ``n_members``."""
    cjk = cjk_font() is not None
    universes = list(dict.fromkeys(ranks["universe_zh"]))
    figure = _figure(10, 2.8 * max(len(universes), 1))
    axes_list = np.atleast_1d(figure.subplots(max(len(universes), 1), 1, squeeze=False).ravel())
    for axes, universe in zip(axes_list, universes, strict=False):
        mine = ranks[ranks["universe_zh"] == universe]
        series = pd.Series(np.nan, index=range(1, 13))
        for row in mine.itertuples():
            series[int(str(row.period)[5:7])] = float(pd.to_numeric(row.rank, errors="coerce"))
        members = int(pd.to_numeric(mine["n_members"], errors="coerce").max()) if len(mine) else 1
        ranked = pd.to_numeric(mine["n_ranked"], errors="coerce").max() if "n_ranked" in mine and len(mine) else np.nan
        n = int(ranked) if pd.notna(ranked) and ranked > 0 else members
        axes.plot(series.index, series, "o-", color=HIGHLIGHT_COLOUR)
        for m, value in series.items():
            axes.text(m, value if not np.isnan(value) else 1,
                      f" {int(value)}" if not np.isnan(value) else zh_en("未排名", "n/r", cjk),
                      fontsize=7.5, va="bottom", ha="left", color="#333333" if not np.isnan(value) else "#777777")  # fmt: skip
        axes.set_ylim(n + 0.5, 0.5)
        axes.set_xticks(range(1, 13), MONTHS if cjk else MONTHS_EN, fontsize=8)
        axes.set_ylabel(zh_en("名次", "rank", cjk), fontsize=8)
        shown = f"共{members}个" + (f"，参与排名至多{n}个" if n < members else "")
        axes.set_title(zh_en(f"{city}{year}年逐月排名：{universe}（{shown}）",
                             f"{city}'s monthly rank, {year} ({n} of {members} cities ranked at most)"
                             if n < members else f"{city}'s monthly rank, {year} ({members} cities)", cjk), fontsize=9)  # fmt: skip
        axes.grid(axis="y", alpha=0.3)
    figure.subplots_adjust(hspace=0.5, top=0.92, bottom=0.08)
    return figure
