//! Text pasted into the editor from Google Docs, Word or a web page: its HTML becomes clean
//! Markdown (headings, lists, links, tables, bold and italic) through the conversion the
//! WordPress import uses, after undoing the habits of office suites that the allow-list would
//! otherwise misread.

use super::wordpress::to_markdown;

/// The Markdown of pasted `html`.
pub fn to_markdown_pasted(html: &str) -> String {
    to_markdown(&office_to_plain_html(html), &|_| None)
}

/// Google Docs wraps everything it copies in `<b style="font-weight:normal" id="docs-internal-
/// guid-…">` (kept as is, the whole paste would turn bold), and says bold and italic with
/// styled `<span>`s (which the allow-list strips, losing them). This gives plain HTML: the
/// wrapper goes, and styled spans become `<strong>` and `<em>`.
fn office_to_plain_html(html: &str) -> String {
    let mut html = unwrap_docs_guid(html);
    html = styled_spans(&html);
    header_rows(&html)
}

/// Office suites write tables without header cells, and a Markdown table needs a header row:
/// a table with no `<th>` gets its first row as the header.
fn header_rows(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(start) = rest.find("<table") {
        out.push_str(&rest[..start]);
        let table_end = rest[start..]
            .find("</table>")
            .map_or(rest.len(), |e| start + e + "</table>".len());
        let table = &rest[start..table_end];
        if table.contains("<th") {
            out.push_str(table);
        } else if let (Some(row), Some(row_end)) = (table.find("<tr"), table.find("</tr>")) {
            out.push_str(&table[..row]);
            out.push_str(
                &table[row..row_end]
                    .replace("<td", "<th")
                    .replace("</td>", "</th>"),
            );
            out.push_str(&table[row_end..]);
        } else {
            out.push_str(table);
        }
        rest = &rest[table_end..];
    }
    out.push_str(rest);
    out
}

fn unwrap_docs_guid(html: &str) -> String {
    let Some(marker) = html.find("id=\"docs-internal-guid") else {
        return html.to_owned();
    };
    let (Some(open), Some(close_of_open)) = (
        html[..marker].rfind("<b"),
        html[marker..].find('>').map(|i| marker + i),
    ) else {
        return html.to_owned();
    };
    let mut out = String::with_capacity(html.len());
    out.push_str(&html[..open]);
    let rest = &html[close_of_open + 1..];
    match rest.rfind("</b>") {
        Some(end) => {
            out.push_str(&rest[..end]);
            out.push_str(&rest[end + 4..]);
        }
        None => out.push_str(rest),
    }
    out
}

/// `<span style="…font-weight:700…">text</span>` → `<strong>text</strong>`, and italic to
/// `<em>`; spans holding other tags, or with no such style, are left to the allow-list.
fn styled_spans(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<span") {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let Some(tag_end) = tail.find('>') else {
            out.push_str(tail);
            return out;
        };
        let tag = &tail[..=tag_end];
        let after = &tail[tag_end + 1..];
        let (Some(close), style) = (after.find("</span>"), style_of(tag)) else {
            out.push_str(tag);
            rest = after;
            continue;
        };
        let text = &after[..close];
        if text.contains('<') {
            out.push_str(tag);
            rest = after;
            continue;
        }
        let compact: String = style
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let bold = compact.contains("font-weight:700")
            || compact.contains("font-weight:bold")
            || compact.contains("font-weight:600");
        let italic = compact.contains("font-style:italic");
        match (bold, italic) {
            (true, true) => out.push_str(&format!("<strong><em>{text}</em></strong>")),
            (true, false) => out.push_str(&format!("<strong>{text}</strong>")),
            (false, true) => out.push_str(&format!("<em>{text}</em>")),
            (false, false) => out.push_str(text),
        }
        rest = &after[close + "</span>".len()..];
    }
    out.push_str(rest);
    out
}

/// The value of a tag's `style` attribute, or empty.
fn style_of(tag: &str) -> &str {
    let Some(at) = tag.find("style=\"") else {
        return "";
    };
    let value = &tag[at + "style=\"".len()..];
    value.find('"').map_or("", |end| &value[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_docs_text_keeps_its_headings_lists_links_tables_bold_and_italic() {
        let html = concat!(
            r#"<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-1a2b3c">"#,
            r#"<h2 dir="ltr"><span style="font-size:16pt;font-weight:400">Ce que dit le texte</span></h2>"#,
            r#"<p dir="ltr"><span style="font-weight:400">Le règlement est </span><span style="font-weight:700">entré en vigueur</span><span style="font-weight:400"> le </span><span style="font-style:italic">1er août</span><span style="font-weight:400">.</span></p>"#,
            r#"<ul><li dir="ltr"><p dir="ltr"><span>Interdictions</span></p></li><li><p><span>Modèles d’usage général</span></p></li></ul>"#,
            r#"<p><a href="https://eur-lex.europa.eu/eli/reg/2024/1689/oj"><span style="color:#1155cc;text-decoration:underline">Le texte</span></a></p>"#,
            r#"<table><tbody><tr><td><p><span>Date</span></p></td><td><p><span>Étape</span></p></td></tr><tr><td><p><span>2025</span></p></td><td><p><span>GPAI</span></p></td></tr></tbody></table>"#,
            r#"</b><br class="Apple-interchange-newline">"#,
        );
        let md = to_markdown_pasted(html);
        assert!(md.contains("## Ce que dit le texte"), "{md}");
        assert!(
            md.contains("Le règlement est **entré en vigueur** le *1er août*."),
            "{md}"
        );
        assert!(
            !md.starts_with("**"),
            "the wrapper did not make it all bold: {md}"
        );
        assert!(md.contains("Interdictions"), "{md}");
        assert!(
            md.contains("[Le texte](https://eur-lex.europa.eu/eli/reg/2024/1689/oj)"),
            "{md}"
        );
        assert!(md.contains("| Date | Étape |"), "{md}");
        assert!(md.contains("| 2025 | GPAI"), "{md}");
        for line in md.lines().filter(|l| l.contains("Interdictions")) {
            assert!(
                line.trim_start().starts_with(['-', '*']),
                "a list item: {line}"
            );
        }
    }

    #[test]
    fn a_web_page_loses_its_scripts_and_styles() {
        let md = to_markdown_pasted(
            r#"<style>p{color:red}</style><p onclick="x()">Texte <script>alert(1)</script>sûr.</p>"#,
        );
        assert_eq!(md, "Texte sûr.");
    }
}
