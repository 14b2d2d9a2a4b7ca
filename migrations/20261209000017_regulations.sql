-- The beat itself: regulations as records (jurisdiction, legal form, status, dated milestones,
-- an append-only public history of changes), and what each article says about AI: its use of
-- AI (disclosed to readers) and whether text-and-data mining of it is left open.

-- Where a regulation applies: the EU, a country, a US state… A small list the newsroom keeps,
-- each with its page. `tag_id` is the jurisdiction tag whose articles its page lists too.
create table jurisdiction (
    id uuid primary key default gen_random_uuid(),
    slug text not null,
    name text not null,
    tag_id uuid references tag (id) on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint jurisdiction_slug_key unique (slug),
    constraint jurisdiction_tag_key unique (tag_id),
    constraint jurisdiction_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint jurisdiction_name_check check (btrim(name) <> '' and char_length(name) <= 100)
);
create unique index jurisdiction_name_key on jurisdiction (lower(name));
create trigger jurisdiction_set_updated_at before update on jurisdiction
    for each row execute function set_updated_at();

-- One regulation. An article is about it when it carries its tag (`tag_id`): one association,
-- kept in revisions, exports and the tag picker like any tag. `published_at` null: still being
-- prepared, seen by staff only; from then on every change of its dates or status is history.
create table regulation (
    id uuid primary key default gen_random_uuid(),
    slug text not null,
    name text not null,
    short_name text not null default '',
    official_title text not null default '',
    -- The official reference, e.g. "Règlement (UE) 2024/1689", "SB 24-205".
    identifier text not null default '',
    -- Null on records the migration made from tags, until an editor completes them.
    jurisdiction_id uuid references jurisdiction (id) on delete restrict,
    legal_form text,
    status text,
    adopted_on date,
    official_url text not null default '',
    legislature_url text not null default '',
    summary_markdown text not null default '',
    -- Rendered and sanitised at save, as article bodies are.
    summary_html text not null default '',
    tag_id uuid references tag (id) on delete set null,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint regulation_slug_key unique (slug),
    constraint regulation_tag_key unique (tag_id),
    constraint regulation_slug_check check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' and length(slug) <= 80),
    constraint regulation_name_check check (btrim(name) <> '' and char_length(name) <= 200),
    constraint regulation_legal_form_check check (legal_form in
        ('regulation', 'directive', 'law', 'bill', 'executive_order', 'guidance', 'standard')),
    constraint regulation_status_check check (status in
        ('proposed', 'in_negotiation', 'adopted', 'in_force', 'partly_applicable',
         'fully_applicable', 'repealed', 'withdrawn')),
    -- Public only once complete.
    constraint regulation_published_complete check (published_at is null or
        (jurisdiction_id is not null and legal_form is not null and status is not null))
);
create index regulation_jurisdiction_idx on regulation (jurisdiction_id);
create trigger regulation_set_updated_at before update on regulation
    for each row execute function set_updated_at();

-- A date from which something applies. When only the month or the quarter is known, `on_date`
-- is its first day and `precision` says so (calendars mark such events).
create table regulation_milestone (
    id uuid primary key default gen_random_uuid(),
    regulation_id uuid not null references regulation (id) on delete cascade,
    on_date date not null,
    precision text not null default 'day',
    label text not null,
    applies text not null default '',
    source_url text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint regulation_milestone_precision_check check (precision in ('day', 'month', 'quarter')),
    constraint regulation_milestone_first_day check (
        precision = 'day'
        or (precision = 'month' and extract(day from on_date) = 1)
        or (precision = 'quarter' and extract(day from on_date) = 1
            and extract(month from on_date) in (1, 4, 7, 10))),
    constraint regulation_milestone_label_check check (btrim(label) <> '' and char_length(label) <= 200)
);
-- The last day a milestone may fall on: itself, or the end of its month or quarter.
create function milestone_ends(on_date date, how_precise text) returns date
language sql immutable as $$
    select case how_precise
        when 'month' then (on_date + interval '1 month' - interval '1 day')::date
        when 'quarter' then (on_date + interval '3 months' - interval '1 day')::date
        else on_date
    end;
$$;

create index regulation_milestone_regulation_idx on regulation_milestone (regulation_id, on_date);
create index regulation_milestone_date_idx on regulation_milestone (on_date);
create trigger regulation_milestone_set_updated_at before update on regulation_milestone
    for each row execute function set_updated_at();

-- What changed in a public regulation's dates or status, when, on what source: written with the
-- change, never changed or removed afterwards (but with its regulation). `milestone_id` is not a
-- foreign key: the history of a removed milestone stays, its label copied here.
create table regulation_change (
    id bigint generated always as identity primary key,
    regulation_id uuid not null references regulation (id) on delete cascade,
    milestone_id uuid,
    kind text not null,
    label text not null default '',
    from_date date,
    from_precision text,
    to_date date,
    to_precision text,
    from_status text,
    to_status text,
    note text not null default '',
    source_url text not null default '',
    actor_id uuid references app_user (id) on delete set null,
    noted_at timestamptz not null default now(),
    constraint regulation_change_kind_check check (kind in
        ('status', 'milestone_added', 'milestone_moved', 'milestone_removed'))
);
create index regulation_change_regulation_idx on regulation_change (regulation_id, noted_at desc);
create index regulation_change_noted_idx on regulation_change (noted_at desc);

create function regulation_change_append_only() returns trigger language plpgsql as $$
begin
    -- Removed with its regulation (the cascade runs once the regulation is gone), never alone.
    if tg_op = 'DELETE'
       and not exists (select 1 from regulation where id = old.regulation_id) then
        return old;
    end if;
    -- The one change allowed: forgetting who made it, when that account is deleted.
    if tg_op = 'UPDATE' and new.actor_id is null
       and to_jsonb(new) - 'actor_id' = to_jsonb(old) - 'actor_id' then
        return new;
    end if;
    raise exception 'the history of a regulation is append-only'
        using errcode = 'check_violation', constraint = 'regulation_change_append_only';
end
$$;
create trigger regulation_change_append_only before update or delete on regulation_change
    for each row execute function regulation_change_append_only();

-- What readers may see of regulations: the published ones. Every public query reads this.
create view public_regulation as
select * from regulation where published_at is not null;

-- Readers' pages show regulations (hubs, calendars, the boxes on article pages, the home page's
-- coming deadlines): a change announces the regulation, and its tag (old and new), since
-- article pages depend on their tags.
create function regulation_changed() returns trigger language plpgsql as $$
declare
    announced text := 'regulation:' || case when tg_op = 'DELETE' then old.id else new.id end;
begin
    if bulk_loading() then
        return null;
    end if;
    if tg_op <> 'INSERT' and old.tag_id is not null then
        announced := announced || ',tag:' || old.tag_id;
    end if;
    if tg_op <> 'DELETE' and new.tag_id is not null then
        announced := announced || ',tag:' || new.tag_id;
    end if;
    perform touch_content_clock();
    perform notify_content(announced);
    return null;
end
$$;
create trigger regulation_content_clock after insert or update or delete on regulation
    for each row execute function regulation_changed();

create function regulation_part_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform touch_content_clock();
    perform notify_content('regulation:'
        || case when tg_op = 'DELETE' then old.regulation_id else new.regulation_id end);
    return null;
end
$$;
create trigger regulation_milestone_content_clock after insert or update or delete on regulation_milestone
    for each row execute function regulation_part_changed();
create trigger regulation_change_content_clock after insert on regulation_change
    for each row execute function regulation_part_changed();

create function jurisdiction_changed() returns trigger language plpgsql as $$
declare
    changed uuid := case when tg_op = 'DELETE' then old.id else new.id end;
begin
    if bulk_loading() then
        return null;
    end if;
    perform touch_content_clock();
    perform notify_content('jurisdiction:' || changed || coalesce((
        select ',' || string_agg('regulation:' || r.id, ',' order by r.id)
        from regulation r where r.jurisdiction_id = changed), ''));
    return null;
end
$$;
create trigger jurisdiction_content_clock after update or delete on jurisdiction
    for each row execute function jurisdiction_changed();

-- Jurisdiction and regulation tags no record names become records, keeping the tags (their
-- pages and addresses stay). Regulations made this way wait, unpublished, for an editor to give
-- them a jurisdiction, a legal form and a status (their summary is rendered at that save). Run
-- now for the tags already there, and by `vigie import` for an export made before the tracker.
create function records_from_tags() returns void language sql as $$
    insert into jurisdiction (slug, name, tag_id)
    select t.slug, t.name, t.id from tag t
    where t.kind = 'jurisdiction' and not exists (select 1 from jurisdiction j where j.tag_id = t.id)
    on conflict do nothing;
    insert into regulation (slug, name, summary_markdown, tag_id)
    select t.slug, t.name, t.description, t.id from tag t
    where t.kind = 'regulation' and not exists (select 1 from regulation r where r.tag_id = t.id)
    on conflict do nothing;
$$;
select records_from_tags();

-- What the article says about AI: how AI was used to make it (shown under the byline), and
-- whether the newsroom leaves it open to text-and-data mining (the site reserves those rights
-- by default, see `VIGIE_TDM_RESERVATION`).
alter table article
    add column ai_use text not null default 'none',
    add column tdm_open boolean not null default false,
    add constraint article_ai_use_check check (ai_use in
        ('none', 'research', 'writing', 'translation', 'illustration'));

-- Both go where readers read articles: at the end, as columns must.
create or replace view readable_article as
select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang, a.status, a.published_at,
       a.updated_at, a.author_id, a.search, u.display_name as author_name, u.slug as author_slug,
       coalesce((select json_agg(json_build_object('slug', t.slug, 'name', t.name, 'kind', t.kind)
                                 order by x.position)
                 from article_tag x join tag t on t.id = x.tag_id
                 where x.article_id = a.id), '[]') as tags,
       a.social_title, a.social_description, a.featured_media_id, a.ai_use, a.tdm_open
from article a
join app_user u on u.id = a.author_id
where article_is_public(a.status, a.published_at);

create or replace view public_article as
select * from readable_article where article_is_listed(status, published_at);
