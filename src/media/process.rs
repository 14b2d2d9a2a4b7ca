//! What an uploaded file is, and the files readers get from it. Pure computation on bytes (no
//! I/O), slow on large pictures: callers run it on a blocking thread in a bounded slot.
//!
//! The type is what the bytes decode as, never the name or the browser's word. Sizes are
//! checked from the header before any pixel is decoded, so a small file that claims a huge
//! picture (a decompression bomb) costs nothing. Renditions are decoded, turned upright by
//! their EXIF orientation, resized and encoded again: nothing of the original's metadata
//! (EXIF with GPS, XMP, comments) survives into them.

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};

use crate::domain::Lang;

/// The most pixels an accepted picture may have (a 12-megapixel photo is 12 000 000).
pub const MAX_PIXELS: u64 = 50_000_000;
/// The longest side an accepted picture may have.
pub const MAX_SIDE: u32 = 16_384;
/// The widths made for pages, when the picture is at least that wide.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// The social card (`og:image`): 1.91:1, as Facebook, LinkedIn and X show it.
pub const CARD: (u32, u32) = (1200, 630);

const JPEG_QUALITY: u8 = 82;
const WEBP_QUALITY: f32 = 78.0;

/// A format Vigie accepts, as the bytes decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    /// As stored in `media.format`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }

    /// From `media.format`.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Jpeg, Self::Png, Self::Webp, Self::Gif]
            .into_iter()
            .find(|f| f.as_str() == s)
    }

    fn of(format: ImageFormat) -> Option<Self> {
        match format {
            ImageFormat::Jpeg => Some(Self::Jpeg),
            ImageFormat::Png => Some(Self::Png),
            ImageFormat::WebP => Some(Self::Webp),
            ImageFormat::Gif => Some(Self::Gif),
            _ => None,
        }
    }
}

/// Why a file was not taken, said to the person who sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("empty file")]
    Empty,
    #[error("larger than the limit")]
    TooManyBytes { limit: u64 },
    #[error("SVG")]
    Svg,
    #[error("not an image")]
    NotAnImage,
    #[error("an image format Vigie does not take")]
    OtherFormat,
    #[error("too many pixels")]
    TooManyPixels { width: u32, height: u32 },
    #[error("the image cannot be read")]
    Damaged,
}

impl Refusal {
    /// What the person reads, in the newsroom's language.
    pub fn message(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            Self::Empty => if fr {
                "Le fichier est vide : choisissez une image."
            } else {
                "The file is empty: choose an image."
            }
            .to_owned(),
            Self::TooManyBytes { limit } => {
                let mb = limit.div_ceil(1_000_000);
                if fr {
                    format!("Le fichier dépasse {mb} Mo : réduisez-le ou exportez-le en JPEG.")
                } else {
                    format!("The file is larger than {mb} MB: make it smaller or export it as JPEG.")
                }
            }
            Self::Svg => if fr {
                "Les images SVG ne sont pas acceptées (elles peuvent contenir du code) : exportez-la en PNG."
            } else {
                "SVG images are not accepted (they can carry code): export it as PNG."
            }
            .to_owned(),
            Self::NotAnImage => if fr {
                "Ce fichier n’est pas une image, quel que soit son nom : envoyez un JPEG, un PNG, un WebP ou un GIF."
            } else {
                "This file is not an image, whatever its name: send a JPEG, PNG, WebP or GIF."
            }
            .to_owned(),
            Self::OtherFormat => if fr {
                "Ce format d’image n’est pas accepté : envoyez un JPEG, un PNG, un WebP ou un GIF."
            } else {
                "This image format is not accepted: send a JPEG, PNG, WebP or GIF."
            }
            .to_owned(),
            Self::TooManyPixels { width, height } => {
                let max = MAX_PIXELS / 1_000_000;
                if fr {
                    format!(
                        "L’image fait {width} × {height} pixels : c’est plus que les {max} mégapixels acceptés (ou plus de {MAX_SIDE} pixels de côté). Réduisez-la."
                    )
                } else {
                    format!(
                        "The image is {width} × {height} pixels: more than the {max} megapixels accepted (or more than {MAX_SIDE} pixels a side). Make it smaller."
                    )
                }
            }
            Self::Damaged => if fr {
                "L’image est abîmée ou incomplète et ne peut pas être lue : exportez-la à nouveau."
            } else {
                "The image is damaged or incomplete and cannot be read: export it again."
            }
            .to_owned(),
        }
    }
}

/// What an accepted file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    pub format: Format,
    /// Upright, after the EXIF orientation.
    pub width: u32,
    pub height: u32,
}

/// Decides what `bytes` are and whether Vigie takes them: a JPEG, PNG, WebP or GIF within the
/// byte limit (`max_bytes`) and the pixel limits, which decodes to the end.
pub fn inspect(bytes: &[u8], max_bytes: u64) -> Result<Inspected, Refusal> {
    let (format, image) = decode(bytes, max_bytes)?;
    Ok(Inspected {
        format,
        width: image.width(),
        height: image.height(),
    })
}

fn decode(bytes: &[u8], max_bytes: u64) -> Result<(Format, DynamicImage), Refusal> {
    if bytes.is_empty() {
        return Err(Refusal::Empty);
    }
    if bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooManyBytes { limit: max_bytes });
    }
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::NotAnImage)?;
    let Some(found) = reader.format() else {
        return Err(if looks_like_svg(bytes) {
            Refusal::Svg
        } else {
            Refusal::NotAnImage
        });
    };
    let format = Format::of(found).ok_or(Refusal::OtherFormat)?;
    // The header alone says how large the picture is: refuse before decoding a pixel.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), found)
        .into_dimensions()
        .map_err(|_| Refusal::Damaged)?;
    if width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(Refusal::TooManyPixels { width, height });
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    // Room for the largest picture in 16-bit RGBA, and no more.
    limits.max_alloc = Some(MAX_PIXELS * 8 + (64 << 20));
    let mut reader = ImageReader::with_format(Cursor::new(bytes), found);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| Refusal::Damaged)?;
    let orientation = decoder.orientation().map_err(|_| Refusal::Damaged)?;
    // GIF: the first frame.
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| Refusal::Damaged)?;
    image.apply_orientation(orientation);
    Ok((format, image))
}

fn looks_like_svg(bytes: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).to_ascii_lowercase();
    head.contains("<svg")
}

/// Which rendition a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The whole picture at one width, for pages.
    Width,
    /// The social card, cropped around the focal point.
    Card,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Width => "width",
            Self::Card => "card",
        }
    }
}

/// The encodings readers get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Webp,
    Jpeg,
}

impl Encoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Webp => "webp",
            Self::Jpeg => "jpeg",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Webp => "webp",
            Self::Jpeg => "jpg",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Webp => "image/webp",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// From a served file's name (`<hash>.webp`, `<hash>.jpg`).
    pub fn of_file(name: &str) -> Option<Self> {
        let (hash, ext) = name.split_once('.')?;
        if hash.len() != 32 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return None;
        }
        match ext {
            "webp" => Some(Self::Webp),
            "jpg" => Some(Self::Jpeg),
            _ => None,
        }
    }
}

/// One file made for readers.
#[derive(Debug, Clone)]
pub struct Rendition {
    pub purpose: Purpose,
    pub encoding: Encoding,
    pub width: u32,
    pub height: u32,
    /// `<first 32 hex digits of the SHA-256 of the bytes>.<extension>`: a new file gets a new
    /// name, so a name can be cached for ever.
    pub file: String,
    pub bytes: Vec<u8>,
}

/// Every file readers get from `original`: each of [`WIDTHS`] the picture reaches (or its own
/// width, when narrower than the largest) and the social card cropped around `focal` (fractions
/// of the width and the height), each in WebP and in JPEG.
pub fn renditions(
    original: &[u8],
    max_bytes: u64,
    focal: (f32, f32),
) -> Result<Vec<Rendition>, Refusal> {
    let (_, image) = decode(original, max_bytes)?;
    let image = flatten(image);
    let mut widths: Vec<u32> = WIDTHS
        .iter()
        .copied()
        .filter(|w| *w < image.width())
        .collect();
    let largest = image.width().min(WIDTHS[WIDTHS.len() - 1]);
    if !widths.contains(&largest) {
        widths.push(largest);
    }
    let mut made = encode(&card(&image, focal), Purpose::Card)?.to_vec();
    // From the largest down, each from the one above: far less work than each from the
    // original, and no visible difference at these ratios. The original is let go as soon
    // as the largest is made (it may be hundreds of megabytes).
    let mut source: Option<RgbImage> = None;
    let mut original = Some(image);
    for &width in widths.iter().rev() {
        let resized = match (&source, &original) {
            (Some(above), _) => resize(above, width),
            (None, Some(image)) => resize(image, width),
            (None, None) => break,
        };
        made.extend(encode(&resized, Purpose::Width)?);
        source = Some(resized);
        original = None;
    }
    Ok(made)
}

/// Transparent pixels over white (JPEG has no transparency; WebP gets the same picture).
fn flatten(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y).0;
        let a = u16::from(p[3]);
        let over = |c: u8| {
            let mixed = (u16::from(c) * a + 255 * (255 - a)) / 255;
            u8::try_from(mixed).unwrap_or(u8::MAX)
        };
        image::Rgb([over(p[0]), over(p[1]), over(p[2])])
    })
}

fn resize(image: &RgbImage, width: u32) -> RgbImage {
    if width == image.width() {
        // The largest width is the picture itself: one copy, then the original goes.
        return image.clone();
    }
    let height = scaled(image.height(), width, image.width());
    image::imageops::resize(image, width, height, FilterType::CatmullRom)
}

/// `value × numerator / denominator`, rounded, at least 1.
fn scaled(value: u32, numerator: u32, denominator: u32) -> u32 {
    let exact = u64::from(value) * u64::from(numerator);
    let rounded = (exact + u64::from(denominator) / 2) / u64::from(denominator.max(1));
    u32::try_from(rounded).unwrap_or(u32::MAX).max(1)
}

/// The largest 1.91:1 crop whose centre is as near `focal` as the picture allows, at
/// [`CARD`] (enlarged if it must be: networks show smaller cards as thumbnails).
fn card(image: &RgbImage, focal: (f32, f32)) -> RgbImage {
    let (w, h) = image.dimensions();
    let (cw, ch) = if u64::from(w) * u64::from(CARD.1) > u64::from(h) * u64::from(CARD.0) {
        (scaled(h, CARD.0, CARD.1).min(w), h)
    } else {
        (w, scaled(w, CARD.1, CARD.0).min(h))
    };
    let x = crop_start(w, cw, focal.0);
    let y = crop_start(h, ch, focal.1);
    let crop = image::imageops::crop_imm(image, x, y, cw, ch).to_image();
    if (cw, ch) == CARD {
        return crop;
    }
    image::imageops::resize(&crop, CARD.0, CARD.1, FilterType::CatmullRom)
}

/// Where a crop of `part` out of `whole` starts so that its centre is nearest `focal × whole`.
fn crop_start(whole: u32, part: u32, focal: f32) -> u32 {
    let centre = f64::from(focal.clamp(0.0, 1.0)) * f64::from(whole);
    let start = (centre - f64::from(part) / 2.0).round();
    let max = f64::from(whole - part);
    // Within 0..=max, so the cast is exact.
    start.clamp(0.0, max) as u32
}

fn encode(image: &RgbImage, purpose: Purpose) -> Result<[Rendition; 2], Refusal> {
    let (width, height) = image.dimensions();
    let webp = webp::Encoder::from_rgb(image.as_raw(), width, height)
        .encode_simple(false, WEBP_QUALITY)
        .map_err(|_| Refusal::Damaged)?
        .to_vec();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, JPEG_QUALITY)
        .encode_image(image)
        .map_err(|_| Refusal::Damaged)?;
    let file = |encoding: Encoding, bytes: Vec<u8>| Rendition {
        purpose,
        encoding,
        width,
        height,
        file: format!("{}.{}", short_hash(&bytes), encoding.extension()),
        bytes,
    };
    Ok([file(Encoding::Webp, webp), file(Encoding::Jpeg, jpeg)])
}

/// The SHA-256 of `bytes` in hex: an original's name.
pub fn full_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first 32 hex digits (128 bits) of the SHA-256 of `bytes`.
pub fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).expect("png");
        out.into_inner()
    }

    #[test]
    fn the_type_is_what_decodes() {
        let bytes = png(40, 30);
        let seen = inspect(&bytes, 1 << 20).expect("a PNG");
        assert_eq!(seen.format, Format::Png);
        assert_eq!((seen.width, seen.height), (40, 30));
        assert_eq!(
            inspect(b"<html><body>hi</body></html>", 1 << 20),
            Err(Refusal::NotAnImage)
        );
        assert_eq!(
            inspect(br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#, 1 << 20),
            Err(Refusal::Svg)
        );
        assert_eq!(
            inspect(&bytes[..bytes.len() / 2], 1 << 20),
            Err(Refusal::Damaged)
        );
        assert_eq!(
            inspect(&bytes, 10),
            Err(Refusal::TooManyBytes { limit: 10 })
        );
        assert_eq!(inspect(b"", 10), Err(Refusal::Empty));
    }

    #[test]
    fn renditions_never_enlarge_and_keep_the_ratio() {
        let made = renditions(&png(1000, 500), 1 << 24, (0.5, 0.5)).expect("renditions");
        let widths: Vec<(u32, u32)> = made
            .iter()
            .filter(|r| r.purpose == Purpose::Width && r.encoding == Encoding::Jpeg)
            .map(|r| (r.width, r.height))
            .collect();
        assert_eq!(widths, vec![(1000, 500), (960, 480), (480, 240)]);
        let card: Vec<_> = made.iter().filter(|r| r.purpose == Purpose::Card).collect();
        assert_eq!(card.len(), 2);
        // Always the size networks ask for.
        assert_eq!((card[0].width, card[0].height), CARD);
        for r in &made {
            assert_eq!(Encoding::of_file(&r.file), Some(r.encoding), "{}", r.file);
            let back = image::load_from_memory(&r.bytes).expect("decodes");
            assert_eq!((back.width(), back.height()), (r.width, r.height));
        }
    }

    #[test]
    fn every_refusal_is_said_in_french_and_in_english() {
        let all = [
            Refusal::Empty,
            Refusal::TooManyBytes { limit: 20_000_000 },
            Refusal::Svg,
            Refusal::NotAnImage,
            Refusal::OtherFormat,
            Refusal::TooManyPixels {
                width: 30_000,
                height: 30_000,
            },
            Refusal::Damaged,
        ];
        let mut said = std::collections::HashSet::new();
        for refusal in &all {
            let (fr, en) = (refusal.message(Lang::Fr), refusal.message(Lang::En));
            assert_ne!(fr, en, "{refusal:?}");
            assert!(
                said.insert(fr) && said.insert(en),
                "{refusal:?}: each says its own reason"
            );
        }
        assert!(
            Refusal::TooManyBytes { limit: 20_000_000 }
                .message(Lang::En)
                .contains("20 MB")
        );
        assert!(
            Refusal::TooManyPixels {
                width: 30_000,
                height: 30_000
            }
            .message(Lang::Fr)
            .contains("30000 × 30000")
        );
    }

    #[test]
    fn the_card_follows_the_focal_point() {
        assert_eq!(crop_start(1000, 400, 0.5), 300);
        assert_eq!(crop_start(1000, 400, 0.0), 0);
        assert_eq!(crop_start(1000, 400, 1.0), 600);
        assert_eq!(crop_start(1000, 1000, 0.9), 0);
    }

    #[test]
    fn served_names_are_checked() {
        assert_eq!(
            Encoding::of_file("0123456789abcdef0123456789abcdef.webp"),
            Some(Encoding::Webp)
        );
        assert_eq!(
            Encoding::of_file("0123456789abcdef0123456789abcdef.png"),
            None
        );
        assert_eq!(Encoding::of_file("../originals/x.jpg"), None);
        assert_eq!(
            Encoding::of_file("0123456789ABCDEF0123456789abcdef.jpg"),
            None
        );
    }
}
