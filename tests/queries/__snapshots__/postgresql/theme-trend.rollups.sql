SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC 
 LIMIT %(param_1)s::INTEGER

-- next statement

WITH analysed AS 
(SELECT feedback.response_id AS response_id, CAST(date_trunc('week', feedback.responded_at) AS DATE) AS period, comment_facts.sentiment AS sentiment 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE)
 SELECT themed.period, themed.theme, themed.comments, totals.total, (CAST(themed.comments AS DOUBLE PRECISION) * %(param_1)s::INTEGER) / CAST(nullif(totals.total, %(nullif_1)s::INTEGER) AS NUMERIC) AS share, themed.negative, themed.neutral, themed.positive 
FROM (SELECT analysed.period AS period, comment_themes.theme AS theme, count(*) AS comments, count(CASE WHEN (analysed.sentiment = %(sentiment_1)s::VARCHAR) THEN %(param_2)s::INTEGER END) AS negative, count(CASE WHEN (analysed.sentiment = %(sentiment_2)s::VARCHAR) THEN %(param_3)s::INTEGER END) AS neutral, count(CASE WHEN (analysed.sentiment = %(sentiment_3)s::VARCHAR) THEN %(param_4)s::INTEGER END) AS positive 
FROM analysed JOIN comment_themes ON comment_themes.response_id = analysed.response_id 
WHERE comment_themes.theme IN (%(theme_1_1)s::VARCHAR) GROUP BY analysed.period, comment_themes.theme) AS themed JOIN (SELECT analysed.period AS period, count(*) AS total 
FROM analysed GROUP BY analysed.period) AS totals ON themed.period = totals.period ORDER BY themed.period, themed.theme

-- next statement

SELECT comment_facts.sentiment_source, count(*) AS n 
FROM feedback JOIN comment_facts ON comment_facts.response_id = feedback.response_id 
WHERE feedback.responded_at >= %(period_start)s::TIMESTAMP WITHOUT TIME ZONE AND feedback.responded_at < %(period_end)s::TIMESTAMP WITHOUT TIME ZONE GROUP BY comment_facts.sentiment_source ORDER BY comment_facts.sentiment_source
