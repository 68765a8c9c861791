//! The cache's schema id: a hash of the package version and of the sources
//! that define what a cache file holds. A cache written by a yanbao built
//! from other sources has another id and is rebuilt, never misread.

use std::hash::{Hash, Hasher};

const SOURCES: [&str; 7] = [
    "src/cache.rs",
    "src/content/model.rs",
    "src/content/load.rs",
    "src/content/mod.rs",
    "src/search/mod.rs",
    "src/search/pinyin.rs",
    "src/search/store.rs",
];

fn main() {
    // The bundled reports are embedded with include_dir!, which does not tell
    // cargo about files added to the folder (include_dir issue #120).
    println!("cargo:rerun-if-changed=content");
    let mut h = std::collections::hash_map::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut h);
    for s in SOURCES {
        println!("cargo:rerun-if-changed={s}");
        std::fs::read(s).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=YANBAO_CACHE_SCHEMA={:016x}", h.finish());
}
