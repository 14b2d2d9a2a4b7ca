-- Accounts a newsroom can trust (issue 20).
--
-- Each person sees their own sessions (`/account`): which browser, from where, since when,
-- last used when, and ends any of them. A session is named in pages and forms by `public_id`,
-- never by its token's digest.
alter table session
    add column public_id uuid not null default gen_random_uuid(),
    -- The browser's `User-Agent` as it signed in (cut to 300 characters), and the client address
    -- as `web::serve::client_addr` reads it (IPv6 grouped by /64).
    add column user_agent text not null default '',
    add column address text not null default '';
create unique index session_public_id_key on session (public_id);

-- A second factor (issue 20): a TOTP secret per person (RFC 6238), confirmed by a first code
-- before it is asked for, and ten single-use recovery codes of which only the SHA-256 is kept.
-- `last_step`: the time step a code was last accepted for; a code of that step or an earlier
-- one is refused, so a code seen over someone's shoulder cannot be used again.
create table user_totp (
    user_id uuid primary key references app_user (id) on delete cascade,
    secret bytea not null,
    confirmed_at timestamptz,
    last_step bigint not null default 0,
    created_at timestamptz not null default now()
);

create table recovery_code (
    user_id uuid not null references app_user (id) on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

-- A password checked, a code not yet: such a session opens nothing but the code's page, and
-- ends within minutes.
alter table session add column second_factor_pending boolean not null default false;

-- E-mail: messages wait in the job queue (written with what causes them, sent by any
-- instance, retried), and each person may read theirs in their own language (null: the site's,
-- `VIGIE_LANG`). "Mot de passe oublié" is a job of its own, holding only the address typed: the
-- request does the same work whether it names an account or not, and the link's token is made
-- when the mail leaves.
alter table job drop constraint job_kind_check;
alter table job add constraint job_kind_check check (kind in ('renditions', 'mail', 'password_reset'));
alter table app_user add column lang text
    constraint app_user_lang_check check (lang in ('fr', 'en'));

-- When the person last proved who they are in this session (signing in, or confirming their
-- password or a code): managing other people's accounts asks for it within minutes.
alter table session add column authenticated_at timestamptz not null default now();
