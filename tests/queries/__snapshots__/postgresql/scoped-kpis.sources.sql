SELECT ev.customers, ev.revenue, ev.orders, ev.purchasers, ev.repeaters, fb.responses, fb.n_nps, fb.promoters, fb.detractors, fb.n_csat, fb.csat_top2, fb.csat_sum, fb.n_ces, fb.ces_sum, fb.ces_sumsq 
FROM (SELECT count(*) AS customers, CAST(coalesce(sum(per_customer.revenue), %(coalesce_1)s::INTEGER) AS DOUBLE PRECISION) AS revenue, coalesce(sum(per_customer.n_tx), %(coalesce_2)s::INTEGER) AS orders, count(CASE WHEN (per_customer.n_tx > %(n_tx_1)s::INTEGER) THEN %(param_1)s::INTEGER END) AS purchasers, count(CASE WHEN (per_customer.n_tx >= %(n_tx_2)s::INTEGER) THEN %(param_2)s::INTEGER END) AS repeaters 
FROM (SELECT events.customer_id AS customer_id, count(events.amount) AS n_tx, sum(events.amount) AS revenue 
FROM (SELECT events.event_id AS event_id, events.customer_id AS customer_id, events.stage AS stage, events.occurred_at AS occurred_at, events.amount AS amount, events.channel AS channel 
FROM events 
WHERE events.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (%(region_1_1)s::VARCHAR))) AS events 
WHERE events.occurred_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY events.customer_id) AS per_customer) AS ev JOIN (SELECT count(*) AS responses, count(feedback.nps) AS n_nps, count(CASE WHEN (feedback.nps >= %(nps_1)s::SMALLINT) THEN %(param_3)s::INTEGER END) AS promoters, count(CASE WHEN (feedback.nps <= %(nps_2)s::SMALLINT) THEN %(param_4)s::INTEGER END) AS detractors, count(feedback.csat) AS n_csat, count(CASE WHEN (feedback.csat >= %(csat_1)s::SMALLINT) THEN %(param_5)s::INTEGER END) AS csat_top2, CAST(coalesce(sum(feedback.csat), %(coalesce_3)s::INTEGER) AS DOUBLE PRECISION) AS csat_sum, count(feedback.ces) AS n_ces, CAST(coalesce(sum(feedback.ces), %(coalesce_4)s::INTEGER) AS DOUBLE PRECISION) AS ces_sum, CAST(coalesce(sum(feedback.ces * feedback.ces), %(coalesce_5)s::INTEGER) AS DOUBLE PRECISION) AS ces_sumsq 
FROM (SELECT feedback.response_id AS response_id, feedback.responded_at AS responded_at, feedback.touchpoint AS touchpoint, feedback.customer_id AS customer_id, feedback.nps AS nps, feedback.csat AS csat, feedback.ces AS ces, feedback.comment AS comment, feedback.channel AS channel, feedback.language AS language 
FROM feedback 
WHERE feedback.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (%(region_2_1)s::VARCHAR))) AS feedback 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE) AS fb ON true
