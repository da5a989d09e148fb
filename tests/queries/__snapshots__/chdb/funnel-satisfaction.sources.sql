SELECT stages.stage, stages.position, stages.label 
FROM stages ORDER BY stages.position

-- next statement

SELECT DISTINCT trim(events.stage) AS value 
FROM events 
WHERE trim(events.stage) != ? ORDER BY trim(events.stage)

-- next statement

WITH cohort AS MATERIALIZED 
(SELECT events.customer_id AS customer_id, min(events.occurred_at) AS t1 
FROM events 
WHERE events.stage = ? AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id), 
later AS MATERIALIZED 
(SELECT events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, cohort.t1 AS t1 
FROM events JOIN cohort ON cohort.customer_id = events.customer_id 
WHERE events.stage IN (?) AND events.occurred_at >= cohort.t1 AND (dateDiff('microsecond', cohort.t1, events.occurred_at) / 1000000.0) <= ? AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at <= toDateTime64(?, ?)), 
step_2 AS MATERIALIZED 
(SELECT later.customer_id AS customer_id, later.t1 AS previous_t, min(later.occurred_at) AS t 
FROM later 
WHERE later.stage = ? GROUP BY later.customer_id, later.t1), 
progress AS MATERIALIZED 
(SELECT reached.customer_key AS customer_key, max(reached.position) AS furthest 
FROM (SELECT cohort.customer_id AS customer_key, 1 AS position 
FROM cohort UNION ALL SELECT step_2.customer_id AS customer_key, 2 AS position 
FROM step_2) AS reached GROUP BY reached.customer_key), 
by_furthest AS MATERIALIZED 
(SELECT progress.furthest AS furthest, feedback.touchpoint AS touchpoint, count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM progress JOIN feedback ON feedback.customer_id = progress.customer_key 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY progress.furthest, feedback.touchpoint), 
cells AS MATERIALIZED 
(SELECT expanded.position AS position, expanded.side AS side, expanded.touchpoint AS touchpoint, CAST(sum(expanded.responses) AS Int64) AS responses, CAST(sum(expanded.n_nps) AS Int64) AS n_nps, CAST(sum(expanded.promoters) AS Int64) AS promoters, CAST(sum(expanded.detractors) AS Int64) AS detractors, CAST(sum(expanded.n_csat) AS Int64) AS n_csat, CAST(sum(expanded.csat_top2) AS Int64) AS csat_top2, CAST(sum(expanded.csat_sum) AS Float64) AS csat_sum, CAST(sum(expanded.n_ces) AS Int64) AS n_ces, CAST(sum(expanded.ces_sum) AS Float64) AS ces_sum, CAST(sum(expanded.ces_sumsq) AS Float64) AS ces_sumsq 
FROM (SELECT 2 AS position, CASE WHEN (by_furthest.furthest >= ?) THEN 'converted' ELSE 'dropped' END AS side, by_furthest.touchpoint AS touchpoint, by_furthest.responses AS responses, by_furthest.n_nps AS n_nps, by_furthest.promoters AS promoters, by_furthest.detractors AS detractors, by_furthest.n_csat AS n_csat, by_furthest.csat_top2 AS csat_top2, by_furthest.csat_sum AS csat_sum, by_furthest.n_ces AS n_ces, by_furthest.ces_sum AS ces_sum, by_furthest.ces_sumsq AS ces_sumsq 
FROM by_furthest 
WHERE by_furthest.furthest >= ?) AS expanded GROUP BY expanded.position, expanded.side, expanded.touchpoint)
 SELECT rows.position, rows.side, rows.touchpoint, rows.responses, rows.n_nps, rows.promoters, rows.detractors, rows.n_csat, rows.csat_top2, rows.csat_sum, rows.n_ces, rows.ces_sum, rows.ces_sumsq 
FROM (SELECT cells.position AS position, cells.side AS side, cells.touchpoint AS touchpoint, cells.responses AS responses, cells.n_nps AS n_nps, cells.promoters AS promoters, cells.detractors AS detractors, cells.n_csat AS n_csat, cells.csat_top2 AS csat_top2, cells.csat_sum AS csat_sum, cells.n_ces AS n_ces, cells.ces_sum AS ces_sum, cells.ces_sumsq AS ces_sumsq 
FROM cells UNION ALL SELECT cells.position AS position, cells.side AS side, '(all)' AS touchpoint, CAST(sum(cells.responses) AS Int64) AS responses, CAST(sum(cells.n_nps) AS Int64) AS n_nps, CAST(sum(cells.promoters) AS Int64) AS promoters, CAST(sum(cells.detractors) AS Int64) AS detractors, CAST(sum(cells.n_csat) AS Int64) AS n_csat, CAST(sum(cells.csat_top2) AS Int64) AS csat_top2, CAST(sum(cells.csat_sum) AS Float64) AS csat_sum, CAST(sum(cells.n_ces) AS Int64) AS n_ces, CAST(sum(cells.ces_sum) AS Float64) AS ces_sum, CAST(sum(cells.ces_sumsq) AS Float64) AS ces_sumsq 
FROM cells GROUP BY cells.position, cells.side) AS rows ORDER BY rows.position, rows.side, rows.touchpoint
