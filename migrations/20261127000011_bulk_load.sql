-- A bulk load (`vigie import`) runs in one transaction that nobody sees until it commits:
-- announcing each of its thousands of rows to the render caches, one by one, is wasted work
-- (two thirds of an import's time, measured). Inside such a transaction `vigie.bulk_load` is
-- 'on': the change triggers then do nothing, and the import announces one change of
-- everything ('all') when it is done. Every other writer leaves the setting unset.

create function bulk_loading() returns boolean language sql stable as $$
    select coalesce(current_setting('vigie.bulk_load', true), '') = 'on';
$$;

create or replace function article_content_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    if (tg_op <> 'INSERT' and old.status in ('published', 'archived'))
       or (tg_op <> 'DELETE' and new.status in ('published', 'archived')) then
        perform touch_content_clock();
        perform notify_content(article_announcement(case when tg_op = 'DELETE' then old.id else new.id end));
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
               where id = changed and status in ('published', 'archived')) then
        perform touch_content_clock();
        -- A tag added or removed: that tag's pages change too (it is gone from the
        -- announcement of the article once removed).
        perform notify_content(article_announcement(changed)
            || coalesce(',tag:' || (row_data ->> 'tag_id'), ''));
    end if;
    return null;
end
$$;

create or replace function tag_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform touch_content_clock();
    perform notify_content('tag:' || case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;

create or replace function user_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform touch_content_clock();
    perform notify_content('user:' || case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;
