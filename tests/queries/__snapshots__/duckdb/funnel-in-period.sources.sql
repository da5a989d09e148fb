SELECT coalesce(nullif(trim(customers.region), $1), $2) AS region, events.stage AS step, count(DISTINCT events.customer_id) AS reached_in_period 
FROM events LEFT OUTER JOIN customers ON customers.customer_id = events.customer_id 
WHERE events.stage IN ($5, $6) AND events.occurred_at >= $3 AND events.occurred_at < $4 GROUP BY coalesce(nullif(trim(customers.region), $1), $2), events.stage
