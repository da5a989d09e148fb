SELECT theme_taxonomies.version, theme_taxonomies.source, theme_taxonomies.saved_at, theme_taxonomies.saved_by 
FROM theme_taxonomies ORDER BY theme_taxonomies.version DESC
 LIMIT ?

-- next statement

SELECT feedback.response_id, feedback.responded_at, feedback.touchpoint, feedback.nps, feedback.csat, feedback.ces, feedback.comment, coalesce(comment_facts.language, feedback.language) AS language, customers.segment, comment_facts.sentiment, comment_facts.sentiment_source, comment_facts.themes, customers.customer_id 
FROM feedback LEFT OUTER JOIN comment_facts ON comment_facts.response_id = feedback.response_id LEFT OUTER JOIN customers ON customers.customer_id = feedback.customer_id 
WHERE feedback.responded_at >= toDateTime64(?, ?) AND feedback.responded_at < toDateTime64(?, ?) AND length(trim(coalesce(feedback.comment, ?))) > ? AND coalesce(comment_facts.text_folded, lowerUTF8(feedback.comment)) LIKE ? AND comment_facts.sentiment IN (?) AND (EXISTS (SELECT comment_themes.response_id 
FROM comment_themes 
WHERE comment_themes.response_id = feedback.response_id AND comment_themes.theme IN (?))) ORDER BY feedback.responded_at DESC, feedback.response_id
 LIMIT ? OFFSET ?
