SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (%(region_1_1)s::VARCHAR))) AS events 
WHERE trim(events.stage) != %(trim_1)s::VARCHAR ORDER BY trim(events.stage)

-- next statement

SET LOCAL enable_nestloop = off

-- next statement

WITH entrants AS 
(SELECT events.customer_id AS customer_id, min(events.occurred_at) AS t1 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (%(region_1_1)s::VARCHAR))) AS events 
WHERE events.stage = %(first_step)s::VARCHAR AND events.occurred_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY events.customer_id), 
cohort AS 
(SELECT entrants.customer_id AS customer_id, entrants.t1 AS t1, coalesce(nullif(trim(customers.region), %(nullif_1)s::VARCHAR), %(param_3)s::VARCHAR) AS grp 
FROM entrants LEFT OUTER JOIN (SELECT customers.customer_id AS customer_id, customers.segment AS segment, customers.region AS region, customers.channel AS channel, customers.age_band AS age_band, customers.gender AS gender, customers.income_band AS income_band, customers.signup_at AS signup_at, customers.name AS name, customers.email AS email, customers.phone AS phone 
FROM customers 
WHERE customers.region IN (%(region_2_1)s::VARCHAR)) AS customers ON customers.customer_id = entrants.customer_id), 
later AS 
(SELECT events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, cohort.t1 AS t1, cohort.grp AS grp 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (%(region_1_1)s::VARCHAR))) AS events JOIN cohort ON cohort.customer_id = events.customer_id 
WHERE events.stage IN (%(later_steps_1)s::VARCHAR) AND events.occurred_at >= cohort.t1 AND CAST(EXTRACT(EPOCH FROM (events.occurred_at - cohort.t1)) AS DOUBLE PRECISION) <= %(window_seconds)s AND events.occurred_at >= %(later_from)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at <= %(later_to)s::TIMESTAMP WITHOUT TIME ZONE), 
step_2 AS 
(SELECT later.customer_id AS customer_id, later.grp AS grp, later.t1 AS previous_t, min(later.occurred_at) AS t 
FROM later 
WHERE later.stage = %(step_2)s::VARCHAR GROUP BY later.customer_id, later.t1, later.grp)
 SELECT reached.grp AS region, count(CASE WHEN (reached.position = 1) THEN %(param_1)s::INTEGER END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN %(param_2)s::INTEGER END) AS reached_2, percentile_cont(0.5) WITHIN GROUP (ORDER BY CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT cohort.grp AS grp, 1 AS position, CAST(NULL AS DOUBLE PRECISION) AS seconds 
FROM cohort UNION ALL SELECT step_2.grp AS grp, 2 AS position, CAST(EXTRACT(EPOCH FROM (step_2.t - step_2.previous_t)) AS DOUBLE PRECISION) AS seconds 
FROM step_2) AS reached GROUP BY reached.grp ORDER BY reached.grp
