SELECT coalesce(nullif(trim(customers.region), %(nullif_1)s::VARCHAR), %(param_1)s::VARCHAR) AS region, events.stage AS step, count(DISTINCT events.customer_id) AS reached_in_period 
FROM events LEFT OUTER JOIN customers ON customers.customer_id = events.customer_id 
WHERE events.stage IN (%(stage_1_1)s::VARCHAR, %(stage_1_2)s::VARCHAR) AND events.occurred_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND events.occurred_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY coalesce(nullif(trim(customers.region), %(nullif_1)s::VARCHAR), %(param_1)s::VARCHAR), events.stage
