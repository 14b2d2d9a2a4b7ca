-- Accounts: first-run setup tokens and login throttling, both shared by every instance.

-- One-time tokens printed in the log while no user exists; any of them creates the first admin,
-- and all are deleted when it exists. Only the SHA-256 of a token is stored.
create table setup_token (
    token_hash bytea primary key,
    created_at timestamptz not null default now()
);

-- Failed logins per key ('account:<email>' or 'address:<ip>'): growing delays survive restarts.
create table login_throttle (
    key             text primary key,
    failures        integer not null default 0,
    last_failure_at timestamptz not null default now(),
    locked_until    timestamptz,
    constraint login_throttle_failures_check check (failures >= 0)
);
create index login_throttle_last_failure_idx on login_throttle (last_failure_at);

-- Session look-ups run on every signed-in request: by hash (the primary key), and expiry
-- sweeps by last activity.
create index session_last_seen_at_idx on session (last_seen_at);
