SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN ($2))) AS events 
WHERE trim(events.stage) != $1 ORDER BY trim(events.stage)

-- next statement

WITH cohort AS 
(SELECT rollup_funnel_events.ckey AS ckey, rollup_funnel_events.occurred_at AS t1, rollup_funnel_events.next_1 AS t, coalesce(nullif(trim(rollup_funnel_events.region), $3), $4) AS grp 
FROM (SELECT rollup_funnel_events.ckey AS ckey, rollup_funnel_events.idx AS idx, rollup_funnel_events.occurred_at AS occurred_at, rollup_funnel_events.prev_same_at AS prev_same_at, rollup_funnel_events.next_1 AS next_1, rollup_funnel_events.next_2 AS next_2, rollup_funnel_events.next_3 AS next_3, rollup_funnel_events.next_4 AS next_4, rollup_funnel_events.next_5 AS next_5, rollup_funnel_events.next_6 AS next_6, rollup_funnel_events.next_7 AS next_7, rollup_funnel_events.next_8 AS next_8, rollup_funnel_events.next_9 AS next_9, rollup_funnel_events.next_10 AS next_10, rollup_funnel_events.next_11 AS next_11, rollup_funnel_events.next_12 AS next_12, rollup_funnel_events.segment AS segment, rollup_funnel_events.region AS region, rollup_funnel_events.channel AS channel, rollup_funnel_events.age_band AS age_band, rollup_funnel_events.gender AS gender, rollup_funnel_events.income_band AS income_band 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.region IN ($10)) AS rollup_funnel_events 
WHERE rollup_funnel_events.idx = $5 AND rollup_funnel_events.occurred_at >= $6 AND rollup_funnel_events.occurred_at < $7 AND (rollup_funnel_events.prev_same_at IS NULL OR rollup_funnel_events.prev_same_at < $8)), 
step_2 AS 
(SELECT cohort.ckey AS ckey, cohort.t1 AS t1, cohort.t1 AS previous_t, cohort.t AS t, cohort.grp AS grp 
FROM cohort 
WHERE cohort.t IS NOT NULL AND (epoch(cohort.t) - epoch(cohort.t1)) <= $9)
 SELECT reached.grp AS region, count(CASE WHEN (reached.position = 1) THEN $1 END) AS reached_1, count(CASE WHEN (reached.position = 2) THEN $2 END) AS reached_2, median(CASE WHEN (reached.position = 2) THEN reached.seconds END) AS median_seconds_2 
FROM (SELECT cohort.grp AS grp, 1 AS position, CAST(NULL AS DOUBLE PRECISION) AS seconds 
FROM cohort UNION ALL SELECT step_2.grp AS grp, 2 AS position, (epoch(step_2.t) - epoch(step_2.previous_t)) AS seconds 
FROM step_2) AS reached GROUP BY reached.grp ORDER BY reached.grp
