SELECT feedback.touchpoint AS touchpoint, coalesce(nullif(trim(customers.region), %(nullif_1)s::VARCHAR), %(param_1)s::VARCHAR) AS region, count(*) AS n, count(CASE WHEN (comment_facts.sentiment = %(sentiment_1)s::VARCHAR) THEN %(param_2)s::INTEGER END) AS positive, count(CASE WHEN (comment_facts.sentiment = %(sentiment_2)s::VARCHAR) THEN %(param_3)s::INTEGER END) AS neutral, count(CASE WHEN (comment_facts.sentiment = %(sentiment_3)s::VARCHAR) THEN %(param_4)s::INTEGER END) AS negative 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY feedback.touchpoint, coalesce(nullif(trim(customers.region), %(nullif_1)s::VARCHAR), %(param_1)s::VARCHAR) ORDER BY touchpoint, region

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
