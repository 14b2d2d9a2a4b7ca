-- Issue 22, fifth part: standalone pages (À propos, Mentions légales…) and the site's menu.

-- A page is written in the editor like an article, with the same revisions and workflow, but
-- lives at `/pages/{slug}` and in no list: not on the home page, tag or author pages, feeds,
-- search, related articles, the API's article list, nor the article sitemap.
alter table article
    add column kind text not null default 'article',
    add constraint article_kind_check check (kind in ('article', 'page'));

-- Readers' views of articles leave pages out; pages have their own.
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
where article_is_public(a.status, a.published_at) and a.kind = 'article';

create or replace view public_article as
select * from readable_article where article_is_listed(status, published_at);

-- A page readers can read: published, its time come.
create view readable_page as
select a.id, a.slug, a.title, a.dek, a.body_html, a.lang, a.published_at, a.updated_at,
       a.revised_at, a.social_title, a.social_description
from article a
where article_is_listed(a.status, a.published_at) and a.kind = 'page';

-- The site's menu, in the header of every public page: pages, sections (a section is a chosen
-- tag) and the regulation tracker, in order. Kept by admins.
create table site_menu (
    position integer primary key check (position between 1 and 12),
    label text not null check (btrim(label) <> '' and char_length(label) <= 40),
    -- Where it leads, on the site: `/pages/…`, `/tags/…` or `/regulations`.
    href text not null check (href ~ '^/(pages/[a-z0-9-]+|tags/[a-z0-9-]+|regulations)$')
);

-- Every public page shows the menu: a change reloads it on every instance and drops what was
-- rendered with the old one (see `web::render_cache`).
create function site_menu_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    perform notify_content('menu');
    return null;
end
$$;
create trigger site_menu_content after insert or update or delete on site_menu
    for each statement execute function site_menu_changed();

-- Tag pages and related articles walk `article_tag`'s copy of the publication date: a page
-- keeps none, so a tag on a page puts it in no list (the `tag_pages` migration's functions,
-- with `kind` read too).
create or replace function article_tag_copy_published() returns trigger language plpgsql as $$
begin
    select case when status = 'published' and kind = 'article' then published_at end
    into new.published_at
    from article where id = new.article_id;
    return new;
end
$$;

create or replace function article_published_to_tags() returns trigger language plpgsql as $$
begin
    update article_tag
    set published_at = case when new.status = 'published' and new.kind = 'article'
                            then new.published_at end
    where article_id = new.id;
    return null;
end
$$;
drop trigger article_published_to_tags on article;
create trigger article_published_to_tags after update of status, published_at, kind on article
    for each row when (old.status is distinct from new.status
                       or old.published_at is distinct from new.published_at
                       or old.kind is distinct from new.kind)
    execute function article_published_to_tags();

-- Webhooks announce articles, not pages: the `embargo_previews` migration's function, with
-- pages left out.
create or replace function article_webhooks() returns trigger language plpgsql as $$
declare
    subject jsonb;
    was_public boolean;
    is_public boolean;
    embargoed boolean;
begin
    -- A standalone page is no article: receivers hear of articles only.
    if (tg_op = 'DELETE' and old.kind = 'page') or (tg_op <> 'DELETE' and new.kind = 'page') then
        return coalesce(new, old);
    end if;
    if tg_op = 'DELETE' then
        -- A scheduled article deleted never comes out.
        delete from webhook_event
        where article_id = old.id and type = 'article.published' and due_at > now();
        -- Only what readers may have seen is news to the outside.
        if old.published_at <= now() then
            perform webhook_emit('article.deleted', old.id, null,
                jsonb_build_object('id', old.id, 'slug', old.slug, 'title', old.title),
                clock_timestamp());
        end if;
        return old;
    end if;
    subject := jsonb_build_object('id', new.id, 'slug', new.slug, 'title', new.title);
    was_public := article_is_public(old.status, old.published_at);
    is_public := article_is_public(new.status, new.published_at);
    embargoed := coalesce(new.embargo_until > now(), false);
    -- A coming-out that no longer holds (unscheduled, or moved): its waiting event goes.
    if old.status = 'published' and old.published_at > now()
       and (new.status <> 'published' or new.published_at is distinct from old.published_at) then
        delete from webhook_event
        where article_id = new.id and type = 'article.published' and due_at > now();
    end if;
    if new.status = 'in_review' and old.status <> 'in_review' and not embargoed then
        perform webhook_emit('article.submitted', new.id, null, subject, clock_timestamp());
    end if;
    if new.status = 'published'
       and (old.status <> 'published' or new.published_at is distinct from old.published_at) then
        if new.published_at > now() then
            if not embargoed then
                perform webhook_emit('article.scheduled', new.id, null, subject, clock_timestamp());
            end if;
            perform webhook_emit('article.published', new.id, null, subject, new.published_at);
        elsif not was_public then
            perform webhook_emit('article.published', new.id, null, subject, clock_timestamp());
        end if;
    elsif was_public and not is_public then
        perform webhook_emit(
            case when new.withdrawn then 'article.withdrawn' else 'article.unpublished' end,
            new.id, null, subject, clock_timestamp());
    elsif was_public and is_public and new.status = old.status and new.version <> old.version then
        perform webhook_emit('article.updated', new.id, null, subject, clock_timestamp());
    end if;
    return new;
end;
$$;
