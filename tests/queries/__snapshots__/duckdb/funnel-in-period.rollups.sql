SELECT coalesce(nullif(trim(rollup_funnel_events.region), $1), $2) AS region, rollup_funnel_events.idx, count(DISTINCT rollup_funnel_events.ckey) AS reached_in_period 
FROM rollup_funnel_events 
WHERE rollup_funnel_events.idx IN ($5, $6) AND rollup_funnel_events.occurred_at >= $3 AND rollup_funnel_events.occurred_at < $4 GROUP BY coalesce(nullif(trim(rollup_funnel_events.region), $1), $2), rollup_funnel_events.idx
