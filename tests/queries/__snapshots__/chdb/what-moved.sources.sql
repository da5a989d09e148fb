SELECT coalesce(nullif(trim(customers.segment), ?), ?) AS segment, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY coalesce(nullif(trim(customers.segment), ?), ?) ORDER BY segment

-- next statement

SELECT coalesce(nullif(trim(customers.segment), ?), ?) AS segment, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY coalesce(nullif(trim(customers.segment), ?), ?) ORDER BY segment
