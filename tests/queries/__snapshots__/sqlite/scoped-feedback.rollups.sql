SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, feedback.language, customers.segment, customers.customer_id 
FROM (SELECT feedback.response_id AS response_id, feedback.responded_at AS responded_at, feedback.touchpoint AS touchpoint, feedback.customer_id AS customer_id, feedback.nps AS nps, feedback.csat AS csat, feedback.ces AS ces, feedback.comment AS comment, feedback.channel AS channel, feedback.language AS language 
FROM feedback 
WHERE feedback.customer_id IN (SELECT customers.customer_id 
FROM customers 
WHERE customers.region IN (?))) AS feedback LEFT OUTER JOIN (SELECT customers.customer_id AS customer_id, customers.segment AS segment, customers.region AS region, customers.channel AS channel, customers.age_band AS age_band, customers.gender AS gender, customers.income_band AS income_band, customers.signup_at AS signup_at, customers.name AS name, customers.email AS email, customers.phone AS phone 
FROM customers 
WHERE customers.region IN (?)) AS customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= ? AND feedback.responded_at < ? AND length(trim(coalesce(feedback.comment, ?))) > ? AND feedback.nps BETWEEN ? AND ? AND lower(feedback.comment) LIKE ? ESCAPE '\' ORDER BY feedback.responded_at DESC, feedback.response_id
 LIMIT ? OFFSET ?
