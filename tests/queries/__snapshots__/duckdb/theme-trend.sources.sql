SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC 
 LIMIT $1

-- next statement

WITH analysed AS 
(SELECT feedback.response_id AS response_id, CAST(date_trunc('week', feedback.responded_at) AS DATE) AS period, comment_facts.sentiment AS sentiment 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= $9 AND feedback.responded_at < $10)
 SELECT themed.period, themed.theme, themed.comments, totals.total, (CAST(themed.comments AS DOUBLE PRECISION) * $1) / nullif(totals.total, $2) AS share, themed.negative, themed.neutral, themed.positive 
FROM (SELECT analysed.period AS period, comment_themes.theme AS theme, count(*) AS comments, count(CASE WHEN (analysed.sentiment = $3) THEN $4 END) AS negative, count(CASE WHEN (analysed.sentiment = $5) THEN $6 END) AS neutral, count(CASE WHEN (analysed.sentiment = $7) THEN $8 END) AS positive 
FROM analysed JOIN comment_themes ON comment_themes.response_id = analysed.response_id 
WHERE comment_themes.theme IN ($11) GROUP BY analysed.period, comment_themes.theme) AS themed JOIN (SELECT analysed.period AS period, count(*) AS total 
FROM analysed GROUP BY analysed.period) AS totals ON themed.period = totals.period ORDER BY themed.period, themed.theme

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= $1 AND feedback.responded_at < $2 GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
