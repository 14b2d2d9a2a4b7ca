-- Issue 21: API tokens for the write API, and idempotent creates.

-- A person's API token. The token itself (`vigie_pat_…`) is shown once when made and never
-- stored: only its SHA-256, which is what a request's token is looked up by. Its scopes are
-- what it was given; what it may do is those scopes that the owner's role allows at the time
-- of each request, so a demoted owner's tokens shrink and a disabled owner's stop at once.
create table api_token (
    id                uuid primary key default gen_random_uuid(),
    user_id           uuid not null references app_user (id) on delete cascade,
    name              text not null check (char_length(name) between 1 and 100),
    hash              bytea not null unique check (octet_length(hash) = 32),
    -- The token's first characters, enough to tell tokens apart in lists, never enough to use.
    hint              text not null check (char_length(hint) <= 40),
    scopes            text[] not null check (
                          cardinality(scopes) > 0
                          and scopes <@ array['content:read', 'articles:write', 'articles:publish',
                                              'media:write', 'webhooks:manage']::text[]),
    created_at        timestamptz not null default now(),
    created_by        uuid references app_user (id) on delete set null,
    expires_at        timestamptz not null,
    revoked_at        timestamptz,
    last_used_at      timestamptz,
    last_used_address text check (char_length(last_used_address) <= 64),
    check (expires_at > created_at)
);
create index api_token_user_idx on api_token (user_id, created_at desc);

-- What a token did is in the audit log under its name: an API request sets these two for its
-- own transaction (`set_config(…, true)`), and every event recorded in it carries them.
alter table audit_event
    add column token_id uuid references api_token (id) on delete set null
        default nullif(current_setting('vigie.token_id', true), '')::uuid,
    add column token_name text
        default nullif(current_setting('vigie.token_name', true), '');

-- `Idempotency-Key`: the answer to a create, kept for a day under the token and key that asked
-- for it. The same key with the same request gets the same answer; with another request, 422.
-- Written in the create's own transaction, so a key names a create that happened or nothing.
create table api_idempotency (
    token_id     uuid not null references api_token (id) on delete cascade,
    key          text not null check (char_length(key) between 1 and 255),
    -- SHA-256 of the method, the path and the body.
    request_hash bytea not null check (octet_length(request_hash) = 32),
    status       smallint not null,
    location     text,
    body         jsonb not null,
    created_at   timestamptz not null default now(),
    primary key (token_id, key)
);
create index api_idempotency_created_idx on api_idempotency (created_at);
