WITH analysed AS 
(SELECT feedback.response_id AS response_id, feedback.touchpoint AS touchpoint, comment_facts.sentiment AS sentiment 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= $9 AND feedback.responded_at < $10)
 SELECT themed.theme, themed.touchpoint, themed.comments, totals.total, (CAST(themed.comments AS DOUBLE PRECISION) * $1) / nullif(totals.total, $2) AS share, themed.negative, themed.neutral, themed.positive 
FROM (SELECT comment_themes.theme AS theme, analysed.touchpoint AS touchpoint, count(*) AS comments, count(CASE WHEN (analysed.sentiment = $3) THEN $4 END) AS negative, count(CASE WHEN (analysed.sentiment = $5) THEN $6 END) AS neutral, count(CASE WHEN (analysed.sentiment = $7) THEN $8 END) AS positive 
FROM analysed JOIN comment_themes ON comment_themes.response_id = analysed.response_id GROUP BY comment_themes.theme, analysed.touchpoint) AS themed JOIN (SELECT analysed.touchpoint AS touchpoint, count(*) AS total 
FROM analysed GROUP BY analysed.touchpoint) AS totals ON themed.touchpoint = totals.touchpoint ORDER BY themed.theme, themed.touchpoint

-- next statement

SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC 
 LIMIT $1

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= $1 AND feedback.responded_at < $2 GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
