-- Why the newsroom withdrew an article: shown on the editor's "Retiré" state and to readers on
-- the 410 page at its address. Empty when no reason was given; cleared when it is published
-- again, like `withdrawn`.
alter table article
    add column withdrawn_reason text not null default ''
        check (length(withdrawn_reason) <= 2000);

-- The review queue's length is in every staff page's menu: counted from this small index.
create index article_in_review_idx on article (updated_at) where status = 'in_review';
