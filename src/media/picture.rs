//! How pages show an image: `srcset` lists of its renditions, the social card, and the bodies'
//! `<img src="/images/{id}">` turned into `<picture>` elements with sizes, so that the page
//! does not move as images load. Pure: the caller fetched the images.

use std::collections::HashMap;
use std::fmt::Write as _;

use uuid::Uuid;

use crate::domain::markdown::IMAGE_PATH;
use crate::store::media::Picture;

/// The `sizes` of images in the text column (about 42 em wide; the whole width on a phone).
pub const TEXT_SIZES: &str = "(max-width: 46rem) 100vw, 42rem";

/// An image ready to be shown: every URL absolute, on `VIGIE_MEDIA_BASE_URL` or the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub id: Uuid,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// The largest page rendition's size, for `width`/`height` (the browser keeps the ratio).
    pub width: i32,
    pub height: i32,
    /// The JPEG nearest 960 px wide: `src`, for browsers without `srcset`, and feeds.
    pub src: String,
    /// Its size in bytes (feed enclosures say it).
    pub src_bytes: i64,
    pub jpeg_srcset: String,
    pub webp_srcset: String,
    /// The social card (JPEG), with its size.
    pub card: Option<(String, i32, i32)>,
}

impl Shown {
    /// "Caption (Credit)", what a figure's caption reads.
    pub fn legend(&self) -> String {
        match (self.caption.trim(), self.credit.trim()) {
            ("", "") => String::new(),
            (caption, "") => caption.to_owned(),
            ("", credit) => credit.to_owned(),
            (caption, credit) => format!("{caption} ({credit})"),
        }
    }
}

/// `picture` as pages show it, with files under `media_base` (no trailing slash); `None` while
/// its renditions are being made.
pub fn shown(picture: &Picture, media_base: &str) -> Option<Shown> {
    let url = |file: &str| format!("{media_base}/{file}");
    let of = |purpose: &str, format: &str| {
        let mut files: Vec<_> = picture
            .files
            .iter()
            .filter(|f| f.purpose == purpose && f.format == format)
            .collect();
        files.sort_by_key(|f| f.width);
        files
    };
    let jpeg = of("width", "jpeg");
    let largest = jpeg.last()?;
    let srcset = |files: &[&crate::store::media::File]| {
        files
            .iter()
            .map(|f| format!("{} {}w", url(&f.file), f.width))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let middle = jpeg
        .iter()
        .find(|f| f.width >= 960)
        .copied()
        .unwrap_or(largest);
    Some(Shown {
        id: picture.id,
        alt: picture.alt.clone(),
        caption: picture.caption.clone(),
        credit: picture.credit.clone(),
        width: largest.width,
        height: largest.height,
        src: url(&middle.file),
        src_bytes: middle.bytes,
        jpeg_srcset: srcset(&jpeg),
        webp_srcset: srcset(&of("width", "webp")),
        card: of("card", "jpeg")
            .first()
            .map(|f| (url(&f.file), f.width, f.height)),
    })
}

/// Shown images by id.
pub fn by_id(pictures: &[Picture], media_base: &str) -> HashMap<Uuid, Shown> {
    pictures
        .iter()
        .filter_map(|p| shown(p, media_base).map(|s| (p.id, s)))
        .collect()
}

/// How a body's images are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Web pages: `<picture>` with WebP and JPEG `srcset`, lazy loading, figures with captions.
    Page,
    /// Feeds and the API: one plain `<img>` of the JPEG (feed readers ignore `<picture>`), with
    /// its caption.
    Plain,
}

/// `html` (a sanitised body) with each `<img src="/images/{id}" alt="…">` of a known, ready
/// image written out in `style`; an image alone in its paragraph becomes a figure with its
/// caption and credit. Others are left as they are (their address still answers).
pub fn expand(html: &str, images: &HashMap<Uuid, Shown>, style: Style) -> String {
    const OPEN: &str = "<img src=\"";
    if images.is_empty() || !html.contains(IMAGE_PATH) {
        return html.to_owned();
    }
    let mut out = String::with_capacity(html.len() + 512 * images.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let tag_start = at;
        let after_open = &rest[at + OPEN.len()..];
        let Some(tag_len) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + tag_len + 1];
        let found = after_open
            .strip_prefix(IMAGE_PATH)
            .and_then(|s| s.get(..36))
            .and_then(|id| Uuid::parse_str(id).ok())
            .and_then(|id| images.get(&id));
        let Some(image) = found else {
            out.push_str(&rest[..at + tag_len + 1]);
            rest = &rest[at + tag_len + 1..];
            continue;
        };
        let alt = attribute(tag, "alt").unwrap_or_default();
        // Alone in its paragraph: `<p><img …></p>` becomes a figure.
        let before = &rest[..tag_start];
        let after = &rest[at + tag_len + 1..];
        let alone = before.ends_with("<p>") && after.starts_with("</p>");
        if alone {
            out.push_str(&before[..before.len() - 3]);
            out.push_str("<figure>");
        } else {
            out.push_str(before);
        }
        write_image(&mut out, image, alt, style);
        if alone {
            let legend = image.legend();
            if !legend.is_empty() {
                let _ = write!(out, "<figcaption>{}</figcaption>", escape(&legend));
            }
            out.push_str("</figure>");
            rest = &after[4..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// The value of `name="…"` in a tag the sanitiser wrote (already escaped).
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// `alt` is already escaped (taken from the sanitised body).
fn write_image(out: &mut String, image: &Shown, alt: &str, style: Style) {
    match style {
        Style::Page => {
            let _ = write!(
                out,
                "<picture><source type=\"image/webp\" srcset=\"{webp}\" sizes=\"{TEXT_SIZES}\"><img src=\"{src}\" srcset=\"{jpeg}\" sizes=\"{TEXT_SIZES}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\" loading=\"lazy\" decoding=\"async\"></picture>",
                webp = image.webp_srcset,
                src = image.src,
                jpeg = image.jpeg_srcset,
                w = image.width,
                h = image.height,
            );
        }
        Style::Plain => {
            let _ = write!(
                out,
                "<img src=\"{src}\" width=\"{w}\" height=\"{h}\" alt=\"{alt}\">",
                src = image.src,
                w = image.width,
                h = image.height,
            );
        }
    }
}

fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::media::File;

    fn picture(id: Uuid) -> Picture {
        let file = |purpose: &str, format: &str, width: i32, height: i32, name: &str| File {
            purpose: purpose.into(),
            format: format.into(),
            width,
            height,
            file: name.into(),
            bytes: 1,
        };
        Picture {
            id,
            alt: "Le Capitole".into(),
            caption: "Washington <en> hiver".into(),
            credit: "Vigie".into(),
            width: 2000,
            height: 1000,
            files: vec![
                file("width", "jpeg", 480, 240, "a.jpg"),
                file("width", "jpeg", 1600, 800, "c.jpg"),
                file("width", "jpeg", 960, 480, "b.jpg"),
                file("width", "webp", 480, 240, "a.webp"),
                file("width", "webp", 960, 480, "b.webp"),
                file("width", "webp", 1600, 800, "c.webp"),
                file("card", "jpeg", 1200, 630, "d.jpg"),
                file("card", "webp", 1200, 630, "d.webp"),
            ],
        }
    }

    #[test]
    fn alt_text_that_looks_like_markup_stays_text() {
        // `expand` ends a tag at its first `>`: it relies on the sanitiser writing `>` inside
        // attribute values as `&gt;` (html5ever does). Held here, for any future sanitiser.
        let id = Uuid::new_v4();
        let body = format!("![a > b\" onerror=\"alert(1)\"><script>x</script>](/images/{id})");
        let html = crate::domain::markdown::render(&body, "", crate::domain::Lang::En).html;
        let out = expand(&html, &by_id(&[picture(id)], "/media"), Style::Page);
        assert!(out.contains("<picture>"), "{out}");
        assert!(
            !out.contains("<script>") && !out.contains("onerror=\""),
            "{out}"
        );
        assert!(out.contains("alt=\"a &gt; b"), "{out}");
    }

    #[test]
    fn srcsets_list_every_width_in_order() {
        let id = Uuid::new_v4();
        let s = shown(&picture(id), "https://cdn.example/media").expect("ready");
        assert_eq!(
            s.jpeg_srcset,
            "https://cdn.example/media/a.jpg 480w, https://cdn.example/media/b.jpg 960w, https://cdn.example/media/c.jpg 1600w"
        );
        assert_eq!(s.src, "https://cdn.example/media/b.jpg");
        assert_eq!((s.width, s.height), (1600, 800));
        assert_eq!(
            s.card,
            Some(("https://cdn.example/media/d.jpg".into(), 1200, 630))
        );
        let mut unready = picture(id);
        unready.files.clear();
        assert_eq!(shown(&unready, ""), None);
    }

    #[test]
    fn a_lone_image_becomes_a_figure_and_others_stay_inline() {
        let id = Uuid::new_v4();
        let images = by_id(&[picture(id)], "/media");
        let html = format!(
            "<p>Avant</p>\n<p><img src=\"/images/{id}\" alt=\"Le &quot;Capitole&quot;\"></p>\n<p>Texte <img src=\"/images/{id}\" alt=\"x\"> et <img src=\"/images/{}\" alt=\"y\"></p>",
            Uuid::new_v4()
        );
        let out = expand(&html, &images, Style::Page);
        assert!(
            out.starts_with("<p>Avant</p>\n<figure><picture><source type=\"image/webp\""),
            "{out}"
        );
        assert!(
            out.contains("alt=\"Le &quot;Capitole&quot;\" loading=\"lazy\""),
            "{out}"
        );
        assert!(
            out.contains("<figcaption>Washington &lt;en&gt; hiver (Vigie)</figcaption></figure>"),
            "{out}"
        );
        assert!(out.contains("<p>Texte <picture>"), "{out}");
        // An image the library does not know is left as it was.
        assert!(out.contains("alt=\"y\"></p>"), "{out}");
        let plain = expand(&html, &images, Style::Plain);
        assert!(plain.contains("<figure><img src=\"/media/b.jpg\" width=\"1600\" height=\"800\" alt=\"Le &quot;Capitole&quot;\"><figcaption>"), "{plain}");
    }
}
