SELECT (SELECT latest_load.file 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file
 LIMIT ?) AS latest_load) AS origin, (SELECT latest_load.imported_at 
FROM (SELECT cxdash_imports.file AS file, cxdash_imports.imported_at AS imported_at 
FROM cxdash_imports ORDER BY cxdash_imports.imported_at DESC, cxdash_imports.file
 LIMIT ?) AS latest_load) AS loaded_at, (SELECT max(feedback.responded_at) AS max_1 
FROM feedback) AS last_response_at

-- next statement

WITH items AS MATERIALIZED 
(SELECT followups.response_id AS response_id, followups.customer_id AS customer_id, followups.touchpoint AS touchpoint, followups.nps AS nps, followups.csat AS csat, followups.status AS status, followups.owner AS owner, followups.due_at AS due_at, followups.responded_at AS responded_at, followups.updated_at AS updated_at, followups.updated_by AS updated_by, followups.version AS version, CASE WHEN (followups.status IN (?, ?) AND toDateTime64(?, ?) > followups.due_at) THEN true ELSE false END AS overdue 
FROM followups 
WHERE followups.responded_at >= toDateTime64(?, ?) AND followups.responded_at < toDateTime64(?, ?) AND followups.status IN (?, ?) AND followups.owner = ? AND followups.status IN (?, ?) AND toDateTime64(?, ?) > followups.due_at), 
page AS MATERIALIZED 
(SELECT items.response_id AS response_id, items.customer_id AS customer_id, items.touchpoint AS touchpoint, items.nps AS nps, items.csat AS csat, items.status AS status, items.owner AS owner, items.due_at AS due_at, items.responded_at AS responded_at, items.updated_at AS updated_at, items.updated_by AS updated_by, items.version AS version, items.overdue AS overdue 
FROM items ORDER BY items.due_at ASC NULLS LAST, items.due_at, items.response_id
 LIMIT ? OFFSET ?)
 SELECT shown.response_id, shown.customer_id, shown.touchpoint, shown.nps, shown.csat, shown.status, shown.owner, shown.due_at, shown.overdue, shown.value_at_risk, shown.responded_at, shown.updated_at, shown.updated_by, shown.version 
FROM (SELECT page.response_id AS response_id, page.customer_id AS customer_id, page.touchpoint AS touchpoint, page.nps AS nps, page.csat AS csat, page.status AS status, page.owner AS owner, page.due_at AS due_at, page.overdue AS overdue, coalesce(value.value_at_risk, ?) AS value_at_risk, page.responded_at AS responded_at, page.updated_at AS updated_at, page.updated_by AS updated_by, page.version AS version 
FROM page LEFT OUTER JOIN (SELECT events.customer_id AS customer_id, sum(events.amount) AS value_at_risk 
FROM events 
WHERE events.customer_id IN (SELECT page.customer_id 
FROM page) AND events.amount IS NOT NULL AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id) AS value ON value.customer_id = page.customer_id) AS shown ORDER BY shown.due_at ASC NULLS LAST, shown.due_at, shown.response_id
