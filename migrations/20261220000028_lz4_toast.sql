-- Long values (bodies, their HTML, the search vector and passage, revisions' text) are
-- compressed with lz4 rather than pglz where this PostgreSQL has it (issue 23): writing an
-- article spent 15 % of its time in pglz (a bulk import's profile), and reading one back to
-- rank or quote it decompresses them. Only values written from now on change; nothing is
-- rewritten. A server built without lz4 keeps pglz.
do $$
begin
    if exists (select 1 from pg_settings
               where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
        alter table article
            alter column body_markdown set compression lz4,
            alter column body_html set compression lz4,
            alter column search set compression lz4,
            alter column search_text set compression lz4;
        alter table article_revision
            alter column body_markdown set compression lz4;
    end if;
end
$$;
