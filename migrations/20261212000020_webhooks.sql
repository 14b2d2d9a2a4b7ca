-- Issue 21: webhooks, delivered from a transactional outbox.
--
-- A change readers can notice (an article published, changed, taken down, deleted; a correction;
-- a tag) writes an event, and one delivery per endpoint subscribed to it, in the change's own
-- transaction: triggers do it, so that no way of changing an article can forget. Workers on
-- every instance then claim deliveries (`for update skip locked`), one endpoint's in the order
-- their events happened, and retry a failure with back-off until the receiver says yes.

create table webhook_endpoint (
    id                    uuid primary key default gen_random_uuid(),
    url                   text not null check (char_length(url) between 1 and 2000),
    description           text not null default '' check (char_length(description) <= 200),
    events                text[] not null check (
                              cardinality(events) > 0
                              and events <@ array['article.published', 'article.updated',
                                                  'article.unpublished', 'article.withdrawn',
                                                  'article.deleted', 'article.scheduled',
                                                  'article.submitted', 'correction.added',
                                                  'tag.changed']::text[]),
    -- `whsec_…` (Standard Webhooks): Vigie signs with it, so it is kept as it is. The previous
    -- one still signs until `previous_secret_until`, so that receivers can change over.
    secret                text not null,
    previous_secret       text,
    previous_secret_until timestamptz,
    enabled               boolean not null default true,
    disabled_at           timestamptz,
    disabled_reason       text not null default '',
    -- Since when its deliveries fail without a success in between.
    failing_since         timestamptz,
    created_by            uuid references app_user (id) on delete set null,
    created_at            timestamptz not null default now()
);

create table webhook_event (
    id          uuid primary key default gen_random_uuid(),
    seq         bigint generated always as identity unique,
    type        text not null,
    article_id  uuid,
    tag_id      uuid,
    -- What it is about, as it was: id, slug, title or name (all a deleted thing leaves).
    subject     jsonb not null default '{}',
    -- The body sent, made once when it is first sent (the article as the API shows it then),
    -- so that every attempt and every endpoint gets the same bytes.
    payload     jsonb,
    occurred_at timestamptz not null default now(),
    -- When it may be sent: now, or when a scheduled article comes out.
    due_at      timestamptz not null default now()
);
create index webhook_event_article_idx on webhook_event (article_id, type) where article_id is not null;
create index webhook_event_occurred_idx on webhook_event (occurred_at);

create table webhook_delivery (
    id              bigint generated always as identity primary key,
    endpoint_id     uuid not null references webhook_endpoint (id) on delete cascade,
    event_id        uuid not null references webhook_event (id) on delete cascade,
    -- Its place in the endpoint's order (the event's `due_at`, or when it was sent again).
    due_at          timestamptz not null,
    delivered_at    timestamptz,
    attempts        integer not null default 0,
    next_attempt_at timestamptz not null,
    -- A worker is sending it until then; after, another may.
    leased_until    timestamptz,
    last_status     smallint,
    last_error      text not null default '',
    last_attempt_at timestamptz
);
create index webhook_delivery_queue_idx on webhook_delivery (endpoint_id, due_at, id) where delivered_at is null;
create index webhook_delivery_due_idx on webhook_delivery (next_attempt_at) where delivered_at is null;
-- The few being sent now (a claim skips their endpoints).
create index webhook_delivery_leased_idx on webhook_delivery (endpoint_id) where leased_until is not null;
create index webhook_delivery_log_idx on webhook_delivery (endpoint_id, id desc);
create index webhook_delivery_event_idx on webhook_delivery (event_id);

-- Every try, for the endpoint's delivery log: the receiver's status and the start of its answer.
create table webhook_attempt (
    id          bigint generated always as identity primary key,
    delivery_id bigint not null references webhook_delivery (id) on delete cascade,
    at          timestamptz not null default now(),
    status      smallint,
    error       text not null default '',
    answer      text not null default '' check (char_length(answer) <= 500),
    duration_ms integer not null
);
create index webhook_attempt_delivery_idx on webhook_attempt (delivery_id, id desc);

-- Writes event `kind` and its deliveries, if any endpoint listens for it, and wakes the workers.
create function webhook_emit(kind text, article uuid, tag uuid, subject jsonb, due timestamptz)
returns void language plpgsql as $$
declare
    event uuid;
begin
    -- An import writes history, not news.
    if bulk_loading() or not exists (select 1 from webhook_endpoint where kind = any (events)) then
        return;
    end if;
    insert into webhook_event (type, article_id, tag_id, subject, due_at)
    values (kind, article, tag, subject, due)
    returning id into event;
    -- Also for an endpoint turned off (its backlog goes out when it is on again), unless it has
    -- been off for a month. `for key share`: an endpoint deleted meanwhile is skipped, not an
    -- error that would undo the change itself.
    insert into webhook_delivery (endpoint_id, event_id, due_at, next_attempt_at)
    select e.id, event, due, due from webhook_endpoint e
    where kind = any (e.events)
      and (e.enabled or coalesce(e.disabled_at, now()) > now() - interval '30 days')
    for key share of e;
    perform pg_notify('vigie_jobs', 'webhook');
end;
$$;

create function article_webhooks() returns trigger language plpgsql as $$
declare
    subject jsonb;
    was_public boolean;
    is_public boolean;
begin
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
    -- A coming-out that no longer holds (unscheduled, or moved): its waiting event goes.
    if old.status = 'published' and old.published_at > now()
       and (new.status <> 'published' or new.published_at is distinct from old.published_at) then
        delete from webhook_event
        where article_id = new.id and type = 'article.published' and due_at > now();
    end if;
    if new.status = 'in_review' and old.status <> 'in_review' then
        perform webhook_emit('article.submitted', new.id, null, subject, clock_timestamp());
    end if;
    if new.status = 'published'
       and (old.status <> 'published' or new.published_at is distinct from old.published_at) then
        if new.published_at > now() then
            perform webhook_emit('article.scheduled', new.id, null, subject, clock_timestamp());
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

create trigger article_webhooks after update or delete on article
for each row execute function article_webhooks();

create function correction_webhooks() returns trigger language plpgsql as $$
begin
    perform webhook_emit('correction.added', new.article_id, null,
        (select jsonb_build_object('id', a.id, 'slug', a.slug, 'title', a.title, 'correction', new.body)
         from article a where a.id = new.article_id),
        clock_timestamp());
    return new;
end;
$$;

create trigger correction_webhooks after insert on correction
for each row execute function correction_webhooks();

create function tag_webhooks() returns trigger language plpgsql as $$
declare
    t tag;
begin
    if tg_op = 'UPDATE' and old is not distinct from new then
        return new;
    end if;
    if tg_op = 'DELETE' then t := old; else t := new; end if;
    perform webhook_emit('tag.changed', null, t.id,
        jsonb_build_object('id', t.id, 'slug', t.slug, 'name', t.name, 'kind', t.kind,
                           'change', lower(tg_op)),
        clock_timestamp());
    return t;
end;
$$;

create trigger tag_webhooks after insert or update or delete on tag
for each row execute function tag_webhooks();
