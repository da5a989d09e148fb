SELECT (SELECT latest_load.file 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file
 LIMIT ?) AS latest_load) AS origin, (SELECT latest_load.imported_at 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file
 LIMIT ?) AS latest_load) AS loaded_at, (SELECT max(feedback.responded_at) AS max_1 
FROM feedback) AS last_response_at

-- next statement

SELECT count(*) AS n 
FROM followups 
WHERE followups.responded_at >= toDateTime64(?, ?) AND followups.responded_at < toDateTime64(?, ?)

-- next statement

WITH items AS MATERIALIZED 
(SELECT followups.response_id AS response_id, followups.customer_id AS customer_id, followups.touchpoint AS touchpoint, followups.nps AS nps, followups.csat AS csat, followups.status AS status, followups.owner AS owner, followups.due_at AS due_at, followups.responded_at AS responded_at, followups.updated_at AS updated_at, followups.updated_by AS updated_by, followups.version AS version, CASE WHEN (followups.status IN (?, ?) AND toDateTime64(?, ?) > followups.due_at) THEN true ELSE false END AS overdue 
FROM followups 
WHERE followups.responded_at >= toDateTime64(?, ?) AND followups.responded_at < toDateTime64(?, ?))
 SELECT everything.response_id, everything.customer_id, everything.touchpoint, everything.nps, everything.csat, everything.status, everything.owner, everything.due_at, everything.overdue, everything.value_at_risk, everything.responded_at, everything.updated_at, everything.updated_by, everything.version 
FROM (SELECT items.response_id AS response_id, items.customer_id AS customer_id, items.touchpoint AS touchpoint, items.nps AS nps, items.csat AS csat, items.status AS status, items.owner AS owner, items.due_at AS due_at, items.overdue AS overdue, coalesce(value.value_at_risk, ?) AS value_at_risk, items.responded_at AS responded_at, items.updated_at AS updated_at, items.updated_by AS updated_by, items.version AS version 
FROM items LEFT OUTER JOIN (SELECT events.customer_id AS customer_id, sum(events.amount) AS value_at_risk 
FROM events 
WHERE events.customer_id IN (SELECT items.customer_id 
FROM items) AND events.amount IS NOT NULL AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id) AS value ON value.customer_id = items.customer_id) AS everything ORDER BY everything.value_at_risk DESC NULLS LAST, everything.due_at, everything.response_id
 LIMIT ? OFFSET ?
