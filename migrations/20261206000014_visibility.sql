-- Issue 16: the design's first invariant, nothing unpublished is ever public, written once.
-- Every reader query (pages, lists, feeds, sitemap, search, related articles, the API, old
-- addresses) decides what readers see through these functions, never with its own condition.
-- They are plain SQL, so the planner inlines them: `article_is_listed(a.status, a.published_at)`
-- plans exactly as the condition it stands for, partial indexes included.
--
-- (The first migration says its constraint names are mapped in src/web/error.rs; they are
-- mapped where each insert or update is, with `store::violates`.)

-- Listed: in lists, feeds, search, the sitemap, related articles and the API. Published, and
-- its time has come (a future time is a scheduled article).
create function article_is_listed(status text, published_at timestamptz) returns boolean
language sql stable as $$
    select status = 'published' and published_at <= now();
$$;

-- Public: readable at its address. Listed, or archived (kept readable with a notice, in no
-- list) once its time has come.
create or replace function article_is_public(status text, published_at timestamptz) returns boolean
language sql stable as $$
    select status in ('published', 'archived') and published_at <= now();
$$;

-- The same rule on an `article_tag` row's copy of its article's publication time, which
-- triggers keep only while the article is published (null otherwise; see `tag_pages`): tag
-- pages walk that copy's index instead of the article table.
create function article_tag_is_listed(published_at timestamptz) returns boolean
language sql stable as $$
    select published_at <= now();
$$;

-- Whether an article (its author, language and text) matches a list's optional filters (null:
-- any). Inlined with the values of a custom plan, an unused filter folds away and a used one
-- reaches its index.
create function article_matches(a_author uuid, a_lang text, a_search tsvector,
                                author uuid, lang text, words text) returns boolean
language sql stable as $$
    select (author is null or a_author = author)
       and (lang is null or a_lang = lang)
       and (words is null or a_search @@ websearch_to_tsquery('french_unaccent', words));
$$;

-- Every article readers can reach at its address (listed, or archived), as pages show it: with
-- its author's name and page, and its tags in their order (`[{slug, name, kind}]`). The tags
-- are a subquery of the view rather than a function: PostgreSQL plans a SQL function that it
-- cannot inline anew at every query, which cost the article page a fifth of its speed. (A
-- view's columns are fixed when it is made: a column of `article` that pages need is added
-- here too.)
create view readable_article as
select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang, a.status, a.published_at,
       a.updated_at, a.author_id, a.search, u.display_name as author_name, u.slug as author_slug,
       coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name, 'kind', t.kind)
                                 order by x.position)
                 from article_tag x join tag t on t.id = x.tag_id
                 where x.article_id = a.id), '[]') as tags
from article a
join app_user u on u.id = a.author_id
where article_is_public(a.status, a.published_at);

-- The listed ones: what lists, feeds, search and the API read.
create view public_article as
select * from readable_article where article_is_listed(status, published_at);
