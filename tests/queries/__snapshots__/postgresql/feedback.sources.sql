SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, feedback.language, customers.segment, customers.customer_id 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE AND length(trim(coalesce(feedback.comment, %(coalesce_1)s::VARCHAR))) > %(length_1)s::INTEGER AND feedback.nps BETWEEN %(nps_1)s::SMALLINT AND %(nps_2)s::SMALLINT AND lower(feedback.comment) LIKE %(search)s::VARCHAR ESCAPE '\' ORDER BY feedback.responded_at DESC, feedback.response_id 
 LIMIT %(limit)s::INTEGER OFFSET %(offset)s::INTEGER
