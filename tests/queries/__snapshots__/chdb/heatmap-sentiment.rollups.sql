SELECT feedback.touchpoint AS touchpoint, coalesce(nullif(trim(customers.segment), ?), ?) AS segment, count(*) AS n, count(CASE WHEN (comment_facts.sentiment = ?) THEN ? END) AS positive, count(CASE WHEN (comment_facts.sentiment = ?) THEN ? END) AS neutral, count(CASE WHEN (comment_facts.sentiment = ?) THEN ? END) AS negative 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY feedback.touchpoint, coalesce(nullif(trim(customers.segment), ?), ?) ORDER BY touchpoint, segment

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
