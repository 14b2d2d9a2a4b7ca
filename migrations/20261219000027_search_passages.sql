-- Search reads small stored values, not whole bodies (issue 23): the passages shown under a
-- result come from the first 2 000 characters of the article's text (its dek, then its body as
-- plain text), and results are ranked by how their title and dek match. The body's words are
-- still all searched (`search`); only the passage and the ranking are bounded.
alter table article
    add column search_text text generated always as
        (left(dek || ' ' || article_plain_text(body_html), 2000)) stored,
    add column search_head tsvector generated always as
        (setweight(to_tsvector('french_unaccent', title), 'A')
         || setweight(to_tsvector('french_unaccent', dek), 'B')) stored;
