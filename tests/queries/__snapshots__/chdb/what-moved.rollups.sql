SELECT coalesce(nullif(trim(rollup_feedback.segment), ?), ?) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= ?) THEN ? END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), ?) AS Float64) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= toDateTime64(?, ?) AND rollup_feedback.responded_at < toDateTime64(?, ?) GROUP BY coalesce(nullif(trim(rollup_feedback.segment), ?), ?) ORDER BY segment

-- next statement

SELECT coalesce(nullif(trim(rollup_feedback.segment), ?), ?) AS segment, count(*) AS responses, count(rollup_feedback.nps) AS n_nps, count(CASE WHEN (rollup_feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (rollup_feedback.nps <= ?) THEN ? END) AS detractors, count(rollup_feedback.csat) AS n_csat, count(CASE WHEN (rollup_feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(rollup_feedback.csat), ?) AS Float64) AS csat_sum, count(rollup_feedback.ces) AS n_ces, CAST(coalesce(sum(rollup_feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(rollup_feedback.ces * rollup_feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM rollup_feedback 
WHERE rollup_feedback.responded_at >= toDateTime64(?, ?) AND rollup_feedback.responded_at < toDateTime64(?, ?) GROUP BY coalesce(nullif(trim(rollup_feedback.segment), ?), ?) ORDER BY segment
