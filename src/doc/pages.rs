//! Laid-out pages, kept in one bounded LRU for every session reading a
//! library (the local explorer has one; `yanbao serve` one for all its
//! sessions).
//!
//! A page is laid out for a width and settings (`LayoutOpts`); laying it out
//! again costs tens of milliseconds for a chapter and seconds for an
//! industry page of a large library. The cache is a memo: what it returns is
//! exactly what `build_page` would, so `update` and `render` stay pure.

use super::{Doc, LayoutOpts, Page, build_page};
use crate::content::Library;
use lru::LruCache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

/// At most this many pages are kept...
pub const MAX_PAGES: usize = 256;
/// ...holding at most this many bytes (by `Doc::heap_bytes`). A chapter of
/// the bundled reports laid out 100 columns wide holds 50 KB to 1 MB.
pub const MAX_PAGE_BYTES: usize = 64 << 20;

/// A page and its layout settings (ambiguous width among them).
type Key = (Page, LayoutOpts);

/// Laid-out pages of one library, least recently used first out. Shared
/// (`Arc`) by the sessions that read the library; thread-safe. No lock is
/// held while a page is laid out: a page wanted by several sessions at once
/// is laid out once, the others wait for it.
pub struct Pages {
    lib: Weak<Library>,
    max_pages: usize,
    max_bytes: usize,
    inner: Mutex<Inner>,
}

struct Inner {
    lru: LruCache<Key, (Arc<Doc>, usize)>,
    /// The bytes of the pages in `lru`.
    bytes: usize,
    /// Pages being laid out, so that a second asker waits for the first.
    building: HashMap<Key, Arc<OnceLock<Arc<Doc>>>>,
    /// Pages laid out (for tests and figures).
    built: u64,
}

impl Pages {
    /// A cache for `lib`, within `MAX_PAGES` and `MAX_PAGE_BYTES`.
    pub fn new(lib: &Arc<Library>) -> Pages {
        Pages::with_bounds(lib, MAX_PAGES, MAX_PAGE_BYTES)
    }

    /// A cache for `lib` of at most `max_pages` pages and `max_bytes` bytes.
    /// A page larger than `max_bytes` alone is not kept.
    pub fn with_bounds(lib: &Arc<Library>, max_pages: usize, max_bytes: usize) -> Pages {
        Pages {
            lib: Arc::downgrade(lib),
            max_pages: max_pages.max(1),
            max_bytes,
            inner: Mutex::new(Inner { lru: LruCache::unbounded(), bytes: 0, building: HashMap::new(), built: 0 }),
        }
    }

    /// Whether the pages are those of `lib` (the very library, not an equal one).
    pub fn is_for(&self, lib: &Arc<Library>) -> bool {
        std::ptr::eq(self.lib.as_ptr(), Arc::as_ptr(lib))
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere while the lock was held left the cache whole
        // (each change is one step): go on with it.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A page laid out for `opts`: from the cache, or laid out now and kept.
    /// `lib` must be the library the cache was made for.
    pub fn get(&self, lib: &Library, page: Page, opts: LayoutOpts) -> Arc<Doc> {
        debug_assert!(std::ptr::eq(self.lib.as_ptr(), lib), "a page cache used with another library");
        let key = (page, opts);
        let slot = {
            let mut g = self.lock();
            if let Some((d, _)) = g.lru.get(&key) {
                return Arc::clone(d);
            }
            Arc::clone(g.building.entry(key).or_default())
        };
        let mut built = false;
        let doc = Arc::clone(slot.get_or_init(|| {
            built = true;
            Arc::new(build_page(lib, page, opts))
        }));
        let size = if built { doc.heap_bytes() } else { 0 };
        let mut g = self.lock();
        if g.building.get(&key).is_some_and(|s| Arc::ptr_eq(s, &slot)) {
            g.building.remove(&key);
        }
        if built {
            g.built += 1;
            self.keep(&mut g, key, Arc::clone(&doc), size);
        }
        doc
    }

    fn keep(&self, g: &mut Inner, key: Key, doc: Arc<Doc>, size: usize) {
        if size > self.max_bytes {
            return;
        }
        if let Some((_, old)) = g.lru.put(key, (doc, size)) {
            g.bytes -= old;
        }
        g.bytes += size;
        while g.lru.len() > self.max_pages || g.bytes > self.max_bytes {
            let Some((_, (_, s))) = g.lru.pop_lru() else { break };
            g.bytes -= s;
        }
    }

    /// Whether a page is in the cache (does not count as a use).
    pub fn contains(&self, page: Page, opts: LayoutOpts) -> bool {
        self.lock().lru.contains(&(page, opts))
    }

    /// How many pages are kept.
    pub fn len(&self) -> usize {
        self.lock().lru.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the kept pages hold (by `Doc::heap_bytes`).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// How many pages were laid out (not found in the cache) so far.
    pub fn built(&self) -> u64 {
        self.lock().built
    }
}

impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let g = self.lock();
        write!(f, "Pages({} pages, {} bytes, at most {} and {})", g.lru.len(), g.bytes, self.max_pages, self.max_bytes)
    }
}
