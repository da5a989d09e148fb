SELECT coalesce(nullif(trim(customers.segment), $1), $2) AS segment, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= $3) THEN $4 END) AS promoters, count(CASE WHEN (feedback.nps <= $5) THEN $6 END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= $7) THEN $8 END) AS csat_top2, CAST(coalesce(sum(feedback.csat), $9) AS DOUBLE PRECISION) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), $10) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), $11) AS DOUBLE PRECISION) AS ces_sumsq 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= $12 AND feedback.responded_at < $13 GROUP BY coalesce(nullif(trim(customers.segment), $1), $2) ORDER BY segment

-- next statement

SELECT coalesce(nullif(trim(customers.segment), $1), $2) AS segment, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= $3) THEN $4 END) AS promoters, count(CASE WHEN (feedback.nps <= $5) THEN $6 END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= $7) THEN $8 END) AS csat_top2, CAST(coalesce(sum(feedback.csat), $9) AS DOUBLE PRECISION) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), $10) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), $11) AS DOUBLE PRECISION) AS ces_sumsq 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= $12 AND feedback.responded_at < $13 GROUP BY coalesce(nullif(trim(customers.segment), $1), $2) ORDER BY segment
