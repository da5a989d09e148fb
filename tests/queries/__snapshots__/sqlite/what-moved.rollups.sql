SELECT coalesce(nullif(trim(rollup_feedback.segment), ?), ?) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= ?) THEN ? END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), ?) AS DOUBLE) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), ?) AS DOUBLE) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), ?) AS DOUBLE) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= ? AND rollup_feedback.responded_at < ? GROUP BY coalesce(nullif(trim(rollup_feedback.segment), ?), ?) ORDER BY segment

-- next statement

SELECT coalesce(nullif(trim(rollup_feedback.segment), ?), ?) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= ?) THEN ? END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), ?) AS DOUBLE) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), ?) AS DOUBLE) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), ?) AS DOUBLE) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= ? AND rollup_feedback.responded_at < ? GROUP BY coalesce(nullif(trim(rollup_feedback.segment), ?), ?) ORDER BY segment
