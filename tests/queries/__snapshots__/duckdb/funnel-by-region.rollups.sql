SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != $1 ORDER BY trim(events.stage)

-- next statement

WITH cohort AS 
(SELECT rollup_funnel_events.ckey AS ckey, rollup_funnel_events.occurred_at AS t1, rollup_funnel_events.next_1 AS t, coalesce(nullif(trim(rollup_funnel_events.region), $3), $4) AS grp 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.idx = $5 AND rollup_funnel_events.occurred_at >= $6 AND rollup_funnel_events.occurred_at < $7 AND (rollup_funnel_events.prev_same_at IS NULL OR rollup_funnel_events.prev_same_at < $8)), 
step_2 AS 
(SELECT cohort.ckey AS ckey, cohort.t1 AS t1, cohort.t1 AS previous_t, cohort.t AS t, cohort.grp AS grp 
FROM cohort 
WHERE cohort.t IS NOT NULL AND (epoch(cohort.t) - epoch(cohort.t1)) <= $9)
 SELECT reached.grp AS region, count(CASE WHEN (reached.position = 1) THEN $1 END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN $2 END) AS reached_2, median(CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT cohort.grp AS grp, 1 AS position, CAST(NULL AS DOUBLE PRECISION) AS seconds 
FROM cohort UNION ALL SELECT step_2.grp AS grp, 2 AS position, (epoch(step_2.t) - epoch(step_2.previous_t)) AS seconds 
FROM step_2) AS reached GROUP BY reached.grp ORDER BY reached.grp
