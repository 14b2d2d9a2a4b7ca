-- A renamed or merged tag keeps its old address: it answers 301 to the current one.
create table tag_redirect (
    old_slug   text primary key,
    tag_id     uuid not null references tag (id) on delete cascade,
    created_at timestamptz not null default now(),
    constraint tag_redirect_slug_check check (old_slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$')
);
create index tag_redirect_tag_idx on tag_redirect (tag_id);
