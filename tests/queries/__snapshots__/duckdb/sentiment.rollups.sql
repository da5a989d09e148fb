SELECT feedback.touchpoint AS touchpoint, coalesce(nullif(trim(customers.region), $1), $2) AS region, count(*) AS n, count(CASE WHEN (comment_facts.sentiment = $3) THEN $4 END) AS positive, count(CASE WHEN (comment_facts.sentiment = $5) THEN $6 END) AS neutral, count(CASE WHEN (comment_facts.sentiment = $7) THEN $8 END) AS negative 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= $9 AND feedback.responded_at < $10 GROUP BY feedback.touchpoint, coalesce(nullif(trim(customers.region), $1), $2) ORDER BY touchpoint, region

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= $1 AND feedback.responded_at < $2 GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
