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

-- Articles scheduled before this migration have their notices but no job yet.
insert into job (kind, payload, max_attempts, run_after)
select 'out_notice', jsonb_build_object('article', a.id, 'at', a.published_at), 20, a.published_at
from article a
where a.status = 'published' and a.published_at > now()
  and exists (select 1 from notification n
              where n.article_id = a.id and n.kind = 'scheduled_out' and n.due_at = a.published_at);
