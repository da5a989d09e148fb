SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, feedback.language, customers.segment, customers.customer_id 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= $1 AND feedback.responded_at < $2 AND length(trim(coalesce(feedback.comment, $3))) > $4 AND feedback.nps BETWEEN $5 AND $6 AND lower(feedback.comment) LIKE $7 ESCAPE '\' ORDER BY feedback.responded_at DESC, feedback.response_id 
 LIMIT $8 OFFSET $9
