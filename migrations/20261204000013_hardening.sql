-- Issue 14's hardening.

-- Whether readers can see an article now: published and its time has come, or archived.
create function article_is_public(status text, published_at timestamptz) returns boolean
language sql stable as $$
    select status = 'archived' or (status = 'published' and published_at <= now());
$$;

-- Scheduling an article (published, with a time still to come) changes nothing readers see:
-- the content clock (`Last-Modified`) stays, and the announcement says only `schedule`, which
-- makes the render caches' listeners read the next publication time and drops no page. The
-- clock moves when the time comes (see `store::clock`).
create or replace function article_content_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    if (tg_op <> 'INSERT' and article_is_public(old.status, old.published_at))
       or (tg_op <> 'DELETE' and article_is_public(new.status, new.published_at)) then
        perform touch_content_clock();
        perform notify_content(article_announcement(case when tg_op = 'DELETE' then old.id else new.id end));
    elsif (tg_op <> 'INSERT' and old.status = 'published')
          or (tg_op <> 'DELETE' and new.status = 'published') then
        perform notify_content('schedule');
    end if;
    return null;
end
$$;

create or replace function article_part_changed() returns trigger language plpgsql as $$
declare
    row_data jsonb;
    changed uuid;
begin
    if bulk_loading() then
        return null;
    end if;
    row_data := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
    changed := (row_data ->> tg_argv[0])::uuid;
    if exists (select 1 from article
               where id = changed and article_is_public(status, published_at)) then
        perform touch_content_clock();
        perform notify_content(article_announcement(changed)
            || coalesce(',tag:' || (row_data ->> 'tag_id'), ''));
    end if;
    return null;
end
$$;

-- A browser that has signed in to an account before: its cookie holds a random token, of
-- which only the SHA-256 is kept. Sign-in throttling spares such a browser the account-wide
-- limit, so failures from strangers' addresses cannot lock the owner out (OWASP's "device
-- cookies"). One browser may have signed in to several accounts.
create table login_device (
    token_hash   bytea not null,
    user_id      uuid not null references app_user (id) on delete cascade,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    primary key (token_hash, user_id)
);
create index login_device_user_idx on login_device (user_id);

-- The text of a rendered body, for search snippets: tags dropped, the few entities the
-- sanitiser writes decoded. Read from the sanitised HTML, so that what the page never shows
-- (scripts, styles, `javascript:` links) never shows in a snippet either.
create function article_plain_text(html text) returns text language sql immutable as $$
    select replace(replace(replace(replace(replace(
        regexp_replace(html, '<[^>]*>', ' ', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&nbsp;', ' '), '&amp;', '&');
$$;
