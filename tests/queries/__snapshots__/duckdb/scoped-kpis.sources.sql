SELECT ev.customers, ev.revenue, ev.orders, ev.purchasers, ev.repeaters, fb.responses, fb.n_nps, fb.promoters, fb.detractors, fb.n_csat, fb.csat_top2, fb.csat_sum, fb.n_ces, fb.ces_sum, fb.ces_sumsq 
FROM (SELECT count(*) AS customers, CAST(coalesce(sum(per_customer.revenue), $1) AS DOUBLE PRECISION) AS revenue, coalesce(sum(per_customer.n_tx), $2) AS orders, count(CASE WHEN (per_customer.n_tx > $3) THEN $4 END) AS purchasers, count(CASE WHEN (per_customer.n_tx >= $5) THEN $6 END) AS repeaters 
FROM (SELECT events.customer_id AS customer_id, count(events.amount) AS n_tx, sum(events.amount) AS revenue 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN ($18))) AS events 
WHERE events.occurred_at >= $7 AND events.occurred_at < $8 GROUP BY events.customer_id) AS per_customer) AS ev JOIN (SELECT count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= $9) THEN $10 END) AS promoters, count(CASE WHEN (feedback.nps <= $11) THEN $12 END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= $13) THEN $14 END) AS csat_top2, CAST(coalesce(sum(feedback.csat), $15) AS DOUBLE PRECISION) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), $16) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), $17) AS DOUBLE PRECISION) AS ces_sumsq 
FROM (SELECT feedback.response_id AS response_id, feedback.responded_at AS responded_at, feedback.touchpoint AS touchpoint, feedback.customer_id AS customer_id, feedback.nps AS nps, feedback.csat AS csat, feedback.ces AS ces, feedback.comment AS comment, feedback.channel AS channel, feedback.language AS language 
FROM feedback 
WHERE feedback.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN ($19))) AS feedback 
WHERE feedback.responded_at >= $7 AND feedback.responded_at < $8) AS fb ON true
