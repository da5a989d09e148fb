SELECT coalesce(nullif(trim(customers.region), ?), ?) AS region, events.stage AS step, count(DISTINCT events.customer_id) AS reached_in_period 
FROM events LEFT OUTER JOIN customers ON customers.customer_id = events.customer_id 
WHERE events.stage IN (?, ?) AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY coalesce(nullif(trim(customers.region), ?), ?), events.stage
