SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != %(trim_1)s::VARCHAR ORDER BY trim(events.stage)

-- next statement

SET LOCAL enable_nestloop = off

-- next statement

WITH cohort AS 
(SELECT events.customer_id AS customer_id, min(events.occurred_at) AS t1 
FROM events 
WHERE events.stage = %(first_step)s::VARCHAR AND events.occurred_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY events.customer_id), 
later AS 
(SELECT events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, cohort.t1 AS t1 
FROM events JOIN cohort ON cohort.customer_id = events.customer_id 
WHERE events.stage IN (%(later_steps_1)s::VARCHAR) AND events.occurred_at >= cohort.t1 AND CAST(EXTRACT(EPOCH FROM (events.occurred_at - cohort.t1)) AS DOUBLE PRECISION) <= %(window_seconds)s AND events.occurred_at >= %(later_from)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at <= %(later_to)s::TIMESTAMP WITHOUT TIME ZONE), 
step_2 AS 
(SELECT later.customer_id AS customer_id, later.t1 AS previous_t, min(later.occurred_at) AS t 
FROM later 
WHERE later.stage = %(step_2)s::VARCHAR GROUP BY later.customer_id, later.t1)
 SELECT count(CASE WHEN (reached.position = 1) THEN %(param_1)s::INTEGER END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN %(param_2)s::INTEGER END) AS reached_2, percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT 1 AS position, CAST(NULL AS DOUBLE PRECISION) AS seconds 
FROM cohort UNION ALL SELECT 2 AS position, CAST(EXTRACT(EPOCH FROM (step_2.t - step_2.previous_t)) AS DOUBLE PRECISION) AS seconds 
FROM step_2) AS reached
