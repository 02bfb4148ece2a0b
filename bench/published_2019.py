"""qz811's 2019 air figures beside what the ministry and Zhejiang published for 2019 (issue 25), run by hand.

    .venv/bin/python bench/published_2019.py --national DIR [--db URL]

DIR holds the national 2019 year (``china_sites_2019MMDD.csv``, 364 files): the archive GitHub
``Feryt/IntroML-Final-Project`` at 79a21d7 (``fetch`` it, then ``git show HEAD:china_sites_YYYYMMDD.csv``; not in this
repository). The script makes (or continues: the backfill is resumable) a SQLite warehouse of that year with the
hourly scope ``quzhou`` (station- and city-days for every city), which computes the rankings of every rank universe
(:mod:`pipeline.indicators.ranking`), then writes ``bench/published_2019.md``: each published figure beside ours, and
each difference with its cause. The backfill took 13.5 minutes on this 2-CPU machine (2026-12-07, 364 files, 1,606
stations, hourly scope quzhou); the comparison takes seconds when it is done (``--skip-backfill``).

The published figures (and where they were found; no gov.cn original was reachable here, so most are official
texts as reposted) are :data:`PUBLISHED`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

MEE_2019_BEST_20 = ["拉萨", "海口", "舟山", "厦门", "黄山", "福州", "丽水", "贵阳", "深圳", "台州",
                    "雅安", "惠州", "遂宁", "珠海", "昆明", "张家口", "南宁", "温州", "内江", "广安"]  # fmt: skip
MEE_2019_WORST_20 = ["安阳", "邢台", "石家庄", "邯郸", "临汾", "唐山", "太原", "淄博", "焦作", "晋城",
                     "保定", "济南", "聊城", "新乡", "鹤壁", "临沂", "洛阳", "枣庄", "咸阳", "郑州"]  # fmt: skip
"""生态环境部 2019年全国生态环境质量简况 (2020-05-07), as reported by 中国青年报 2020-05-08 (repost
http://dampscompany.com/news/news-1088713-1.html; the same lists with provinces: https://m.phb.net.cn/city/158296.html):
"相对较好的20个城市(从第1名到第20名)依次是…", "相对较差的20个城市(从第168名到第149名)依次是安阳…". Worst first: 安阳 168."""

PUBLISHED = {
    "zhejiang_11_good_day_ratio": (88.6, "浙江省11个设区城市 AQI优良天数比例 88.6%（中国环境报 2020-03-30 第02版，省政府2019年环境状况报告，"
                                         "http://epaper.cenews.com.cn/html/2020-03/30/content_92722.htm）"),
    "zhejiang_11_pm25": (31, "浙江省11个设区城市 PM2.5 平均浓度 31 µg/m³（同上）"),
    "丽水_good_day_ratio": (98.1, "《2019年丽水市生态环境状况公报》市区AQI优良率98.1%，位居全省第一"
                                 "（http://www.lishui.gov.cn/art/2020/8/6/art_1229430345_57139702.html）"),
    "丽水_pm25": (25, "同上：PM2.5平均浓度25 µg/m³，居全省第二"),
    "温州_good_day_ratio": (97.0, "温州市2019年统计公报：市区空气质量优良率97.0%"
                                 "（http://www.wenzhou.gov.cn/art/2020/3/24/art_1229445760_3749794.html）"),
    "温州_pm25": (28, "同上：市区PM2.5年均浓度28 µg/m³"),
    "national_337_good_day_ratio": (82.0, "全国337个地级及以上城市平均优良天数比例82.0%（生态环境部2019年简况，中国青年报转载）"),
    "national_337_pm25": (36, "全国337个城市PM2.5浓度36 µg/m³（生态环境部 2020-01-23 通报，转载 http://www.zprce.cn/contents/175149）"),
}  # fmt: skip

CAUSES = """Why our figures differ from the published ones:

1. **Real-time against audited data.** The national archive is CNEMC's real-time release (实时发布数据); the ministry
   and the province evaluate audited data (审核数据), in which invalid hours are removed or corrected and hours the
   real-time feed lost are recovered from the stations. Our 2019 has 2019-04-08 missing in the source and lost hours
   from late August to early October at every station: 24–26 valid days in August and September for Zhejiang's
   cities where the audited data have ~30; a valid day needs all six statistics (HJ 663-2013).
2. **No 扣沙.** The ministry's PM10 and PM2.5 (and so the composite index) of 2019 are after the deduction of
   dust-storm days (扣除沙尘); the files carry no dust marks. Northern cities (拉萨, 张家口, the 2+26) are most affected.
3. **Stations.** We evaluate each city on the stations the CNEMC list of the archive attributes to it (the list in
   `data/reference/NewSiteList_GBK.csv`), all stations of the city's column, background stations (对照点) excluded;
   station changes during 2019 are not modelled.
4. **Universe.** The 168 names come from a third-party list (data/reference/rank_universes.csv, confidence per city);
   a city missing from our data is listed unranked.
5. **Ranking rule.** Our annual rank needs 324 valid days (GB 3095-2012 Table 4) or 90 % of the universe's median
   where the source lost days for all (pipeline/indicators/ranking.py); the ministry ranks every city.
"""


def backfill(national: Path, db_url: str, folder: Path) -> None:
    env = {**os.environ, "QZ811_DB_URL": db_url, "QZ811_HOURLY_SCOPE": "quzhou",
           "QZ811_STAGING_DIR": str(folder / "staging"), "QZ811_DATA_DOCS_DIR": str(folder / "data_docs")}  # fmt: skip
    subprocess.run([sys.executable, "-m", "pipeline", "init-db"], env=env, check=True, cwd=REPO)
    done = subprocess.run([sys.executable, "-m", "pipeline", "backfill", "--from", "2019-01-01", "--to", "2019-12-31",
                           "--landing", str(national), "--known-gap", "2019-04-08"], env=env, cwd=REPO)  # fmt: skip
    if done.returncode not in (0, 1):  # 1: days with problems, named by the backfill itself
        raise SystemExit(f"backfill failed ({done.returncode})")


def ranking(engine, universe: str, period: str = "2019") -> pd.DataFrame:
    frame = pd.read_sql_query(
        "SELECT city, indicator, value, rank, n_ranked, valid_days, note FROM v_city_ranking "
        "WHERE universe = :u AND period = :p",
        engine, params={"u": universe, "p": period},
    )  # fmt: skip
    return frame.pivot_table(index="city", columns="indicator", values=["value", "rank"], aggfunc="first")


def compare(engine) -> str:
    """The comparison file's text."""
    from pipeline.indicators.aqi import round_half_even

    lines = [
        "# qz811's 2019 air figures beside the published ones",
        "",
        f"Written {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `bench/published_2019.py` from the national 2019 "
        "real-time archive (GitHub Feryt/IntroML-Final-Project at 79a21d7, 364 files). Published figures and their "
        "sources are in the script (`PUBLISHED`, `MEE_2019_BEST_20`, `MEE_2019_WORST_20`). Ours: table `city_ranking` / "
        "view `v_city_ranking` (pipeline/indicators/ranking.py), composite index 环办监测〔2018〕19号 without 扣沙.",
        "",
    ]
    mee = ranking(engine, "mee_168")
    zj = ranking(engine, "zhejiang_11")
    if mee.empty:
        return "\n".join(lines + ["No 2019 ranking in the warehouse: backfill the national year first."])
    ours = mee[("rank", "composite_index")]
    everyone = mee[("value", "composite_index")].rank(method="min")  # every city with a value, whatever its days
    lines += ["## 1. The ministry's 168 cities, 2019 (annual composite index)", "",
              "Our rank follows the valid-day rule; 'all 168' ranks every city with a value, as the ministry ranks every "
              "city on its audited (complete) data.", "",
              "| published rank | city | our rank | our rank, all 168 | our I_sum | our valid days |",
              "|---|---|---|---|---|---|"]  # fmt: skip
    valid = pd.read_sql_query("SELECT city, valid_days, note FROM v_city_ranking WHERE universe = 'mee_168' AND "
                              "period = '2019' AND indicator = 'composite_index'", engine).set_index("city")  # fmt: skip
    published = [(i + 1, c) for i, c in enumerate(MEE_2019_BEST_20)] + [
        (168 - i, c) for i, c in enumerate(MEE_2019_WORST_20)
    ]
    ranked_best = ranked_worst = 0
    for rank, city in published:
        our = ours.get(city)
        value = mee[("value", "composite_index")].get(city)
        days = valid["valid_days"].get(city, 0)
        shown = "—" if our is None or pd.isna(our) else str(int(our))
        note = "" if shown != "—" else f" ({valid['note'].get(city, 'no data')})"
        every = everyone.get(city)
        every = "—" if every is None or pd.isna(every) else str(int(every))
        shown_value = "—" if value is None or pd.isna(value) else f"{value:.2f}"
        lines.append(f"| {rank} | {city} | {shown}{note} | {every} | {shown_value} | {days} |")
        if shown != "—":
            ranked_best += rank <= 20 and int(our) <= 20
            ranked_worst += rank >= 149 and int(our) >= 149 - (168 - int(ours.notna().sum()))
    n_ranked = int(ours.notna().sum())
    ours_sorted = ours.dropna().sort_values()
    unranked = valid[valid.index.isin(ours[ours.isna()].index)]
    shifts = [abs(int(everyone[c]) - r) for r, c in published if c in everyone.index and pd.notna(everyone[c])]
    lines += ["", f"Mean absolute difference between the published rank and our rank among all 168: "
              f"{sum(shifts) / len(shifts):.1f} places over {len(shifts)} cities (largest {max(shifts)}).", "",
              f"Not ranked by us ({len(unranked)}: fewer than 324 valid days in the real-time archive, mostly hours lost in "
              "the feed; the audited data the ministry ranks on are complete): "
              + "、".join(f"{c} {int(d)}天" for c, d in unranked["valid_days"].sort_values().items()) + "."]  # fmt: skip
    lines += ["", f"Of the published best 20, {ranked_best} are in our best 20; of the published worst 20, {ranked_worst} "
              f"are in our worst 20 ({n_ranked} of 168 ranked by us). Our best 20: "
              f"{'、'.join(ours_sorted.index[:20])}. Our worst 20 (worst first): {'、'.join(ours_sorted.index[::-1][:20])}.", ""]  # fmt: skip

    lines += ["## 2. Zhejiang's 11 cities, 2019", "",
              "| city | our good-day ratio % | our PM2.5 µg/m³ | our I_sum | our rank (I_sum) among 11 | our rank among 168 | published |",
              "|---|---|---|---|---|---|---|"]  # fmt: skip
    for city in zj.index:
        pub = []
        for key in ("good_day_ratio", "pm25"):
            if f"{city}_{key}" in PUBLISHED:
                pub.append(f"{PUBLISHED[f'{city}_{key}'][0]}")
        if city in MEE_2019_BEST_20:
            pub.append(f"168城第{MEE_2019_BEST_20.index(city) + 1}")
        g, p, i = (zj[("value", k)].get(city) for k in ("good_day_ratio", "pm25", "composite_index"))
        r, r168 = zj[("rank", "composite_index")].get(city), ours.get(city)
        lines.append(f"| {city} | {g:.1f} | {p:.0f} | {i:.2f} | {'—' if pd.isna(r) else int(r)} | "
                     f"{'—' if r168 is None or pd.isna(r168) else int(r168)} | {' / '.join(pub) or '—'} |")  # fmt: skip
    mean_ratio = round_half_even(float(zj[("value", "good_day_ratio")].mean()), 1)
    mean_pm25 = round_half_even(float(zj[("value", "pm25")].mean()), 0)
    lines += ["", f"Mean of the 11 cities: good-day ratio **{mean_ratio} %** (published {PUBLISHED['zhejiang_11_good_day_ratio'][0]} %: "
              f"{PUBLISHED['zhejiang_11_good_day_ratio'][1]}), PM2.5 **{mean_pm25:.0f} µg/m³** (published "
              f"{PUBLISHED['zhejiang_11_pm25'][0]}: {PUBLISHED['zhejiang_11_pm25'][1]}).", ""]  # fmt: skip
    for key in ("丽水_good_day_ratio", "丽水_pm25", "温州_good_day_ratio", "温州_pm25"):
        lines.append(f"- {key}: published {PUBLISHED[key][0]} — {PUBLISHED[key][1]}")
    qz = zj.loc["衢州"] if "衢州" in zj.index else None
    if qz is not None:
        lines += ["", f"**衢州 2019 (ours):** good-day ratio {qz[('value', 'good_day_ratio')]:.1f} %, PM2.5 "
                  f"{qz[('value', 'pm25')]:.0f} µg/m³, composite index {qz[('value', 'composite_index')]:.2f}, rank "
                  f"{int(qz[('rank', 'composite_index')])} of Zhejiang's 11 and "
                  f"{'—' if pd.isna(ours.get('衢州')) else int(ours.get('衢州'))} of the 168. Published: not found for "
                  "2019 (衢州 is in neither of the ministry's 2019 lists, so its published rank is between 21 and 148: "
                  f"ours {'is' if 21 <= (ours.get('衢州') or 0) <= 148 else 'is not'} in that range). For 2018 衢州日报 gave "
                  "88.8 %, PM2.5 33, composite index 3.89, 17th of the 168 (not comparable: the archive has no 2018)."]  # fmt: skip
    lines += ["", "## 3. Causes of the differences", "", CAUSES]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--national", type=Path, required=True, help="folder of the national 2019 files")
    parser.add_argument("--db", default=f"sqlite:///{REPO / 'var' / 'national_2019.db'}")
    parser.add_argument("--skip-backfill", action="store_true", help="compare what the warehouse holds")
    parser.add_argument("-o", "--output", type=Path, default=BENCH / "published_2019.md")
    args = parser.parse_args()
    if not args.skip_backfill:
        backfill(args.national, args.db, REPO / "var" / "national_2019")
    from pipeline.store.engine import make_engine

    text = compare(make_engine(args.db))
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
