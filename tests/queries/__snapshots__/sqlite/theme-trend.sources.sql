SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC
 LIMIT ? OFFSET ?

-- next statement

WITH analysed AS 
(SELECT feedback.response_id AS response_id, date(feedback.responded_at, 'weekday 0', '-6 days') AS period, comment_facts.sentiment AS sentiment 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= ? AND feedback.responded_at < ?)
 SELECT themed.period, themed.theme, themed.comments, totals.total, (CAST(themed.comments AS DOUBLE) * ?) / (nullif(totals.total, ?) + 0.0) AS share, themed.negative, themed.neutral, themed.positive 
FROM (SELECT analysed.period AS period, comment_themes.theme AS theme, count(*) AS comments, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS negative, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS neutral, count(CASE WHEN (analysed.sentiment = ?) THEN ? END) AS positive 
FROM analysed JOIN comment_themes ON comment_themes.response_id = analysed.response_id 
WHERE comment_themes.theme IN (?) GROUP BY analysed.period, comment_themes.theme) AS themed JOIN (SELECT analysed.period AS period, count(*) AS total 
FROM analysed GROUP BY analysed.period) AS totals ON themed.period = totals.period ORDER BY themed.period, themed.theme

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= ? AND feedback.responded_at < ? GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
