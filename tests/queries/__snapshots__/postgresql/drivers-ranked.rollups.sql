SELECT feedback.customer_id, feedback.touchpoint, CAST(sum(feedback.csat) AS DOUBLE PRECISION) AS csat_sum, count(feedback.csat) AS csat_n, CAST(sum(feedback.nps) AS DOUBLE PRECISION) AS nps_sum, count(feedback.nps) AS nps_n 
FROM feedback JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY feedback.customer_id, feedback.touchpoint 
HAVING count(feedback.csat) > %(count_1)s::INTEGER OR count(feedback.nps) > %(count_2)s::INTEGER

-- next statement

SELECT summary.touchpoint, summary.n_csat, summary.csat_top2, touchpoints.target_csat 
FROM (SELECT rollup_feedback.touchpoint AS touchpoint, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= %(nps_1)s::SMALLINT) THEN %(param_1)s::INTEGER END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= %(nps_2)s::SMALLINT) THEN %(param_2)s::INTEGER END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= %(csat_1)s::SMALLINT) THEN %(param_3)s::INTEGER END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), %(coalesce_1)s::INTEGER) AS DOUBLE PRECISION) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), %(coalesce_2)s::INTEGER) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), %(coalesce_3)s::INTEGER) AS DOUBLE PRECISION) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND rollup_feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY rollup_feedback.touchpoint ORDER BY touchpoint) AS summary LEFT OUTER JOIN touchpoints ON touchpoints.touchpoint = summary.touchpoint ORDER BY summary.touchpoint
