-- Issue 22, third part: translations. An article may be the translation of another (its
-- source): a translation group is a source and its translations, one article per language.
-- `translated_from` is the source's revision the translation was last saved against: when
-- the source has a newer saved revision, the translation is "à mettre à jour", and the editor
-- shows the source's changes since then.
alter table article
    -- Deferred: an import brings articles in any order, a translation before its original.
    add column translation_of uuid references article(id) on delete set null
        deferrable initially deferred,
    add column translated_from bigint,
    add constraint article_translation_check check (translation_of is null or translation_of <> id);
create index article_translation_idx on article (translation_of) where translation_of is not null;

-- The latest revision of article `a` whose text was saved (not an autosave nor a conflict).
create function latest_saved_revision(a uuid) returns bigint language sql stable as $$
    select max(r.id) from article_revision r
    where r.article_id = a and r.kind in ('create', 'save', 'restore');
$$;

-- Linked or unlinked: the source's page lists its group (and depends on every member from
-- then on, so a translation coming out later reaches it too).
create function article_translation_changed() returns trigger language plpgsql as $$
begin
    if bulk_loading() then
        return null;
    end if;
    perform notify_content(concat_ws(',', 'article:' || old.translation_of, 'article:' || new.translation_of));
    return null;
end
$$;
create trigger article_translation_content after update of translation_of on article
    for each row when (old.translation_of is distinct from new.translation_of)
    execute function article_translation_changed();
