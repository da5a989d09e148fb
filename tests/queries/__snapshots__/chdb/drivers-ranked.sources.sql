SELECT feedback.customer_id, feedback.touchpoint, CAST(sum(feedback.csat) AS Float64) AS csat_sum, count(feedback.csat) AS csat_n, CAST(sum(feedback.nps) AS Float64) AS nps_sum, count(feedback.nps) AS nps_n 
FROM feedback JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY feedback.customer_id, feedback.touchpoint 
HAVING count(feedback.csat) > ? OR count(feedback.nps) > ?

-- next statement

SELECT summary.touchpoint, summary.n_csat, summary.csat_top2, touchpoints.target_csat 
FROM (SELECT feedback.touchpoint AS touchpoint, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM feedback 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY feedback.touchpoint ORDER BY touchpoint) AS summary LEFT OUTER JOIN touchpoints ON touchpoints.touchpoint = summary.touchpoint ORDER BY summary.touchpoint
