-- A tag's page and an author's page in one round trip: each is one function, run on its
-- generic plan (`set plan_cache_mode`), so that PostgreSQL neither plans it again per request
-- (its automatic choice judged the generic plan, with a `limit` it cannot see, dearer than one
-- made for the first page: half its time at 100 000 articles) nor needs a transaction around it
-- to say so (`begin; set local …` was a round trip of its own). PL/pgSQL keeps the plan of its
-- query for the connection's life. The statements are the ones `store::articles::sections`
-- ran; the `public_article` view's rule decides what readers see, as everywhere.
--
-- One row per article of the page, each naming the tag (or author) too; a single row without
-- an article when the page is past the last one; no row when readers have no such page.

create function tag_page(p_slug text, p_before_at timestamptz, p_before_id uuid, p_limit integer)
returns table (
    tag_id uuid, tag_slug text, tag_name text, tag_kind text, tag_description text,
    id uuid, slug text, title text, dek text, excerpt text, lang text,
    published_at timestamptz, updated_at timestamptz, author_name text, author_slug text,
    bylines json, tags json, featured_media_id uuid
)
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
    return query
    select t.id, t.slug, t.name, t.kind, t.description,
           a.id, a.slug, a.title, a.dek, a.excerpt, a.lang, a.published_at, a.updated_at,
           a.author_name, a.author_slug, a.bylines, a.tags, a.featured_media_id
    from tag t
    left join lateral (
        select a.*, x.published_at as listed_at
        from article_tag x
        join public_article a on a.id = x.article_id
        where x.tag_id = t.id and article_tag_is_listed(x.published_at)
          and (x.published_at, x.article_id) < (p_before_at, p_before_id)
        order by x.published_at desc, x.article_id desc
        limit p_limit
    ) a on true
    where t.slug = p_slug
      and exists (select 1 from article_tag x
                  where x.tag_id = t.id and article_tag_is_listed(x.published_at))
    order by a.listed_at desc, a.id desc;
end
$$;

create function author_page(p_slug text, p_before_at timestamptz, p_before_id uuid, p_limit integer)
returns table (
    user_id uuid, user_slug text, display_name text, bio text,
    id uuid, slug text, title text, dek text, excerpt text, lang text,
    published_at timestamptz, updated_at timestamptz, author_name text, author_slug text,
    bylines json, tags json, featured_media_id uuid
)
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
    return query
    select u.id, u.slug, u.display_name, u.bio,
           a.id, a.slug, a.title, a.dek, a.excerpt, a.lang, a.published_at, a.updated_at,
           a.author_name, a.author_slug, a.bylines, a.tags, a.featured_media_id
    from app_user u
    left join lateral (
        select a.*
        from public_article a
        -- Their own articles walk their date index; those they co-sign are few.
        where a.id in ((select o.id from article o
                        where o.author_id = u.id and article_is_listed(o.status, o.published_at)
                          and (o.published_at, o.id) < (p_before_at, p_before_id)
                        order by o.published_at desc, o.id desc
                        limit p_limit)
                       union all
                       select c.article_id from article_coauthor c where c.user_id = u.id)
          and (a.published_at, a.id) < (p_before_at, p_before_id)
        order by a.published_at desc, a.id desc
        limit p_limit
    ) a on true
    where u.slug = p_slug
      and (exists (select 1 from public_article p where p.author_id = u.id)
           or exists (select 1 from article_coauthor c join public_article p on p.id = c.article_id
                      where c.user_id = u.id))
    order by a.published_at desc, a.id desc;
end
$$;
