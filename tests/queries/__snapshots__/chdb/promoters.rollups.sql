WITH listed AS MATERIALIZED 
(SELECT latest.customer_id AS customer_id, customers.segment AS segment, customers.region AS region, latest.last_nps AS last_nps, latest.last_nps_at AS last_nps_at, latest.last_csat AS last_csat, latest.last_csat_at AS last_csat_at 
FROM (SELECT ranked.customer_id AS customer_id, max(CASE WHEN (ranked.nps_rank = ? AND ranked.nps IS NOT NULL) THEN ranked.nps END) AS last_nps, max(CASE WHEN (ranked.nps_rank = ? AND ranked.nps IS NOT NULL) THEN ranked.responded_at END) AS last_nps_at, max(CASE WHEN (ranked.csat_rank = ? AND ranked.csat IS NOT NULL) THEN ranked.csat END) AS last_csat, max(CASE WHEN (ranked.csat_rank = ? AND ranked.csat IS NOT NULL) THEN ranked.responded_at END) AS last_csat_at 
FROM (SELECT feedback.customer_id AS customer_id, feedback.nps AS nps, feedback.csat AS csat, feedback.responded_at AS responded_at, row_number() OVER (PARTITION BY feedback.customer_id ORDER BY CASE WHEN (feedback.nps IS NULL) THEN ? ELSE ? END, feedback.responded_at DESC, feedback.response_id) AS nps_rank, row_number() OVER (PARTITION BY feedback.customer_id ORDER BY CASE WHEN (feedback.csat IS NULL) THEN ? ELSE ? END, feedback.responded_at DESC, feedback.response_id) AS csat_rank 
FROM feedback 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) AND feedback.customer_id IS NOT NULL AND (feedback.nps IS NOT NULL OR feedback.csat IS NOT NULL)) AS ranked 
WHERE ranked.nps_rank = ? OR ranked.csat_rank = ? GROUP BY ranked.customer_id) AS latest JOIN customers ON customers.customer_id = latest.customer_id 
WHERE latest.last_nps >= ?), 
valued AS MATERIALIZED 
(SELECT listed.customer_id AS customer_id, listed.segment AS segment, listed.region AS region, listed.last_nps AS last_nps, listed.last_nps_at AS last_nps_at, listed.last_csat AS last_csat, listed.last_csat_at AS last_csat_at, coalesce(value.value_at_risk, ?) AS value_at_risk, coalesce(open_items.open_followups, ?) AS open_followups 
FROM listed LEFT OUTER JOIN (SELECT events.customer_id AS customer_id, sum(events.amount) AS value_at_risk 
FROM events 
WHERE events.customer_id IN (SELECT listed.customer_id 
FROM listed) AND events.amount IS NOT NULL AND events.occurred_at >= toDateTime64(?, ?) AND events.occurred_at < toDateTime64(?, ?) GROUP BY events.customer_id) AS value ON value.customer_id = listed.customer_id LEFT OUTER JOIN (SELECT followups.customer_id AS customer_id, count(*) AS open_followups 
FROM followups 
WHERE followups.customer_id IN (SELECT listed.customer_id 
FROM listed) AND followups.status IN (?, ?) GROUP BY followups.customer_id) AS open_items ON open_items.customer_id = listed.customer_id), 
page AS MATERIALIZED 
(SELECT valued.customer_id AS customer_id, valued.segment AS segment, valued.region AS region, valued.last_nps AS last_nps, valued.last_nps_at AS last_nps_at, valued.last_csat AS last_csat, valued.last_csat_at AS last_csat_at, valued.value_at_risk AS value_at_risk, valued.open_followups AS open_followups 
FROM valued ORDER BY valued.last_nps_at ASC NULLS LAST, valued.value_at_risk DESC, valued.customer_id
 LIMIT ? OFFSET ?)
 SELECT page.customer_id, page.segment, page.region, page.value_at_risk, page.last_nps, page.last_nps_at, page.last_csat, page.last_csat_at, coalesce(lapse.lapsing, false) AS lapsing, page.open_followups 
FROM page LEFT OUTER JOIN (SELECT history.customer_id AS customer_id, CASE WHEN (count(*) >= ? AND (dateDiff('microsecond', max(history.occurred_at), toDateTime64(?, ?)) / 1000000.0) > ? * quantileExactInclusive(0.5)((dateDiff('microsecond', history.previous_at, history.occurred_at) / 1000000.0))) THEN true ELSE false END AS lapsing 
FROM (SELECT events.customer_id AS customer_id, events.occurred_at AS occurred_at, lagInFrame(toNullable(events.occurred_at)) OVER (PARTITION BY events.customer_id ORDER BY events.occurred_at) AS previous_at 
FROM events 
WHERE events.customer_id IN (SELECT page.customer_id 
FROM page) AND events.amount IS NOT NULL AND events.occurred_at < toDateTime64(?, ?)) AS history GROUP BY history.customer_id) AS lapse ON lapse.customer_id = page.customer_id ORDER BY page.last_nps_at ASC NULLS LAST, page.value_at_risk DESC, page.customer_id
