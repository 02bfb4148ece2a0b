-- v_city_ranking: 城市环境空气质量排名, each city's rank in its universe by composite index, PM2.5, good-day ratio.
-- Grain: one row per universe, period, indicator and member city. Universes: 浙江省11个设区市 (zhejiang_11),
-- 生态环境部168个重点城市 (mee_168); periods: every month, every 1-N月 (YYYY-01~MM) and every year, with 同比.
-- Question: "where does 衢州 rank among Zhejiang's cities this month, and has it improved on last year?"
-- Method: pipeline/indicators/ranking.py (城市环境空气质量排名技术规定, 环办监测〔2018〕19号): composite index and
-- PM2.5 ascending, good-day ratio descending, values compared as published (I_sum 2 decimals, PM2.5 integer, ratio
-- 1 decimal), equal values share a rank (1, 2, 2, 4). A city below the valid-day rule (GB 3095-2012 Table 4, or 90 %
-- of its universe's median where the source lost days for all) is listed with rank NULL and the reason in note.
-- change: % (I_sum, PM2.5) or percentage points (good-day ratio) against the same period a year before; change_rank
-- ranks I_sum's change (变化程度), the most improved first. No 扣沙 (dust-storm) deduction: the files carry no
-- dust marks. Computed in Python and stored (table city_ranking): this view only names and orders them.
DROP VIEW IF EXISTS v_city_ranking;
CREATE VIEW v_city_ranking AS
SELECT
    r.universe,
    u.universe_zh,
    r.period,
    r.period_kind,                                   -- month | ytd (1-N月累计) | year
    r.indicator,                                     -- composite_index | pm25 | good_day_ratio
    r.city,
    r.value,
    r.rank,                                          -- 1 = best; NULL = not ranked (see note)
    r.n_ranked,
    r.n_members,
    r.previous_value,                                -- the same period a year before
    r.change,                                        -- 同比: % (I_sum, PM2.5), percentage points (good-day ratio)
    r.change_rank,                                   -- I_sum only: rank by change, most improved first
    r.valid_days,
    r.eligible,
    r.note
FROM city_ranking r
JOIN (SELECT DISTINCT universe, universe_zh FROM rank_universe) u ON u.universe = r.universe;
