-- The whole data model of the design: people, sessions, articles and what hangs off them.
-- Constraints are named so that errors can be mapped to messages (see src/web/error.rs).

create extension if not exists unaccent;

-- French full-text search that ignores accents: `securite` finds `sécurité`.
create text search configuration french_unaccent (copy = french);
alter text search configuration french_unaccent
    alter mapping for hword, hword_part, word with unaccent, french_stem;

-- One trigger helper keeps every updated_at honest.
create function set_updated_at() returns trigger language plpgsql as $$
begin
    new.updated_at = now();
    return new;
end
$$;

create table app_user (
    id            uuid primary key default gen_random_uuid(),
    email         text not null,
    display_name  text not null,
    slug          text not null,
    bio           text not null default '',
    role          text not null,
    -- argon2id PHC string; null until the person sets a password (demo and imported authors).
    password_hash text,
    disabled_at   timestamptz,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint app_user_role_check check (role in ('journalist', 'editor', 'admin')),
    constraint app_user_email_check check (email ~ '^[^@[:space:]]+@[^@[:space:]]+$' and length(email) <= 254),
    constraint app_user_display_name_check check (btrim(display_name) <> ''),
    constraint app_user_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint app_user_slug_key unique (slug)
);
create unique index app_user_email_key on app_user (lower(email));
create trigger app_user_set_updated_at before update on app_user
    for each row execute function set_updated_at();

create table session (
    -- SHA-256 of the random id in the cookie: a database dump gives no usable session.
    id_hash      bytea primary key,
    user_id      uuid not null references app_user (id) on delete cascade,
    csrf_token   text not null,
    created_at   timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at   timestamptz not null
);
create index session_user_id_idx on session (user_id);
create index session_expires_at_idx on session (expires_at);

create table article (
    id            uuid primary key default gen_random_uuid(),
    slug          text not null,
    title         text not null,
    dek           text not null default '',
    body_markdown text not null default '',
    -- Rendered and sanitised at save; pages insert it as is.
    body_html     text not null default '',
    excerpt       text not null default '',
    lang          text not null default 'fr',
    status        text not null default 'draft',
    author_id     uuid not null references app_user (id),
    -- A published article with a future published_at is scheduled: invisible until then.
    published_at  timestamptz,
    -- Optimistic concurrency: every save says which version it started from.
    version       integer not null default 1,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    search        tsvector generated always as (
        setweight(to_tsvector('french_unaccent', title), 'A')
        || setweight(to_tsvector('french_unaccent', dek), 'B')
        || setweight(to_tsvector('french_unaccent', body_markdown), 'C')
    ) stored,
    constraint article_slug_key unique (slug),
    constraint article_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint article_title_check check (btrim(title) <> '' and char_length(title) <= 300),
    constraint article_status_check check (status in ('draft', 'in_review', 'published', 'archived')),
    constraint article_lang_check check (lang ~ '^[a-z]{2}$'),
    constraint article_published_at_check check (status not in ('published', 'archived') or published_at is not null),
    constraint article_version_check check (version > 0)
);
-- Public lists: newest published first, keyset-paginated on (published_at, id).
create index article_published_idx on article (published_at desc, id desc) where status = 'published';
create index article_author_published_idx on article (author_id, published_at desc, id desc) where status = 'published';
create index article_author_idx on article (author_id);
create index article_search_idx on article using gin (search);
create trigger article_set_updated_at before update on article
    for each row execute function set_updated_at();

create table tag (
    id          uuid primary key default gen_random_uuid(),
    slug        text not null,
    name        text not null,
    kind        text not null default 'topic',
    description text not null default '',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint tag_slug_key unique (slug),
    constraint tag_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint tag_name_check check (btrim(name) <> '' and char_length(name) <= 100),
    constraint tag_kind_check check (kind in ('topic', 'jurisdiction', 'organisation', 'regulation'))
);
create unique index tag_name_key on tag (lower(name));
create trigger tag_set_updated_at before update on tag
    for each row execute function set_updated_at();

create table article_tag (
    article_id uuid not null references article (id) on delete cascade,
    tag_id     uuid not null references tag (id) on delete cascade,
    position   integer not null,
    primary key (article_id, tag_id)
);
-- Tag pages: the articles of one tag.
create index article_tag_tag_idx on article_tag (tag_id, article_id);

create table article_link (
    from_article_id uuid not null references article (id) on delete cascade,
    to_article_id   uuid not null references article (id) on delete cascade,
    position        integer not null,
    origin          text not null,
    primary key (from_article_id, to_article_id),
    constraint article_link_origin_check check (origin in ('picked', 'inline')),
    constraint article_link_self_check check (from_article_id <> to_article_id)
);
create index article_link_to_idx on article_link (to_article_id);

create table article_revision (
    id            bigint generated always as identity primary key,
    article_id    uuid not null references article (id) on delete cascade,
    version       integer not null,
    title         text not null,
    dek           text not null,
    body_markdown text not null,
    -- Tag ids and related article ids, in order, as they were at this save.
    tags          jsonb not null default '[]',
    related       jsonb not null default '[]',
    editor_id     uuid references app_user (id) on delete set null,
    created_at    timestamptz not null default now()
);
create index article_revision_article_idx on article_revision (article_id, id desc);

create table slug_redirect (
    old_slug   text primary key,
    article_id uuid not null references article (id) on delete cascade,
    created_at timestamptz not null default now(),
    constraint slug_redirect_slug_check check (old_slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
create index slug_redirect_article_idx on slug_redirect (article_id);

create table correction (
    id         bigint generated always as identity primary key,
    article_id uuid not null references article (id) on delete cascade,
    author_id  uuid references app_user (id) on delete set null,
    noted_at   timestamptz not null default now(),
    body       text not null,
    constraint correction_body_check check (btrim(body) <> '')
);
create index correction_article_idx on correction (article_id, noted_at);
create index correction_noted_at_idx on correction (noted_at desc);

-- Who did what. No foreign key on the target: the record outlives what it describes.
create table audit_event (
    id          bigint generated always as identity primary key,
    actor_id    uuid references app_user (id) on delete set null,
    action      text not null,
    target_type text not null,
    target_id   text,
    details     jsonb not null default '{}',
    at          timestamptz not null default now()
);
create index audit_event_at_idx on audit_event (at desc, id desc);
create index audit_event_actor_idx on audit_event (actor_id, at desc);
create index audit_event_action_idx on audit_event (action, at desc);
create index audit_event_target_idx on audit_event (target_type, target_id);
