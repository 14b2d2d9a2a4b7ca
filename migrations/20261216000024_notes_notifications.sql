-- Issue 22, fourth part: editorial notes on a draft, and notifications in the staff menu.

-- A note of the newsroom on an article: staff only, never part of its text (not in revisions,
-- pages, feeds or the API). A thread is its first note and the replies to it; the first note
-- may be about one paragraph (its index, with its first words when the note was written, which
-- stay meaningful after the text moves) and is open or resolved.
create table article_note (
    id bigint generated always as identity primary key,
    article_id uuid not null references article(id) on delete cascade,
    parent_id bigint references article_note(id) on delete cascade,
    paragraph integer,
    quote text not null default '',
    body text not null,
    author_id uuid references app_user(id) on delete set null,
    created_at timestamptz not null default now(),
    resolved_at timestamptz,
    resolved_by uuid references app_user(id) on delete set null,
    constraint article_note_paragraph_check check (paragraph is null or paragraph >= 0),
    constraint article_note_quote_check check (char_length(quote) <= 200),
    constraint article_note_body_check check (btrim(body) <> '' and char_length(body) <= 4000),
    -- Only a thread is resolved; a reply is about what its thread is about.
    constraint article_note_reply_check check (parent_id is null or (resolved_at is null and paragraph is null))
);
create index article_note_article_idx on article_note (article_id, id);

-- What a person of the newsroom is told in the staff menu: an article submitted for review,
-- sent back, published, a scheduled article out, a note mentioning them.
create table notification (
    id bigint generated always as identity primary key,
    user_id uuid not null references app_user(id) on delete cascade,
    kind text not null,
    article_id uuid references article(id) on delete cascade,
    actor_id uuid references app_user(id) on delete set null,
    -- When it is news: now, or a scheduled article's time (shown from then on).
    due_at timestamptz not null default now(),
    read_at timestamptz,
    constraint notification_kind_check check (kind in
        ('submitted', 'sent_back', 'published', 'scheduled_out', 'mentioned'))
);
create index notification_user_idx on notification (user_id, due_at desc, id desc);
create index notification_unread_idx on notification (user_id, due_at) where read_at is null;

-- A scheduled article comes out by the clock, with nobody to tell its signers: their
-- notification is written when it is scheduled, due at its time, and goes if the time moves
-- or the scheduling is cancelled. Written with the change, like its webhooks.
create function article_scheduled_notice() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    if old.status = 'published' and old.published_at > now()
       and (new.status <> 'published' or new.published_at is distinct from old.published_at) then
        delete from notification
        where article_id = new.id and kind = 'scheduled_out' and due_at > now();
    end if;
    if new.status = 'published' and new.published_at > now()
       and (old.status <> 'published' or new.published_at is distinct from old.published_at) then
        insert into notification (user_id, kind, article_id, actor_id, due_at)
        select s.user_id, 'scheduled_out', new.id, new.last_editor_id, new.published_at
        from (select new.author_id as user_id
              union
              select c.user_id from article_coauthor c
              where c.article_id = new.id and c.user_id is not null) s;
    end if;
    return null;
end
$$;
create trigger article_scheduled_notice after update of status, published_at on article
    for each row execute function article_scheduled_notice();
