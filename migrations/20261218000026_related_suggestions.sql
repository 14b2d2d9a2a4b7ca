-- Related articles suggested automatically (sharing the most tags, then closest by text) are
-- computed when articles change, by a `related` job, and kept here: an article's page reads
-- them instead of computing them at every view. Readers' pages still filter them through the
-- visibility rule as they read them, so an article taken down leaves every list at once.

create table article_suggestion (
    article_id  uuid primary key references article (id) on delete cascade,
    -- Best first; more than a page shows, so that some may drop out (unpublished, or picked
    -- by an editor above the suggestions) without leaving the list short.
    suggested   uuid[] not null,
    computed_at timestamptz not null default now()
);
-- "Whose suggestions show this article?" when it changes.
create index article_suggestion_suggested_idx on article_suggestion using gin (suggested);
-- The refresh walks the oldest lists first.
create index article_suggestion_computed_idx on article_suggestion (computed_at);

alter table job drop constraint job_kind_check;
alter table job add constraint job_kind_check
    check (kind in ('renditions', 'mail', 'password_reset', 'related'));
-- A related job waiting for an article is not queued twice.
create index job_related_article_idx on job ((payload ->> 'article')) where kind = 'related';

-- Queues the computation of `article`'s suggestions at `due` (now, or when a scheduled article
-- comes out), unless one is already waiting. `spread`: once computed, the articles it suggests
-- are computed again too, since it may now belong in theirs.
create function queue_related(article uuid, spread boolean, due timestamptz) returns void
language sql as $$
    insert into job (kind, payload, max_attempts, run_after)
    select 'related', jsonb_build_object('article', article, 'spread', spread), 5, due
    where not exists (
        select 1 from job j
        where j.kind = 'related' and j.payload ->> 'article' = article::text
          and j.lease_until is null and not j.failed and j.run_after <= due
          and (j.payload ->> 'spread')::boolean >= spread
    );
$$;

-- An article coming out, leaving, changing its tags, title or translation: its own list, the
-- lists that show it, and (once computed) the lists of those it suggests.
create function article_related_changed() returns trigger language plpgsql as $$
declare
    changed uuid := case when tg_op = 'DELETE' then old.id else new.id end;
    due timestamptz := now();
begin
    if bulk_loading() then
        return null;
    end if;
    if tg_op = 'UPDATE'
       and new.status is not distinct from old.status
       and new.published_at is not distinct from old.published_at
       and new.title is not distinct from old.title
       and new.kind is not distinct from old.kind
       and new.translation_of is not distinct from old.translation_of then
        return null;
    end if;
    if not ((tg_op <> 'DELETE' and new.status = 'published')
            or (tg_op <> 'INSERT' and old.status = 'published')) then
        return null;
    end if;
    if tg_op <> 'DELETE' then
        if new.status = 'published' and new.published_at > now() then
            due := new.published_at;
        end if;
        perform queue_related(changed, true, due);
    end if;
    perform queue_related(s.article_id, false, now())
    from article_suggestion s where s.suggested @> array[changed];
    return null;
end
$$;
create trigger article_related_changed after insert or update or delete on article
    for each row execute function article_related_changed();

create function article_tag_related_changed() returns trigger language plpgsql as $$
declare
    changed uuid := case when tg_op = 'DELETE' then old.article_id else new.article_id end;
begin
    if bulk_loading() then
        return null;
    end if;
    if exists (select 1 from article where id = changed and status = 'published') then
        perform queue_related(changed, true, now());
    end if;
    return null;
end
$$;
create trigger article_tag_related_changed after insert or delete on article_tag
    for each row execute function article_tag_related_changed();

-- A new list changes the article's page.
create function article_suggestion_changed() returns trigger language plpgsql as $$
begin
    -- The first list kept says what the page computed until then: nothing to announce.
    if tg_op = 'INSERT' or new.suggested = old.suggested then
        return null;
    end if;
    perform touch_content_clock();
    perform notify_content('article:' || new.article_id);
    return null;
end
$$;
create trigger article_suggestion_changed after insert or update on article_suggestion
    for each row execute function article_suggestion_changed();

-- The automatic suggestions for `article`, best first, at most `n`: published articles sharing
-- the most tags with it, ties broken by how close their text is to its title, then by
-- recency. The cost is bounded however big a tag grows: candidates are the 200 newest articles
-- of each of its tags (all of a small tag's), and text closeness is weighed among the 50
-- sharing the most tags. Never itself, its translations (language versions, not further
-- reading), a page, or what it links to already (shown above the suggestions).
create function compute_suggestions(article uuid, n integer) returns uuid[]
language sql stable as $$
    with me as (
        select a.id, coalesce(a.translation_of, a.id) as family,
               -- The title's words, any of them: a similarity measure, not a filter.
               to_tsquery('french_unaccent',
                          replace(plainto_tsquery('french_unaccent', a.title)::text, '&', '|')) as words
        from article a where a.id = compute_suggestions.article
    ),
    linked as (
        select l.to_article_id as id from article_link l
        where l.from_article_id = compute_suggestions.article
    ),
    shared as (
        select c.article_id as id, count(*) as shared, max(c.published_at) as published_at
        from article_tag mine
        cross join lateral (
            select x.article_id, x.published_at
            from article_tag x
            where x.tag_id = mine.tag_id and article_tag_is_listed(x.published_at)
              and x.article_id <> compute_suggestions.article
            order by x.published_at desc, x.article_id desc
            limit 200
        ) c
        where mine.article_id = compute_suggestions.article
          and c.article_id not in (select id from linked)
        group by c.article_id
        order by shared desc, published_at desc
        limit 50
    ),
    ranked as (
        select r.id, s.shared, ts_rank(r.search, me.words) as closeness, r.published_at
        from shared s join article r on r.id = s.id cross join me
        where article_is_listed(r.status, r.published_at) and r.kind = 'article'
          and coalesce(r.translation_of, r.id) <> me.family
        order by s.shared desc, closeness desc, r.published_at desc
        limit n
    )
    select coalesce(array_agg(id order by shared desc, closeness desc, published_at desc), '{}')
    from ranked
$$;

-- What readers see under `article`, at most `n`, only listed articles: those an editor picked
-- (in their order), then those the body links to, then its kept suggestions — or, until the
-- related job has kept any, suggestions computed now.
create function article_related(article uuid, n integer)
returns table (id uuid, slug text, title text, published_at timestamptz)
language sql stable as $$
    with explicit as (
        select l.to_article_id as id,
               case when l.origin = 'picked' then 0 else 1 end as grp, l.position::bigint as k
        from article_link l where l.from_article_id = article_related.article
    ),
    kept as (
        select s.suggested from article_suggestion s where s.article_id = article_related.article
    ),
    suggested as (
        select u.id, u.k from kept cross join unnest(kept.suggested) with ordinality u(id, k)
        union all
        select u.id, u.k
        from unnest(compute_suggestions(article_related.article, n + 8)) with ordinality u(id, k)
        where not exists (select 1 from kept)
    ),
    candidates as (
        select e.id, e.grp, e.k from explicit e
        union all
        select s.id, 2, s.k from suggested s where s.id not in (select e.id from explicit e)
    )
    select r.id, r.slug, r.title, r.published_at
    from candidates c join article r on r.id = c.id
    where article_is_listed(r.status, r.published_at) and r.kind = 'article'
    order by c.grp, c.k
    limit n
$$;
