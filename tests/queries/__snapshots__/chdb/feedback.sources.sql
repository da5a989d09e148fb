SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, feedback.language, customers.segment, customers.customer_id 
FROM feedback LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) AND length(trim(coalesce(feedback.comment, ?))) > ? AND feedback.nps BETWEEN ? AND ? AND lowerUTF8(feedback.comment) LIKE ? ORDER BY feedback.responded_at DESC, feedback.response_id
 LIMIT ? OFFSET ?
