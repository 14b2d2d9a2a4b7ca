//! Images: what an upload is (`process`), where files are kept (`storage`), the background
//! job that makes the files readers get (`renditions`), and how pages show them (`picture`).

pub mod gc;
pub mod picture;
pub mod process;
pub mod renditions;
pub mod storage;

pub use storage::MediaStore;
