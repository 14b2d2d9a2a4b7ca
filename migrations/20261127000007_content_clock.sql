-- The moment the public side last changed, for `Last-Modified` and conditional requests.
-- Triggers move it forward whenever something a reader can see changes: an article that is or
-- was public, its tags, links and corrections, a tag, an author's public name. Articles that
-- become public by reaching their scheduled time change nothing in the database; readers of
-- the clock take `max(published_at)` of public articles into account for them.
create table content_clock (
    only_row   boolean primary key default true,
    changed_at timestamptz not null default now(),
    constraint content_clock_one_row check (only_row)
);
insert into content_clock default values;

-- Never backwards, even when transactions commit in another order than they started.
create function touch_content_clock() returns void language sql as $$
    update content_clock
    set changed_at = greatest(changed_at + interval '1 microsecond', clock_timestamp());
$$;

create function article_content_changed() returns trigger language plpgsql as $$
begin
    if (tg_op <> 'INSERT' and old.status in ('published', 'archived'))
       or (tg_op <> 'DELETE' and new.status in ('published', 'archived')) then
        perform touch_content_clock();
    end if;
    return null;
end
$$;
create trigger article_content_clock after insert or update or delete on article
    for each row execute function article_content_changed();

-- For rows hanging off an article: the article's id is in the column named by the argument.
create function article_part_changed() returns trigger language plpgsql as $$
declare
    row_data jsonb := case when tg_op = 'DELETE' then to_jsonb(old) else to_jsonb(new) end;
begin
    if exists (select 1 from article
               where id = (row_data ->> tg_argv[0])::uuid
                 and status in ('published', 'archived')) then
        perform touch_content_clock();
    end if;
    return null;
end
$$;
create trigger article_tag_content_clock after insert or update or delete on article_tag
    for each row execute function article_part_changed('article_id');
create trigger article_link_content_clock after insert or update or delete on article_link
    for each row execute function article_part_changed('from_article_id');
create trigger correction_content_clock after insert or update or delete on correction
    for each row execute function article_part_changed('article_id');

create function content_changed() returns trigger language plpgsql as $$
begin
    perform touch_content_clock();
    return null;
end
$$;
create trigger tag_content_clock after insert or update or delete on tag
    for each statement execute function content_changed();
create trigger app_user_content_clock after update of display_name, slug, bio or delete on app_user
    for each row execute function content_changed();
