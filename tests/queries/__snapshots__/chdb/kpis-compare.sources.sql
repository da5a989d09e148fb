SELECT ev.customers, ev.revenue, ev.orders, ev.purchasers, ev.repeaters, fb.responses, fb.n_nps, fb.promoters, fb.detractors, fb.n_csat, fb.csat_top2, fb.csat_sum, fb.n_ces, fb.ces_sum, fb.ces_sumsq 
FROM (SELECT count(*) AS customers, CAST(coalesce(sum(per_customer.revenue), ?) AS Float64) AS revenue, coalesce(sum(per_customer.n_tx), ?) AS orders, count(CASE WHEN (per_customer.n_tx > ?) THEN ? END) AS purchasers, count(CASE WHEN (per_customer.n_tx >= ?) THEN ? END) AS repeaters 
FROM (SELECT events.customer_id AS customer_id, count(events.amount) AS n_tx, sum(events.amount) AS revenue 
FROM events 
WHERE events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id) AS per_customer) AS ev JOIN (SELECT count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM feedback 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?)) AS fb ON true

-- next statement

SELECT ev.customers, ev.revenue, ev.orders, ev.purchasers, ev.repeaters, fb.responses, fb.n_nps, fb.promoters, fb.detractors, fb.n_csat, fb.csat_top2, fb.csat_sum, fb.n_ces, fb.ces_sum, fb.ces_sumsq 
FROM (SELECT count(*) AS customers, CAST(coalesce(sum(per_customer.revenue), ?) AS Float64) AS revenue, coalesce(sum(per_customer.n_tx), ?) AS orders, count(CASE WHEN (per_customer.n_tx > ?) THEN ? END) AS purchasers, count(CASE WHEN (per_customer.n_tx >= ?) THEN ? END) AS repeaters 
FROM (SELECT events.customer_id AS customer_id, count(events.amount) AS n_tx, sum(events.amount) AS revenue 
FROM events 
WHERE events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id) AS per_customer) AS ev JOIN (SELECT count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= ?) THEN ? END) AS promoters, count(CASE WHEN (feedback.nps <= ?) THEN ? END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= ?) THEN ? END) AS csat_top2, CAST(coalesce(sum(feedback.csat), ?) AS Float64) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), ?) AS Float64) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), ?) AS Float64) AS ces_sumsq 
FROM feedback 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?)) AS fb ON true
