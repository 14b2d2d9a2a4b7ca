//! The demo's one picture, drawn here rather than shipped (no third-party image in the
//! repository): the dome of the Capitol in Washington, in flat shapes, under a night sky —
//! the sample article's featured image.

use image::{Rgb, RgbImage};

pub const WIDTH: u32 = 1200;
pub const HEIGHT: u32 = 675;
pub const ALT: &str = "Illustration : le dôme du Capitole, à Washington, sous un ciel de nuit";
pub const CREDIT: &str = "Illustration Vigie";

/// The picture, as a JPEG.
pub fn jpeg() -> Vec<u8> {
    let (w, h) = (WIDTH as f32, HEIGHT as f32);
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let (x, y) = (x as f32, y as f32);
        // Night sky, lighter towards the horizon.
        let t = y / h;
        let mut pixel = [
            (18.0 + 60.0 * t) as u8,
            (24.0 + 50.0 * t) as u8,
            (58.0 + 70.0 * t) as u8,
        ];
        // A few stars, where a cheap hash of the position says so.
        let hash = (x as u32).wrapping_mul(73_856_093) ^ (y as u32).wrapping_mul(19_349_663);
        if t < 0.55 && hash.is_multiple_of(1_500) {
            pixel = [235, 235, 220];
        }
        let cx = w / 2.0;
        let ground = h * 0.82;
        // The building: a wide base with columns, a drum, the dome, the lantern.
        let base = y > h * 0.62 && y < ground && (x - cx).abs() < w * 0.36;
        let columns = y > h * 0.50 && y < h * 0.62 && (x - cx).abs() < w * 0.14;
        let gap = columns && ((x - cx + w * 0.14) as u32 / 14) % 2 == 1 && y > h * 0.52;
        let dome = {
            let (dx, dy) = ((x - cx) / (w * 0.13), (y - h * 0.50) / (h * 0.26));
            dy < 0.0 && dx * dx + dy * dy < 1.0
        };
        let lantern = (x - cx).abs() < w * 0.012 && y > h * 0.17 && y < h * 0.25;
        if base || (columns && !gap) || dome || lantern {
            let shade = if x < cx { 226.0 } else { 200.0 };
            pixel = [shade as u8, (shade - 6.0) as u8, (shade - 20.0) as u8];
        } else if gap {
            pixel = [70, 66, 60];
        }
        if y >= ground {
            pixel = [34, 46, 38];
        }
        Rgb(pixel)
    });
    let mut out = std::io::Cursor::new(Vec::new());
    // Writing to memory cannot fail on I/O; an empty picture would be refused by `inspect`.
    let _ = image.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}
