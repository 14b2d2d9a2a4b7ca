-- Review and corrections: the editor's note when sending an article back, and which version
-- readers last saw (the review page shows what changed since).

alter table article
    add column review_note text not null default '',
    add column published_version integer;

-- Unpublished with "withdrawn": its address answers 410 Gone with a notice, not 404, until it
-- is published again.
alter table article add column withdrawn boolean not null default false;
