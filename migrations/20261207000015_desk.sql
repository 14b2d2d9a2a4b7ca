-- Why the newsroom withdrew an article: shown on the editor's "Retiré" state and to readers on
-- the 410 page at its address. Empty when no reason was given; cleared when it is published
-- again, like `withdrawn`.
alter table article
    add column withdrawn_reason text not null default ''
        check (length(withdrawn_reason) <= 2000);

-- The review queue's length is in every staff page's menu: counted from this small index.
create index article_in_review_idx on article (updated_at) where status = 'in_review';

-- What a social network shows when the article is shared, when it should differ from the
-- title and the dek (empty: those are used). Pages read them through `readable_article`,
-- whose columns are fixed when it is made: they are added at its end.
alter table article
    add column social_title text not null default ''
        check (length(social_title) <= 200),
    add column social_description text not null default ''
        check (length(social_description) <= 500);

create or replace view readable_article as
select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang, a.status, a.published_at,
       a.updated_at, a.author_id, a.search, u.display_name as author_name, u.slug as author_slug,
       coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name, 'kind', t.kind)
                                 order by x.position)
                 from article_tag x join tag t on t.id = x.tag_id
                 where x.article_id = a.id), '[]') as tags,
       a.social_title, a.social_description
from article a
join app_user u on u.id = a.author_id
where article_is_public(a.status, a.published_at);
