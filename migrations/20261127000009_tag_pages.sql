-- Tag pages walk an index of their own articles in date order, so that page 50 of a big tag
-- costs what page 1 costs and a small tag does not scan the whole archive. Each article_tag row
-- carries its article's publication time while the article is published (null otherwise),
-- kept by triggers.
alter table article_tag add column published_at timestamptz;
-- Copying the time is not a change readers see by itself (the article's own trigger says it);
-- changed first, so that the copy below does not announce half a million changes.
drop trigger article_tag_content_clock on article_tag;
create trigger article_tag_content_clock
    after insert or delete or update of article_id, tag_id, position on article_tag
    for each row execute function article_part_changed('article_id');
update article_tag x set published_at = a.published_at
from article a where a.id = x.article_id and a.status = 'published';
create index article_tag_published_idx on article_tag (tag_id, published_at desc, article_id desc)
    where published_at is not null;

create function article_tag_copy_published() returns trigger language plpgsql as $$
begin
    select case when status = 'published' then published_at end into new.published_at
    from article where id = new.article_id;
    return new;
end
$$;
create trigger article_tag_copy_published before insert or update of article_id on article_tag
    for each row execute function article_tag_copy_published();

create function article_published_to_tags() returns trigger language plpgsql as $$
begin
    update article_tag
    set published_at = case when new.status = 'published' then new.published_at end
    where article_id = new.id;
    return null;
end
$$;
create trigger article_published_to_tags after update of status, published_at on article
    for each row when (old.status is distinct from new.status
                       or old.published_at is distinct from new.published_at)
    execute function article_published_to_tags();

