-- Addresses articles had on the site they were imported from (the path of a WordPress
-- permalink, percent-decoded, without its trailing slash): a reader or a search engine
-- following an old link is sent on to the article with a 301.
create table legacy_url (
    path       text primary key,
    article_id uuid not null references article (id) on delete cascade,
    created_at timestamptz not null default now(),
    constraint legacy_url_path_check check (path ~ '^/.' and length(path) <= 2000)
);
create index legacy_url_article_idx on legacy_url (article_id);
