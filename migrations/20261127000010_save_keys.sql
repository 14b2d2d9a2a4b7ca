-- Every article form carries a save key, made when the form is shown. The revision a save
-- makes keeps it, so that the same form sent again (a double click, a browser resending after
-- a lost answer, a retry) finds that revision instead of saving a second time.
alter table article_revision add column save_key uuid;
create unique index article_revision_save_key on article_revision (save_key)
    where save_key is not null;
