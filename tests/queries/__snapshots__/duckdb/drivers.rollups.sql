SELECT feedback.customer_id, feedback.touchpoint, CAST(sum(feedback.csat) AS DOUBLE PRECISION) AS csat_sum, count(feedback.csat) AS csat_n, CAST(sum(feedback.nps) AS DOUBLE PRECISION) AS nps_sum, count(feedback.nps) AS nps_n 
FROM feedback JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= $1 AND feedback.responded_at < $2 GROUP BY feedback.customer_id, feedback.touchpoint 
HAVING count(feedback.csat) > $3 OR count(feedback.nps) > $4

-- next statement

SELECT summary.touchpoint, summary.n_csat, summary.csat_top2, touchpoints.target_csat 
FROM (SELECT rollup_feedback.touchpoint AS touchpoint, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= $1) THEN $2 END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= $3) THEN $4 END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= $5) THEN $6 END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), $7) AS DOUBLE PRECISION) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), $8) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), $9) AS DOUBLE PRECISION) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= $10 AND rollup_feedback.responded_at < $11 GROUP BY rollup_feedback.touchpoint ORDER BY touchpoint) AS summary LEFT OUTER JOIN touchpoints ON touchpoints.touchpoint = summary.touchpoint ORDER BY summary.touchpoint
