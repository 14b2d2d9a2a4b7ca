-- The editor: who last saved an article, the soft lock, and what kind of save a revision was.

alter table article
    add column last_editor_id uuid references app_user (id) on delete set null;

-- Soft lock: who has the article open in the editor, refreshed by saves and autosaves. A table
-- of its own, so that opening an article does not touch the article (nor its updated_at).
create table article_lock (
    article_id uuid primary key references article (id) on delete cascade,
    user_id    uuid not null references app_user (id) on delete cascade,
    locked_at  timestamptz not null default now()
);

alter table article_revision
    add column kind text not null default 'save',
    add constraint article_revision_kind_check
        check (kind in ('create', 'save', 'autosave', 'conflict', 'restore'));

-- The editor's list: most recently changed first, per author too.
create index article_updated_idx on article (updated_at desc, id desc);
create index article_author_updated_idx on article (author_id, updated_at desc, id desc);
