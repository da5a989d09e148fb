SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != ? ORDER BY trim(events.stage)

-- next statement

WITH cohort AS MATERIALIZED 
(SELECT events.customer_id AS customer_id, min(events.occurred_at) AS t1 
FROM events 
WHERE events.stage = ? AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id), 
later AS MATERIALIZED 
(SELECT events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, cohort.t1 AS t1 
FROM events JOIN cohort ON cohort.customer_id = events.customer_id 
WHERE events.stage IN (?) AND events.occurred_at >= cohort.t1 AND (dateDiff('microsecond', cohort.t1, events.occurred_at) / 1000000.0) <= ? AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at <= toDateTime64(?, ?)), 
step_2 AS MATERIALIZED 
(SELECT later.customer_id AS customer_id, later.t1 AS previous_t, min(later.occurred_at) AS t 
FROM later 
WHERE later.stage = ? GROUP BY later.customer_id, later.t1)
 SELECT count(CASE WHEN (reached.position = 1) THEN ? END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN ? END) AS reached_2, quantileExactInclusive(0.5)(CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT 1 AS position, CAST(NULL AS Float64) AS seconds 
FROM cohort UNION ALL SELECT 2 AS position, (dateDiff('microsecond', step_2.previous_t, step_2.t) / 1000000.0) AS seconds 
FROM step_2) AS reached
