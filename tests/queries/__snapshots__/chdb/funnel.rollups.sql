SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != ? ORDER BY trim(events.stage)

-- next statement

WITH cohort AS MATERIALIZED 
(SELECT rollup_funnel_events.ckey AS ckey, rollup_funnel_events.occurred_at AS t1, rollup_funnel_events.next_1 AS t 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.idx = ? AND rollup_funnel_events.occurred_at >= toDateTime64(?, ?) AND rollup_funnel_events.occurred_at < toDateTime64(?, ?) AND (rollup_funnel_events.prev_same_at IS NULL OR rollup_funnel_events.prev_same_at < toDateTime64(?, ?))), 
step_2 AS MATERIALIZED 
(SELECT cohort.ckey AS ckey, cohort.t1 AS t1, cohort.t1 AS previous_t, cohort.t AS t 
FROM cohort 
WHERE cohort.t IS NOT NULL AND (dateDiff('microsecond', cohort.t1, cohort.t) / 1000000.0) <= ?)
 SELECT count(CASE WHEN (reached.position = 1) THEN ? END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN ? END) AS reached_2, quantileExactInclusive(0.5)(CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT 1 AS position, CAST(NULL AS Float64) AS seconds 
FROM cohort UNION ALL SELECT 2 AS position, (dateDiff('microsecond', step_2.previous_t, step_2.t) / 1000000.0) AS seconds 
FROM step_2) AS reached
