-- Issue 22, second part: bylines (co-authors, guest contributors) and the "updated" line.

-- Contributors without an account: a guest byline has a name, a bio and a page
-- (`/contributors/{slug}`), and never signs in.
create table contributor (
    id uuid primary key default gen_random_uuid(),
    slug text not null unique,
    name text not null,
    bio text not null default '',
    created_at timestamptz not null default now(),
    constraint contributor_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint contributor_name_check check (btrim(name) <> '' and char_length(name) <= 120),
    constraint contributor_bio_check check (char_length(bio) <= 2000)
);

-- The bylines after the first: an article's author (`article.author_id`, the account that owns
-- it) signs first; its co-authors follow in order, each an account or a guest contributor.
-- Co-authors who have an account may edit the article as its author may.
create table article_coauthor (
    article_id uuid not null references article(id) on delete cascade,
    position integer not null check (position between 1 and 20),
    user_id uuid references app_user(id) on delete cascade,
    contributor_id uuid references contributor(id) on delete restrict,
    primary key (article_id, position),
    constraint article_coauthor_one check ((user_id is null) <> (contributor_id is null)),
    constraint article_coauthor_user unique (article_id, user_id),
    constraint article_coauthor_contributor unique (article_id, contributor_id)
);
create index article_coauthor_user_idx on article_coauthor (user_id) where user_id is not null;
create index article_coauthor_contributor_idx on article_coauthor (contributor_id)
    where contributor_id is not null;

-- A byline added, moved or removed changes the article's page, like a tag.
create trigger article_coauthor_content_clock after insert or update or delete on article_coauthor
    for each row execute function article_part_changed('article_id');

-- A contributor renamed or described anew: their name is on every page that signs with it.
create function contributor_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    -- Rare: every page that may sign with the name is dropped.
    perform notify_content('all');
    return null;
end
$$;
create trigger contributor_content_clock after update or delete on contributor
    for each row execute function contributor_changed();

-- Whether `who` signs the article (`a_id`, whose author is `a_author`): its author, or one of
-- its co-authors. Lists of an author's articles (their page, feed, the API's filter) read it.
create function article_signed_by(a_id uuid, a_author uuid, who uuid) returns boolean
language sql stable as $$
    select a_author = who
        or exists (select 1 from article_coauthor c where c.article_id = a_id and c.user_id = who);
$$;

-- The filters of lists, with the author filter meaning any of the bylines (the visibility
-- migration's had only the article's author to compare).
create function article_matches(a_id uuid, a_author uuid, a_lang text, a_search tsvector,
                                author uuid, lang text, words text) returns boolean
language sql stable as $$
    select (author is null or article_signed_by(a_id, a_author, author))
       and (lang is null or a_lang = lang)
       and (words is null or a_search @@ websearch_to_tsquery('french_unaccent', words));
$$;

-- When a published article last changed in substance, as the editor who saved it said
-- ("Mis à jour le …" near the byline; schema.org dateModified).
alter table article add column revised_at timestamptz;

-- Pages read every byline: `bylines` is `[{name, slug, guest}]` in order, the author first.
-- Both columns go at the end, as a view's new columns must.
create or replace view readable_article as
select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang, a.status, a.published_at,
       a.updated_at, a.author_id, a.search, u.display_name as author_name, u.slug as author_slug,
       coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name, 'kind', t.kind)
                                 order by x.position)
                 from article_tag x join tag t on t.id = x.tag_id
                 where x.article_id = a.id), '[]') as tags,
       a.social_title, a.social_description, a.featured_media_id, a.ai_use, a.tdm_open,
       (select json_agg(b.byline order by b.position)
        from (select 0 as position,
                     json_build_object('name', u.display_name, 'slug', u.slug, 'guest', false) as byline
              union all
              select c.position,
                     case when c.user_id is not null
                          then json_build_object('name', cu.display_name, 'slug', cu.slug, 'guest', false)
                          else json_build_object('name', g.name, 'slug', g.slug, 'guest', true) end
              from article_coauthor c
              left join app_user cu on cu.id = c.user_id
              left join contributor g on g.id = c.contributor_id
              where c.article_id = a.id) b) as bylines,
       a.revised_at
from article a
join app_user u on u.id = a.author_id
where article_is_public(a.status, a.published_at);

create or replace view public_article as
select * from readable_article where article_is_listed(status, published_at);
