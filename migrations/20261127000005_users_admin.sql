-- One-time links an admin hands to a person to set (or reset) their password. Only the SHA-256
-- of a token is stored; a link works once, within three days.
create table password_token (
    token_hash bytea primary key,
    user_id    uuid not null references app_user (id) on delete cascade,
    created_by uuid references app_user (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null default now() + interval '3 days'
);
create index password_token_user_idx on password_token (user_id);
