-- Each person sees their own sessions (`/account`): which browser, from where, since when, last
-- used when, and ends any of them. A session is named in pages and forms by `public_id`, never
-- by its token's digest.
alter table session
    add column public_id uuid not null default gen_random_uuid(),
    -- The browser's `User-Agent` as it signed in (cut to 300 characters), and the client address
    -- as `web::serve::client_addr` reads it (IPv6 grouped by /64).
    add column user_agent text not null default '',
    add column address text not null default '';
create unique index session_public_id_key on session (public_id);
