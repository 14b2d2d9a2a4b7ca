//! Images through HTTP: upload, what is refused and why, renditions made off the request path
//! (upright, without metadata), served for ever, placed only with alt text, shown as the
//! featured image in every place readers meet an article, and shared by two instances through
//! a real S3-compatible server.

use std::io::Cursor;
use std::time::Duration;

use image::{ImageFormat, Rgb, RgbImage};
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::s3::S3Server;
use crate::helpers::{Browser, TestApp, form_of, new_article, post, scratch, set, stderr, vigie};

/// A JPEG of `width` × `height` as a camera stores it: red on the left half, blue on the
/// right, with an EXIF block saying "turn me 90° clockwise" (orientation 6) and where it was
/// taken (GPS latitude 48° 51′ N).
pub fn camera_jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    });
    let mut jpeg = Cursor::new(Vec::new());
    image.write_to(&mut jpeg, ImageFormat::Jpeg).expect("jpeg");
    let jpeg = jpeg.into_inner();
    // TIFF, little-endian: IFD0 (orientation, pointer to the GPS IFD), the GPS IFD
    // (latitude reference and latitude), then the latitude's three rationals.
    let mut tiff: Vec<u8> = b"II\x2a\x00\x08\x00\x00\x00".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = Vec::new();
        e.extend_from_slice(&tag.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, 6));
    tiff.extend(entry(0x8825, 4, 1, 38));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(entry(0x0002, 5, 3, 68));
    tiff.extend_from_slice(&0u32.to_le_bytes());
    for (n, d) in [(48u32, 1u32), (51, 1), (0, 1)] {
        tiff.extend_from_slice(&n.to_le_bytes());
        tiff.extend_from_slice(&d.to_le_bytes());
    }
    assert_eq!(tiff.len(), 92);
    let mut app1 = b"\xff\xe1".to_vec();
    app1.extend_from_slice(&u16::try_from(2 + 6 + tiff.len()).unwrap().to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend(app1);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// A PNG of `width` × `height`.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 250) as u8, (y % 250) as u8, 90])
    });
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

/// A small PNG whose header claims `width` × `height` (a decompression bomb's shape): only its
/// header is valid, which is all a careful decoder reads before refusing.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).unwrap().to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Uploads `bytes` from the library's form; the new image's id.
pub async fn upload(browser: &Browser, name: &str, bytes: &[u8], alt: &str) -> Uuid {
    let token = browser.csrf().await;
    let page = browser
        .post_file(
            "/editor/media",
            &[("csrf_token", &token), ("alt", alt), ("credit", "Vigie")],
            Some((name, "image/jpeg", bytes)),
            &[],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let location = page.header("location");
    assert!(location.ends_with("?sent=1"), "{location}");
    Uuid::parse_str(
        location
            .trim_start_matches("/editor/media/")
            .trim_end_matches("?sent=1"),
    )
    .expect("an image id")
}

/// Waits for the background worker to make the image's renditions.
pub async fn ready(app: &TestApp, id: Uuid) {
    for _ in 0..200 {
        let state: String = sqlx::query_scalar("select state from media where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("the image");
        match state.as_str() {
            "ready" => return,
            "failed" => panic!("renditions failed"),
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("renditions not made within 10 s");
}

fn has_exif(bytes: &[u8]) -> bool {
    bytes.windows(4).any(|w| w == b"Exif") || bytes.windows(4).any(|w| w == b"N\0\0\0")
}

fn colour_at(bytes: &[u8], x: u32, y: u32) -> [u8; 3] {
    image::load_from_memory(bytes)
        .expect("decodes")
        .to_rgb8()
        .get_pixel(x, y)
        .0
}

#[tokio::test]
async fn a_photo_with_exif_is_served_upright_and_without_its_metadata() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let original = camera_jpeg(60, 40);
    assert!(has_exif(&original), "the test photo carries EXIF and GPS");
    let id = upload(
        &journalist,
        "IMG_0042.jpg",
        &original,
        "Le Capitole sous la neige",
    )
    .await;

    // While the worker makes the renditions, the library says so.
    ready(&app, id).await;
    let page = journalist.get(&format!("/editor/media/{id}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("prête"), "{}", page.body);
    // Stored upright: 40 wide, 60 tall.
    let size: (i32, i32) = sqlx::query_as("select width, height from media where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(size, (40, 60));

    // Its lasting address sends on to the current JPEG, which anyone may fetch.
    let moved = app.browser().get(&format!("/images/{id}")).await;
    assert_eq!(moved.status, 302);
    let (status, headers, served) = app.browser().get_bytes(moved.header("location")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(!has_exif(&served), "no EXIF, no GPS in what readers get");
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (40, 60), "upright");
    // Turned clockwise: the left (red) half of the sensor is now on top.
    let top = colour_at(&served, 20, 8);
    let bottom = colour_at(&served, 20, 52);
    assert!(top[0] > 150 && top[2] < 100, "red on top: {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "blue below: {bottom:?}");

    // Every rendition, WebP too, is clean and upright; the original is served by no name.
    let files: Vec<(String, String, String)> =
        sqlx::query_as("select file, format, purpose from media_rendition where media_id = $1")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(files.iter().any(|(_, f, _)| f == "webp"));
    for (file, format, purpose) in &files {
        let (status, headers, bytes) = app.browser().get_bytes(&format!("/media/{file}")).await;
        assert_eq!(status, 200, "{file}");
        let expected = if format == "webp" {
            "image/webp"
        } else {
            "image/jpeg"
        };
        assert_eq!(headers["content-type"], expected);
        assert!(!has_exif(&bytes), "{file} has no metadata");
        let back = image::load_from_memory(&bytes).unwrap();
        if purpose == "width" {
            assert!(back.height() > back.width(), "{file} is upright");
        }
    }
    let key: String = sqlx::query_scalar("select original_key from media where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let original_name = key.trim_start_matches("originals/");
    for path in [
        format!("/media/{original_name}"),
        format!("/media/{key}"),
        format!("/media/..%2F{key}"),
        format!("/media/{}.jpg", &original_name[..32]),
    ] {
        let (status, _, bytes) = app.browser().get_bytes(&path).await;
        assert_eq!(status, 404, "{path}");
        assert_ne!(bytes, original);
    }
    // The upload is in the audit log, under the alt text.
    let details: serde_json::Value =
        sqlx::query_scalar("select details from audit_event where action = 'media.upload'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(details["alt"], "Le Capitole sous la neige");
}

#[tokio::test]
async fn files_that_are_not_acceptable_images_are_refused_with_a_reason_and_nothing_is_kept() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let token = journalist.csrf().await;
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("bombe.png", "image/png", png_claiming(30_000, 30_000), "30000 × 30000 pixels"),
        ("photo.jpg", "image/jpeg", b"Ceci n'est pas une image, malgr\xc3\xa9 son nom.".to_vec(), "n’est pas une image"),
        ("page.html", "text/html", b"<!doctype html><html><body><script>alert(1)</script></body></html>".to_vec(), "n’est pas une image"),
        (
            "logo.svg",
            "image/svg+xml",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>"#.to_vec(),
            "SVG",
        ),
        ("vide.jpg", "image/jpeg", Vec::new(), "choisissez une image"),
        ("tronquee.png", "image/png", png(64, 64)[..60].to_vec(), "abîmée"),
    ];
    for (name, content_type, bytes, says) in &cases {
        let page = journalist
            .post_file(
                "/editor/media",
                &[
                    ("csrf_token", &token),
                    ("alt", "Texte gardé"),
                    ("caption", "Légende gardée"),
                ],
                Some((name, content_type, bytes)),
                &[],
            )
            .await;
        assert_eq!(page.status, 422, "{name}");
        let error = page.texts(".form-error").join(" ");
        assert!(error.contains(says), "{name}: {error}");
        // What was typed is still there.
        assert_eq!(
            page.attrs("input[name=alt]", "value"),
            ["Texte gardé"],
            "{name}"
        );
        assert_eq!(
            page.attrs("input[name=caption]", "value"),
            ["Légende gardée"],
            "{name}"
        );
        // The script gets the same reason as JSON.
        let json = journalist
            .post_file(
                "/editor/media",
                &[("csrf_token", &token), ("alt", "x")],
                Some((name, content_type, bytes)),
                &[("accept", "application/json")],
            )
            .await;
        assert_eq!(json.status, 422, "{name}");
        let body: serde_json::Value = serde_json::from_str(&json.body).unwrap();
        assert!(
            body["error"].as_str().unwrap().contains(says),
            "{name}: {body}"
        );
    }
    // A file over VIGIE_MEDIA_MAX_BYTES is refused the same way.
    let small = TestApp::spawn_with(|c| c.media_max_bytes = 2048).await;
    let (browser, _) = small.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    // Noise: a PNG that does not compress.
    let mut seed = 1u32;
    let noise = RgbImage::from_fn(100, 100, |_, _| {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let [a, b, c, _] = seed.to_le_bytes();
        Rgb([a, b, c])
    });
    let mut big = Cursor::new(Vec::new());
    noise.write_to(&mut big, ImageFormat::Png).unwrap();
    let big = big.into_inner();
    assert!(big.len() > 2048);
    let page = browser
        .post_file(
            "/editor/media",
            &[("csrf_token", &token)],
            Some(("grande.png", "image/png", &big)),
            &[],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.texts(".form-error").join(" ").contains("dépasse"),
        "{}",
        page.body
    );

    for app in [&app, &small] {
        let rows: i64 = sqlx::query_scalar("select count(*) from media")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        let jobs: i64 = sqlx::query_scalar("select count(*) from job")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!((rows, jobs), (0, 0), "nothing half-stored");
    }
    let stored = match &app.state().config.media {
        vigie::config::MediaStorage::Local(dir) => walk(dir),
        other => panic!("{other:?}"),
    };
    assert!(stored.is_empty(), "no file kept: {stored:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test]
async fn an_image_without_alt_text_cannot_be_placed_in_an_article() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let id = upload(&journalist, "photo.jpg", &camera_jpeg(30, 20), "").await;
    let article = new_article(&journalist, "Un article illustré", "Premier paragraphe.").await;
    let path = format!("/editor/articles/{article}");

    // In the text, with empty brackets.
    let mut fields = form_of(&journalist, article).await;
    let body = format!("Premier paragraphe.\n\n![](/images/{id})\n");
    set(&mut fields, "body", &body);
    let page = post(&journalist, &path, &fields).await;
    assert_eq!(page.status, 422);
    assert!(
        page.texts(".field-error")
            .join(" ")
            .contains("texte alternatif"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(&format!("![](/images/{id})")),
        "the text is kept"
    );

    // As the featured image, while the library has no alt text for it.
    let mut fields = form_of(&journalist, article).await;
    set(&mut fields, "featured_media", &id.to_string());
    let page = post(&journalist, &path, &fields).await;
    assert_eq!(page.status, 422);
    assert!(
        page.texts("#featured-error")
            .join(" ")
            .contains("pas de texte alternatif"),
        "{}",
        page.body
    );
    let featured: Option<Uuid> =
        sqlx::query_scalar("select featured_media_id from article where id = $1")
            .bind(article)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(featured, None);

    // Described in the library, it can be placed.
    let described = journalist
        .post_signed(
            &format!("/editor/media/{id}"),
            &[
                ("alt", "Une salle d’audience vide"),
                ("caption", ""),
                ("credit", ""),
            ],
        )
        .await;
    assert_eq!(described.status, 303);
    let page = post(&journalist, &path, &fields).await;
    assert_eq!(page.status, 303, "{}", page.body);

    // Used, it cannot be deleted: its page says where it is used.
    let refused = journalist
        .post_signed(&format!("/editor/media/{id}/delete"), &[])
        .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused.body.contains("Un article illustré"),
        "{}",
        refused.body
    );
    // Once nothing uses it, it can.
    let mut fields = form_of(&journalist, article).await;
    set(&mut fields, "featured_media", "");
    assert_eq!(post(&journalist, &path, &fields).await.status, 303);
    let deleted = journalist
        .post_signed(&format!("/editor/media/{id}/delete"), &[])
        .await;
    assert_eq!(deleted.status, 303);
    assert_eq!(
        journalist.get(&format!("/editor/media/{id}")).await.status,
        404
    );
}

#[tokio::test]
async fn the_featured_image_reaches_pages_social_cards_json_ld_feeds_and_the_api() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let featured = upload(
        &editor,
        "une.jpg",
        &camera_jpeg(1400, 1000),
        "Des serveurs dans un centre de données",
    )
    .await;
    let inline = upload(
        &editor,
        "graphique.png",
        &png(800, 400),
        "Graphique des amendes prévues",
    )
    .await;
    ready(&app, featured).await;
    ready(&app, inline).await;
    let article = new_article(&editor, "Les centres de données face à l’AI Act", "Intro.").await;
    let path = format!("/editor/articles/{article}");
    let mut fields = form_of(&editor, article).await;
    set(&mut fields, "featured_media", &featured.to_string());
    set(
        &mut fields,
        "body",
        &format!("Intro.\n\n![Graphique des amendes](/images/{inline})\n\nSuite du texte.\n"),
    );
    assert_eq!(post(&editor, &path, &fields).await.status, 303);
    let v: i32 = sqlx::query_scalar("select version from article where id = $1")
        .bind(article)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let published = editor
        .post_signed(
            &format!("{path}/status"),
            &[("action", "publish"), ("version", &v.to_string())],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let slug: String = sqlx::query_scalar("select slug from article where id = $1")
        .bind(article)
        .fetch_one(&app.pool)
        .await
        .unwrap();

    let card: String = sqlx::query_scalar(
        "select file from media_rendition where media_id = $1 and purpose = 'card' and format = 'jpeg'",
    )
    .bind(featured)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let card_url = format!("{}/media/{card}", app.base_url());

    let page = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attrs("meta[property='og:image']", "content"),
        [card_url.as_str()]
    );
    assert_eq!(
        page.attrs("meta[property='og:image:width']", "content"),
        ["1200"]
    );
    assert_eq!(
        page.attrs("meta[name='twitter:card']", "content"),
        ["summary_large_image"]
    );
    assert_eq!(
        page.attrs("meta[name='twitter:image']", "content"),
        [card_url.as_str()]
    );
    // The card is 1200 × 630.
    let (_, _, card_bytes) = app.browser().get_bytes(&card_url).await;
    let decoded = image::load_from_memory(&card_bytes).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (1200, 630));
    // On the page: a picture with WebP and JPEG widths, its size given (no layout shift).
    let img = "figure.featured picture img";
    assert_eq!(
        page.attrs(img, "alt"),
        ["Des serveurs dans un centre de données"]
    );
    assert_eq!(page.attrs(img, "width"), ["1000"]);
    assert_eq!(page.attrs(img, "height"), ["1400"]);
    assert!(
        page.attrs(
            "figure.featured picture source[type='image/webp']",
            "srcset"
        )[0]
        .contains(" 480w")
    );
    assert_eq!(page.texts("figure.featured figcaption"), ["Vigie"]);
    // The image in the text: a figure, lazily loaded, with its own alt text.
    let body_img = ".article-body figure picture img";
    assert_eq!(page.attrs(body_img, "alt"), ["Graphique des amendes"]);
    assert_eq!(page.attrs(body_img, "loading"), ["lazy"]);
    assert_eq!(page.attrs(body_img, "width"), ["800"]);
    // JSON-LD.
    let ld: serde_json::Value =
        serde_json::from_str(&page.texts("script[type='application/ld+json']")[0]).unwrap();
    assert_eq!(ld["image"][0], card_url.as_str());

    // Feeds: an enclosure, and the pictures in the text as plain images.
    let atom = app.get("/feed.atom").await;
    assert!(
        atom.body.contains("rel=\"enclosure\" type=\"image/jpeg\""),
        "{}",
        atom.body
    );
    assert!(atom.body.contains("Graphique des amendes"), "{}", atom.body);
    let rss = app.get("/rss.xml").await;
    assert!(rss.body.contains("<enclosure url=\""), "{}", rss.body);

    // The content API.
    let api = app.get(&format!("/api/v1/articles/{slug}")).await;
    let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(
        json["image"]["alt"],
        "Des serveurs dans un centre de données"
    );
    assert_eq!(json["image"]["card_url"], card_url.as_str());
    assert!(
        json["body_html"]
            .as_str()
            .unwrap()
            .contains(&format!("{}/media/", app.base_url()))
    );

    // A new alt text reaches the page at once (the cached page is dropped).
    let changed = editor
        .post_signed(
            &format!("/editor/media/{featured}"),
            &[
                ("alt", "Des baies de serveurs"),
                ("caption", ""),
                ("credit", "Vigie"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    let page = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(page.attrs(img, "alt"), ["Des baies de serveurs"]);
}

#[tokio::test]
async fn two_instances_on_one_s3_store_both_serve_an_image_uploaded_to_one() {
    let s3 = S3Server::start("vigie-media").await;
    let app = TestApp::spawn_with(|c| c.media = s3.storage("vigie-media", "site")).await;
    let (other, _stop) = app
        .another_instance(|c| c.media = s3.storage("vigie-media", "site"))
        .await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let id = upload(
        &journalist,
        "photo.jpg",
        &camera_jpeg(120, 80),
        "Une photo partagée",
    )
    .await;
    ready(&app, id).await;
    let file: String = sqlx::query_scalar(
        "select file from media_rendition where media_id = $1 and format = 'jpeg' and purpose = 'width'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (status, headers, from_first) = app.browser().get_bytes(&format!("/media/{file}")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    let (status, _, from_second) = app
        .browser()
        .get_bytes(&format!("http://{other}/media/{file}"))
        .await;
    assert_eq!(
        status, 200,
        "the second instance serves it from the shared store"
    );
    assert_eq!(from_first, from_second);
    // The files are in the bucket, under the prefix; nothing under the instance's own folder.
    let in_bucket = walk(&s3.root.join("vigie-media"));
    assert!(
        in_bucket
            .iter()
            .any(|p| p.to_string_lossy().contains("site/public/")),
        "{in_bucket:?}"
    );
    assert!(
        in_bucket
            .iter()
            .any(|p| p.to_string_lossy().contains("site/originals/")),
        "{in_bucket:?}"
    );
}

/// A WordPress export whose post shows two files of its media library (one as its featured
/// image, resized in its body) and one that the uploads folder does not have.
const WXR_WITH_IMAGES: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
	xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:wp="http://wordpress.org/export/1.2/"
>
<channel>
	<title>Veille IA</title>
	<link>https://veille.example</link>
	<wp:wxr_version>1.2</wp:wxr_version>
	<wp:base_site_url>https://veille.example</wp:base_site_url>
	<wp:base_blog_url>https://veille.example</wp:base_blog_url>
	<wp:author><wp:author_login><![CDATA[lea]]></wp:author_login><wp:author_email><![CDATA[lea@veille.example]]></wp:author_email><wp:author_display_name><![CDATA[Léa Moreau]]></wp:author_display_name></wp:author>
	<item>
		<title><![CDATA[parlement]]></title>
		<dc:creator><![CDATA[lea]]></dc:creator>
		<excerpt:encoded><![CDATA[L’hémicycle à Strasbourg]]></excerpt:encoded>
		<wp:post_id>7</wp:post_id>
		<wp:status><![CDATA[inherit]]></wp:status>
		<wp:post_type><![CDATA[attachment]]></wp:post_type>
		<wp:attachment_url><![CDATA[https://veille.example/wp-content/uploads/2026/03/parlement.jpg]]></wp:attachment_url>
		<wp:postmeta><wp:meta_key><![CDATA[_wp_attached_file]]></wp:meta_key><wp:meta_value><![CDATA[2026/03/parlement.jpg]]></wp:meta_value></wp:postmeta>
		<wp:postmeta><wp:meta_key><![CDATA[_wp_attachment_image_alt]]></wp:meta_key><wp:meta_value><![CDATA[L’hémicycle du Parlement européen]]></wp:meta_value></wp:postmeta>
	</item>
	<item>
		<title><![CDATA[Le vote de l’AI Act]]></title>
		<link>https://veille.example/2026/03/vote-ai-act/</link>
		<dc:creator><![CDATA[lea]]></dc:creator>
		<content:encoded><![CDATA[<!-- wp:paragraph -->
<p>Le vote a eu lieu.</p>
<!-- /wp:paragraph -->
<figure class="wp-block-image"><a href="https://veille.example/wp-content/uploads/2026/03/parlement.jpg"><img src="https://veille.example/wp-content/uploads/2026/03/parlement-300x200.jpg" alt="" /></a></figure>
<p><img src="https://veille.example/wp-content/uploads/2026/03/graphique.png" alt="Résultats du vote" /></p>
<p><img src="https://veille.example/wp-content/uploads/2026/03/absente.png" alt="Une image perdue" /></p>]]></content:encoded>
		<wp:post_id>10</wp:post_id>
		<wp:post_date_gmt><![CDATA[2026-03-02 10:00:00]]></wp:post_date_gmt>
		<wp:post_name><![CDATA[vote-ai-act]]></wp:post_name>
		<wp:status><![CDATA[publish]]></wp:status>
		<wp:post_type><![CDATA[post]]></wp:post_type>
		<wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[7]]></wp:meta_value></wp:postmeta>
	</item>
</channel>
</rss>
"#;

#[tokio::test]
async fn a_wordpress_export_with_its_uploads_folder_brings_its_images_along() {
    let export = scratch("images.xml");
    std::fs::write(&export, WXR_WITH_IMAGES).unwrap();
    let uploads = export.parent().unwrap().join("uploads");
    std::fs::create_dir_all(uploads.join("2026/03")).unwrap();
    let photo = camera_jpeg(90, 60);
    std::fs::write(uploads.join("2026/03/parlement.jpg"), &photo).unwrap();
    std::fs::write(uploads.join("2026/03/graphique.png"), png(40, 30)).unwrap();

    let app = TestApp::spawn().await;
    let out = vigie(
        &app,
        &[
            "import",
            export.to_str().unwrap(),
            "--uploads",
            uploads.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("2 image(s) brought into the library"),
        "{report}"
    );
    assert!(
        report.contains(
            "1 image address(es) left pointing at the old site (not found in the --uploads folder"
        ) && report.contains("2026/03/absente.png"),
        "{report}"
    );

    let (photo_id, alt, caption): (Uuid, String, String) =
        sqlx::query_as("select id, alt, caption from media where original_bytes = $1")
            .bind(i64::try_from(photo.len()).unwrap())
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(alt, "L’hémicycle du Parlement européen");
    assert_eq!(caption, "L’hémicycle à Strasbourg");
    let (body, featured): (String, Option<Uuid>) = sqlx::query_as(
        "select body_markdown, featured_media_id from article where slug = 'vote-ai-act'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        featured,
        Some(photo_id),
        "the featured image came with its alt text"
    );
    // The resized copy in the body is the same file; WordPress's empty alt gets the library's.
    assert!(
        body.contains(&format!(
            "![L’hémicycle du Parlement européen](/images/{photo_id})"
        )),
        "{body}"
    );
    assert!(!body.contains("parlement-300x200"), "{body}");
    assert!(body.contains("![Résultats du vote](/images/"), "{body}");
    assert!(
        body.contains("https://veille.example/wp-content/uploads/2026/03/absente.png"),
        "{body}"
    );
    let images: i64 = sqlx::query_scalar("select count(*) from media")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(images, 2, "each file once");

    // Readers get the images from Vigie, upright, once their renditions are made.
    ready(&app, photo_id).await;
    let page = app.get("/articles/vote-ai-act").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.attrs("figure.featured img", "alt"),
        ["L’hémicycle du Parlement européen"]
    );
    assert_eq!(page.attrs("meta[property='og:image']", "content").len(), 1);

    // Without the folder, nothing is brought and the report says what still points away.
    let elsewhere = TestApp::spawn().await;
    let out = vigie(&elsewhere, &["import", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains("left pointing at the old site (run again with --uploads DIR"),
        "{report}"
    );
    assert!(report.contains("2026/03/graphique.png"), "{report}");
    let images: i64 = sqlx::query_scalar("select count(*) from media")
        .fetch_one(&elsewhere.pool)
        .await
        .unwrap();
    assert_eq!(images, 0);
    std::fs::remove_dir_all(export.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn media_gc_removes_only_the_files_nothing_names() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let id = upload(
        &journalist,
        "avant.jpg",
        &camera_jpeg(80, 60),
        "Une photo remplacée",
    )
    .await;
    ready(&app, id).await;
    let before: Vec<String> =
        sqlx::query_scalar("select file from media_rendition where media_id = $1")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    // A new file: new renditions; the old ones are named by nothing.
    let token = journalist.csrf().await;
    let replaced = journalist
        .post_file(
            &format!("/editor/media/{id}/file"),
            &[("csrf_token", &token)],
            Some(("apres.png", "image/png", &png(64, 64))),
            &[],
        )
        .await;
    assert_eq!(replaced.status, 303, "{}", replaced.body);
    ready(&app, id).await;
    let after: Vec<String> =
        sqlx::query_scalar("select file from media_rendition where media_id = $1")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(after.iter().all(|f| !before.contains(f)));

    // A dry run says, and removes nothing.
    let dry = vigie(&app, &["media", "gc", "--dry-run", "--older-than", "0"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    let said = String::from_utf8_lossy(&dry.stdout).into_owned();
    // The old original and its renditions.
    let expected = format!("would remove {} unused file(s)", before.len() + 1);
    assert!(said.starts_with(&expected), "{said}");
    assert_eq!(
        app.browser()
            .get_bytes(&format!("/media/{}", before[0]))
            .await
            .0,
        200
    );

    // Files that stopped being named moments ago are kept for the default grace period (7
    // days), however old the files are: cached pages and social cards may still point at
    // them. (Made a month old here, as a file replaced long after its upload would be.)
    let month_ago = std::time::SystemTime::now() - Duration::from_secs(30 * 86_400);
    let media_dir = app.data_dir().join("media");
    for path in walk(&media_dir) {
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(month_ago)
            .unwrap();
    }
    // Files of anything else sharing the folder (or bucket): not Vigie's to judge.
    std::fs::write(media_dir.join("sauvegarde.sql"), "-- une sauvegarde").unwrap();
    std::fs::create_dir_all(media_dir.join("autre-site")).unwrap();
    std::fs::write(media_dir.join("autre-site/photo.jpg"), camera_jpeg(8, 8)).unwrap();
    let young = vigie(&app, &["media", "gc"]);
    assert!(
        String::from_utf8_lossy(&young.stdout).starts_with("removed 0 unused file(s)"),
        "{}",
        String::from_utf8_lossy(&young.stdout)
    );
    let retired: i64 = sqlx::query_scalar("select count(*) from media_retired")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        retired,
        i64::try_from(before.len() + 1).unwrap(),
        "the old original and its renditions are marked retired"
    );

    let done = vigie(&app, &["media", "gc", "--older-than", "0"]);
    assert!(
        media_dir.join("sauvegarde.sql").exists(),
        "a file outside Vigie's areas is left alone"
    );
    assert!(media_dir.join("autre-site/photo.jpg").exists());
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(
        String::from_utf8_lossy(&done.stdout)
            .starts_with(&expected.replace("would remove", "removed"))
    );
    for file in &before {
        assert_eq!(
            app.browser().get_bytes(&format!("/media/{file}")).await.0,
            404,
            "{file} removed"
        );
    }
    for file in &after {
        assert_eq!(
            app.browser().get_bytes(&format!("/media/{file}")).await.0,
            200,
            "{file} kept"
        );
    }
    // The image still shows on its lasting address.
    assert_eq!(
        app.browser().get(&format!("/images/{id}")).await.status,
        302
    );
}

#[tokio::test]
async fn with_a_cdn_in_front_media_addresses_point_at_it() {
    let app =
        TestApp::spawn_with(|c| c.media_base_url = Some("https://cdn.example/media".into())).await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let id = upload(&journalist, "photo.jpg", &camera_jpeg(60, 40), "Une photo").await;
    ready(&app, id).await;
    let moved = app.browser().get(&format!("/images/{id}")).await;
    assert_eq!(moved.status, 302);
    assert!(
        moved
            .header("location")
            .starts_with("https://cdn.example/media/"),
        "{}",
        moved.header("location")
    );
    let page = journalist.get(&format!("/editor/media/{id}")).await;
    let src = page.attrs(".media-preview img", "src");
    assert!(src[0].starts_with("https://cdn.example/media/"), "{src:?}");
    // The CDN's origin is this site's /media/: the file is there.
    let file = src[0].trim_start_matches("https://cdn.example/media/");
    assert_eq!(
        app.browser().get_bytes(&format!("/media/{file}")).await.0,
        200
    );
}

#[tokio::test]
async fn the_live_preview_shows_images_as_readers_will() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let image = upload(
        &journalist,
        "photo.jpg",
        &camera_jpeg(600, 400),
        "Une salle de presse",
    )
    .await;
    ready(&app, image).await;
    let id = new_article(&journalist, "Aperçu illustré", "Texte.").await;
    let body = format!("Texte.\n\n![Une salle de presse](/images/{image})\n");
    let featured = image.to_string();
    let fields = [
        ("title", "Aperçu illustré"),
        ("lang", "fr"),
        ("body", body.as_str()),
        ("featured_media", featured.as_str()),
    ];
    let preview = journalist
        .post_signed(&format!("/editor/articles/{id}/preview"), &fields)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(
        preview.attrs("figure.featured img", "alt"),
        ["Une salle de presse"]
    );
    assert_eq!(preview.texts("figure.featured figcaption"), ["Vigie"]);
    assert_eq!(
        preview.attrs(".article-body figure picture img", "alt"),
        ["Une salle de presse"]
    );
    assert_eq!(
        preview.attrs(".article-body figure picture img", "width"),
        ["400"]
    );
}

#[tokio::test]
async fn a_job_that_fails_for_good_is_shown_to_admins_who_can_send_it_again() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    // An image whose original is missing from the store, with one attempt allowed.
    let id = Uuid::new_v4();
    sqlx::query(
        "insert into media (id, original_key, original_bytes, format, width, height, alt)
         values ($1, 'originals/absent.jpg', 100, 'jpeg', 60, 40, 'Une image sans fichier')",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "insert into job (kind, payload, max_attempts) values ('renditions', jsonb_build_object('media', $1::text), 1)",
    )
    .bind(id.to_string())
    .execute(&app.pool)
    .await
    .unwrap();
    let mut failed = false;
    for _ in 0..200 {
        let state: String = sqlx::query_scalar("select state from media where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if state == "failed" {
            failed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(failed, "the worker gave up after its one attempt");
    let page = admin.get("/admin/jobs").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("tbody td:nth-child(2)"), ["échoué"]);
    assert!(
        page.texts("tbody td:nth-child(5)")[0].contains("originals/absent.jpg"),
        "{}",
        page.body
    );
    let library = admin.get("/editor/media").await;
    assert!(library.body.contains("échec de la préparation"));

    // The file put back, the job sent again: the image gets its renditions.
    let original = app.data_dir().join("media/originals/absent.jpg");
    std::fs::create_dir_all(original.parent().unwrap()).unwrap();
    std::fs::write(&original, camera_jpeg(60, 40)).unwrap();
    let job: i64 = sqlx::query_scalar("select id from job")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let retried = admin
        .post_signed(&format!("/admin/jobs/{job}/retry"), &[])
        .await;
    assert_eq!(retried.status, 303);
    ready(&app, id).await;
    // The worker marks the image ready, then takes the job off the queue: a moment apart.
    let mut jobs = 1;
    for _ in 0..200 {
        jobs = sqlx::query_scalar::<_, i64>("select count(*) from job")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if jobs == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(jobs, 0, "done, it leaves the queue");
    // Only failed jobs can be sent again.
    assert_eq!(
        admin
            .post_signed(&format!("/admin/jobs/{job}/retry"), &[])
            .await
            .status,
        404
    );
}
