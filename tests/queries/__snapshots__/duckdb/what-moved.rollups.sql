SELECT coalesce(nullif(trim(rollup_feedback.segment), $1), $2) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= $3) THEN $4 END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= $5) THEN $6 END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= $7) THEN $8 END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), $9) AS DOUBLE PRECISION) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), $10) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), $11) AS DOUBLE PRECISION) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= $12 AND rollup_feedback.responded_at < $13 GROUP BY coalesce(nullif(trim(rollup_feedback.segment), $1), $2) ORDER BY segment

-- next statement

SELECT coalesce(nullif(trim(rollup_feedback.segment), $1), $2) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= $3) THEN $4 END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= $5) THEN $6 END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= $7) THEN $8 END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), $9) AS DOUBLE PRECISION) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), $10) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), $11) AS DOUBLE PRECISION) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= $12 AND rollup_feedback.responded_at < $13 GROUP BY coalesce(nullif(trim(rollup_feedback.segment), $1), $2) ORDER BY segment
