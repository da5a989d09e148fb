SELECT customers.customer_id, CASE WHEN (customers.customer_id = $1) THEN $2 END AS matched_by 
FROM customers 
WHERE customers.customer_id = $1 ORDER BY CASE WHEN (customers.customer_id = $1) THEN $3 ELSE $4 END, customers.customer_id 
 LIMIT $5

-- next statement

SELECT (SELECT latest_load.file 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file 
 LIMIT $1) AS latest_load) AS origin, (SELECT latest_load.imported_at 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file 
 LIMIT $1) AS latest_load) AS loaded_at, (SELECT max(feedback.responded_at) AS max_1 
FROM feedback) AS last_response_at

-- next statement

SELECT customers.customer_id, customers.segment, customers.region, customers.channel, customers.age_band, customers.gender, customers.income_band, customers.signup_at, customers.name, customers.email, customers.phone, purchases.clv, purchases.orders, purchases.first_purchase_at, purchases.last_purchase_at 
FROM customers JOIN (SELECT coalesce(sum(CASE WHEN (customers.signup_at IS NULL OR events.occurred_at >= customers.signup_at) THEN events.amount END), $1) AS clv, count(events.amount) AS orders, min(events.occurred_at) AS first_purchase_at, max(events.occurred_at) AS last_purchase_at 
FROM events JOIN customers ON customers.customer_id = events.customer_id 
WHERE events.customer_id = $2 AND events.amount IS NOT NULL) AS purchases ON true 
WHERE customers.customer_id = $2

-- next statement

SELECT events.stage, stages.position, min(events.occurred_at) AS first_at 
FROM events LEFT OUTER JOIN stages ON stages.stage = events.stage 
WHERE events.customer_id = $1 GROUP BY events.stage, stages.position ORDER BY stages.position ASC NULLS LAST, min(events.occurred_at), events.stage

-- next statement

SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, feedback.channel, feedback.language, comment_facts.sentiment, comment_facts.sentiment_source, comment_facts.themes 
FROM feedback LEFT OUTER JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.customer_id = $1 ORDER BY feedback.responded_at DESC, feedback.response_id

-- next statement

SELECT followups.response_id, followups.touchpoint, followups.responded_at, followups.nps, followups.csat, followups.status, followups.owner, followups.due_at, CASE WHEN (followups.status IN ($3, $4) AND $1 > followups.due_at) THEN true ELSE false END AS overdue, followups.created_at, followups.updated_at, followups.updated_by, followups.version, followups.first_contact_at 
FROM followups 
WHERE followups.customer_id = $2 ORDER BY followups.responded_at DESC, followups.response_id

-- next statement

SELECT followup_events.event_id, followup_events.response_id, followup_events.version, followup_events.changed_at, followup_events.actor, followup_events.from_status, followup_events.to_status, followup_events.owner_from, followup_events.owner_to, followup_events.note 
FROM followup_events 
WHERE followup_events.response_id IN (SELECT followups.response_id 
FROM followups 
WHERE followups.customer_id = $1) ORDER BY followup_events.response_id, followup_events.version DESC
