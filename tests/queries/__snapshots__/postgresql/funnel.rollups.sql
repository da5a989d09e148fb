SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != %(trim_1)s::VARCHAR ORDER BY trim(events.stage)

-- next statement

WITH cohort AS 
(SELECT rollup_funnel_events.ckey AS ckey, rollup_funnel_events.occurred_at AS t1, rollup_funnel_events.next_1 AS t 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.idx = %(first_idx)s::SMALLINT AND rollup_funnel_events.occurred_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND rollup_funnel_events.occurred_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE AND (rollup_funnel_events.prev_same_at IS NULL OR rollup_funnel_events.prev_same_at < %(entered_before)s::TIMESTAMP WITHOUT TIME ZONE)), 
step_2 AS 
(SELECT cohort.ckey AS ckey, cohort.t1 AS t1, cohort.t1 AS previous_t, cohort.t AS t 
FROM cohort 
WHERE cohort.t IS NOT NULL AND CAST(EXTRACT(EPOCH FROM (cohort.t - cohort.t1)) AS DOUBLE PRECISION) <= %(window_seconds)s)
 SELECT count(CASE WHEN (reached.position = 1) THEN %(param_1)s::INTEGER END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN %(param_2)s::INTEGER END) AS reached_2, percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT 1 AS position, CAST(NULL AS DOUBLE PRECISION) AS seconds 
FROM cohort UNION ALL SELECT 2 AS position, CAST(EXTRACT(EPOCH FROM (step_2.t - step_2.previous_t)) AS DOUBLE PRECISION) AS seconds 
FROM step_2) AS reached
