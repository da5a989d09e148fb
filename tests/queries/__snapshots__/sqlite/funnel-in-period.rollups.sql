SELECT coalesce(nullif(trim(rollup_funnel_events.region), ?), ?) AS region, rollup_funnel_events.idx, count(DISTINCT rollup_funnel_events.ckey) AS reached_in_period 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.idx IN (?, ?) AND rollup_funnel_events.occurred_at >= ? AND rollup_funnel_events.occurred_at < ? GROUP BY coalesce(nullif(trim(rollup_funnel_events.region), ?), ?), rollup_funnel_events.idx
