-- Issue 22, first part: embargoes and shareable preview links.

-- An embargo: the article must not come out before this time, however ready it is. It is
-- part of the publication rule itself: a public article's date is never before its embargo,
-- so every reader surface (they all read through `article_is_listed`/`article_is_public`,
-- which compare that date with now) keeps it out until then, whatever path published it.
-- The store refuses a publication before the time with the newsroom's words; this constraint
-- is the last word if anything ever forgets. Lifting an embargo (editors, audited) clears it.
alter table article
    add column embargo_until timestamptz,
    -- Why, or whose: "Étude de la CNIL, embargo jusqu'à jeudi 9 h" (staff only).
    add column embargo_note text not null default '',
    add constraint article_embargo_note_check check (length(embargo_note) <= 500),
    add constraint article_embargo_check check (
        embargo_until is null or status not in ('published', 'archived')
        or published_at >= embargo_until);

-- An embargoed article is news to nobody outside the newsroom, webhook receivers included:
-- its submission and its scheduling are not announced (its coming out is, at its time). The
-- function is the webhooks migration's, with that one condition added.
create or replace function article_webhooks() returns trigger language plpgsql as $$
declare
    subject jsonb;
    was_public boolean;
    is_public boolean;
    embargoed boolean;
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

-- A link that lets someone outside the newsroom (a source, a lawyer) read an unpublished
-- article as it will look. The link holds a random token; only its SHA-256 is kept, so the
-- table cannot give a working link away. Until it expires or is revoked; under embargo only if
-- it was made to pass it.
create table preview_link (
    id uuid primary key default gen_random_uuid(),
    article_id uuid not null references article(id) on delete cascade,
    token_hash bytea not null unique,
    -- Who it is for, as the person who made it says ("Me Dupont, avocate").
    label text not null default '',
    through_embargo boolean not null default false,
    created_by uuid references app_user(id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    revoked_at timestamptz,
    -- Read at most once a minute's worth: the list says whether and when it was opened.
    last_seen_at timestamptz,
    views integer not null default 0,
    constraint preview_link_label_check check (length(label) <= 200),
    constraint preview_link_expiry_check check (expires_at > created_at)
);
create index preview_link_article_idx on preview_link (article_id, created_at desc);
