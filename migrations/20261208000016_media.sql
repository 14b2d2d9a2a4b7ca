-- Images, and the one queue of background work they are the first user of.

-- Work done off the request path by any instance: claimed with `for update skip locked`,
-- leased while it runs (a crashed instance's lease runs out and another takes the job over),
-- retried with back-off, kept with its last error once it has failed too often.
create table job (
    id bigint generated always as identity primary key,
    kind text not null check (kind in ('renditions')),
    payload jsonb not null,
    run_after timestamptz not null default now(),
    attempts integer not null default 0,
    max_attempts integer not null default 5,
    lease_until timestamptz,
    last_error text,
    failed boolean not null default false,
    created_at timestamptz not null default now()
);
create index job_due_idx on job (run_after) where not failed;

-- A new job wakes the workers of every instance at once (they also look every few seconds).
create function job_added() returns trigger language plpgsql as $$
begin
    perform pg_notify('vigie_jobs', new.kind);
    return null;
end
$$;
create trigger job_added after insert on job for each row execute function job_added();

-- One image of the library. The original's bytes are private (`original_key` in the media
-- store, never served); readers get the renditions below, cleaned of every metadata.
create table media (
    id uuid primary key,
    original_key text not null,
    original_bytes bigint not null check (original_bytes > 0),
    -- What the file decoded as, never what its name or the browser said.
    format text not null check (format in ('jpeg', 'png', 'webp', 'gif')),
    -- Upright, after the EXIF orientation.
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    alt text not null default '' check (length(alt) <= 500),
    caption text not null default '' check (length(caption) <= 1000),
    credit text not null default '' check (length(credit) <= 200),
    -- Where the social card's crop centres, as fractions of the width and the height.
    focal_x real not null default 0.5 check (focal_x between 0 and 1),
    focal_y real not null default 0.5 check (focal_y between 0 and 1),
    -- `processing` until the renditions of the current original are made.
    state text not null default 'processing' check (state in ('processing', 'ready', 'failed')),
    uploaded_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create trigger media_set_updated_at before update on media
    for each row execute function set_updated_at();
create index media_created_idx on media (created_at desc);

-- The files readers get, named by the hash of their bytes (so cached for ever).
create table media_rendition (
    media_id uuid not null references media (id) on delete cascade,
    -- `width`: the whole image at `width`; `card`: the 1200×630 crop for social networks.
    purpose text not null check (purpose in ('width', 'card')),
    format text not null check (format in ('webp', 'jpeg')),
    width integer not null check (width > 0),
    height integer not null check (height > 0),
    file text not null,
    bytes bigint not null check (bytes > 0),
    primary key (media_id, purpose, format, width)
);

-- Images placed in an article's body (read from its Markdown at each save); the featured
-- image is the article's own column.
create table article_media (
    article_id uuid not null references article (id) on delete cascade,
    media_id uuid not null references media (id) on delete restrict,
    primary key (article_id, media_id)
);
create index article_media_media_idx on article_media (media_id);

-- Files that stopped being named (a rendition made again, an image deleted or given a new
-- file): `vigie media gc` keeps them a while longer, for the copies of pages, feeds and social
-- cards that still point at them. A file named again is kept whatever this says.
create table media_retired (
    key text primary key,
    retired_at timestamptz not null default now()
);
create function media_file_retired() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'media_rendition' then
        insert into media_retired (key) values ('public/' || old.file)
            on conflict (key) do update set retired_at = now();
    elsif tg_op = 'DELETE' or new.original_key is distinct from old.original_key then
        insert into media_retired (key) values (old.original_key)
            on conflict (key) do update set retired_at = now();
    end if;
    return null;
end
$$;
create trigger media_rendition_retired after delete on media_rendition
    for each row execute function media_file_retired();
create trigger media_original_retired after update of original_key or delete on media
    for each row execute function media_file_retired();

alter table article
    add column featured_media_id uuid references media (id) on delete restrict;
create index article_featured_media_idx on article (featured_media_id)
    where featured_media_id is not null;

-- An image readers may see changed (its alt text, its renditions): pages showing it drop.
create function media_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    perform notify_content('media:' || case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;
create trigger media_content_clock after update or delete on media
    for each row execute function media_changed();
create trigger article_media_content_clock after insert or update or delete on article_media
    for each row execute function article_part_changed('article_id');

-- The featured image goes where readers read articles: at the end, as columns must.
create or replace view readable_article as
select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang, a.status, a.published_at,
       a.updated_at, a.author_id, a.search, u.display_name as author_name, u.slug as author_slug,
       coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name, 'kind', t.kind)
                                 order by x.position)
                 from article_tag x join tag t on t.id = x.tag_id
                 where x.article_id = a.id), '[]') as tags,
       a.social_title, a.social_description, a.featured_media_id
from article a
join app_user u on u.id = a.author_id
where article_is_public(a.status, a.published_at);

create or replace view public_article as
select * from readable_article where article_is_listed(status, published_at);
