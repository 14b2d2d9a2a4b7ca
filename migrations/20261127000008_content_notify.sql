-- Every change readers could see is announced on the `vigie_content` channel, so that every
-- Vigie instance drops exactly the cached pages it affects. The payload is a comma-separated
-- list of what changed: `article:<id>` (with `tag:<id>` for each of its tags, since pages
-- sharing a tag list it among their related articles), `tag:<id>`, `user:<id>`. PostgreSQL
-- delivers notifications at commit, once per distinct payload per transaction.

create function notify_content(what text) returns void language sql as $$
    select pg_notify('vigie_content', what);
$$;

create function article_announcement(article_id uuid) returns text language sql stable as $$
    select 'article:' || article_id
        || coalesce((select ',' || string_agg('tag:' || tag_id, ',' order by tag_id)
                     from article_tag where article_tag.article_id = article_announcement.article_id), '');
$$;

create or replace function article_content_changed() returns trigger language plpgsql as $$
begin
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
    row_data jsonb := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
    changed uuid := (row_data ->> tg_argv[0])::uuid;
begin
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

-- Tags and people: row by row now, to say which one changed.
drop trigger tag_content_clock on tag;
drop trigger app_user_content_clock on app_user;

create function tag_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    perform notify_content('tag:' || case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;
create trigger tag_content_clock after update or delete on tag
    for each row execute function tag_changed();

create function user_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    perform notify_content('user:' || case when tg_op = 'DELETE' then old.id else new.id end);
    return null;
end
$$;
create trigger app_user_content_clock after update of display_name, slug, bio or delete on app_user
    for each row execute function user_changed();
