-- A scheduled article's signers are told by e-mail too when it comes out, not when it is
-- scheduled: the trigger that writes their notification, due at its time, also queues an
-- `out_notice` job due then (a moved or cancelled scheduling takes its waiting job away). The
-- job mails those whose notification is still due at that time for an article still
-- published at it, marking each notification mailed as it does (`mailed_at`), so that a job
-- run twice, or two jobs for the same time, send one mail each. Without a mail server the job
-- does nothing: the staff menu's notice is enough.

alter table notification add column mailed_at timestamptz;

alter table job drop constraint job_kind_check;
alter table job add constraint job_kind_check
    check (kind in ('renditions', 'mail', 'password_reset', 'related', 'out_notice'));

create or replace function article_scheduled_notice() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    if old.status = 'published' and old.published_at > now()
       and (new.status <> 'published' or new.published_at is distinct from old.published_at) then
        delete from notification
        where article_id = new.id and kind = 'scheduled_out' and due_at > now();
        delete from job
        where kind = 'out_notice' and payload ->> 'article' = new.id::text
          and lease_until is null and not failed;
    end if;
    if new.status = 'published' and new.published_at > now()
       and (old.status <> 'published' or new.published_at is distinct from old.published_at) then
        insert into notification (user_id, kind, article_id, actor_id, due_at)
        select s.user_id, 'scheduled_out', new.id, new.last_editor_id, new.published_at
        from (select new.author_id as user_id
              union
              select c.user_id from article_coauthor c
              where c.article_id = new.id and c.user_id is not null) s;
        insert into job (kind, payload, max_attempts, run_after)
        values ('out_notice',
                jsonb_build_object('article', new.id, 'at', new.published_at),
                20, new.published_at);
    end if;
    return null;
end
$$;

-- After a bulk load (an import, whose triggers stay quiet) and for articles scheduled before
-- this migration: every scheduled article without its signers' notices for its time gets
-- them, and one without a waiting job gets its job, as the trigger would have made them.
create function queue_scheduled_out() returns void language sql as $$
    insert into notification (user_id, kind, article_id, actor_id, due_at)
    select s.user_id, 'scheduled_out', a.id, a.last_editor_id, a.published_at
    from article a
    cross join lateral (select a.author_id as user_id
                        union
                        select c.user_id from article_coauthor c
                        where c.article_id = a.id and c.user_id is not null) s
    where a.status = 'published' and a.published_at > now()
      and not exists (select 1 from notification n
                      where n.article_id = a.id and n.kind = 'scheduled_out'
                        and n.due_at = a.published_at);
    insert into job (kind, payload, max_attempts, run_after)
    select 'out_notice', jsonb_build_object('article', a.id, 'at', a.published_at), 20,
           a.published_at
    from article a
    where a.status = 'published' and a.published_at > now()
      and not exists (select 1 from job j
                      where j.kind = 'out_notice' and j.payload ->> 'article' = a.id::text
                        and not j.failed);
$$;

select queue_scheduled_out();
