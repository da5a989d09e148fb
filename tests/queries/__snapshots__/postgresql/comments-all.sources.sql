SELECT count(*) AS n 
FROM feedback LEFT OUTER JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE AND length(trim(coalesce(feedback.comment, %(coalesce_1)s::VARCHAR))) > %(length_1)s::INTEGER AND feedback.nps BETWEEN %(nps_1)s::SMALLINT AND %(nps_2)s::SMALLINT

-- next statement

SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, coalesce(comment_facts.language, feedback.language) AS language, customers.segment, comment_facts.sentiment, comment_facts.sentiment_source, comment_facts.themes, customers.customer_id 
FROM feedback LEFT OUTER JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE AND length(trim(coalesce(feedback.comment, %(coalesce_1)s::VARCHAR))) > %(length_1)s::INTEGER AND feedback.nps BETWEEN %(nps_1)s::SMALLINT AND %(nps_2)s::SMALLINT ORDER BY feedback.responded_at DESC, feedback.response_id 
 LIMIT %(limit)s::INTEGER OFFSET %(offset)s::INTEGER
