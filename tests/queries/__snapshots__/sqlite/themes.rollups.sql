WITH analysed AS 
(SELECT feedback.response_id AS response_id, feedback.touchpoint AS touchpoint, comment_facts.sentiment AS sentiment 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= ? AND feedback.responded_at < ?)
 SELECT themed.theme, themed.touchpoint, themed.comments, totals.total, (CAST(themed.comments AS DOUBLE) * ?) / (nullif(totals.total, ?) + 0.0) AS share, themed.negative, themed.neutral, themed.positive 
FROM (SELECT comment_themes.theme AS theme, analysed.touchpoint AS touchpoint, count(*) AS comments, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS negative, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS neutral, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS positive 
FROM analysed JOIN comment_themes ON comment_themes.response_id = analysed.response_id GROUP BY comment_themes.theme, analysed.touchpoint) AS themed JOIN (SELECT analysed.touchpoint AS touchpoint, count(*) AS total 
FROM analysed GROUP BY analysed.touchpoint) AS totals ON themed.touchpoint = totals.touchpoint ORDER BY themed.theme, themed.touchpoint

-- next statement

SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC
 LIMIT ? OFFSET ?

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= ? AND feedback.responded_at < ? GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
