//! Values derived from a whole library once and shared by everyone holding
//! it (the sessions of `yanbao serve` share one `Arc<Library>`): a slot per
//! type, filled on first use. The library's content never changes once it
//! is built, so a memo never goes stale. Modules above `content` keep their
//! own types here (the figures `=` compares, `crate::figures::of_library`)
//! without `content` knowing them.

use super::Library;
use std::any::{Any, TypeId};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// The slots, one per type.
#[derive(Default)]
pub struct Memos(Mutex<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>);

impl Memos {
    /// The slot of `T`, made empty on first ask. The lock is held only to
    /// find or add the slot, never while a value is made.
    fn slot<T: Any + Send + Sync>(&self) -> Arc<OnceLock<Arc<T>>> {
        let mut slots = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let id = TypeId::of::<T>();
        if let Some((_, s)) = slots.iter().find(|(t, _)| *t == id)
            && let Ok(s) = Arc::clone(s).downcast::<OnceLock<Arc<T>>>()
        {
            return s;
        }
        let s: Arc<OnceLock<Arc<T>>> = Arc::new(OnceLock::new());
        slots.retain(|(t, _)| *t != id);
        slots.push((id, Arc::clone(&s) as Arc<dyn Any + Send + Sync>));
        s
    }
}

impl Library {
    /// The library's value of type `T`: made by `make` on first use (once:
    /// callers at the same time wait for the one making it), then shared.
    pub fn memo<T: Any + Send + Sync>(&self, make: impl FnOnce(&Library) -> T) -> Arc<T> {
        let slot = self.memos.slot::<T>();
        Arc::clone(slot.get_or_init(|| Arc::new(make(self))))
    }

    /// The value of type `T` if it was made already.
    pub fn memo_made<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.memos.slot::<T>().get().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_is_made_once_per_library_and_type() {
        let lib = Library::default();
        let mut made = 0;
        let a = lib.memo(|_| {
            made += 1;
            vec![1u8, 2]
        });
        let b = lib.memo(|_| -> Vec<u8> { unreachable!("made once") });
        assert_eq!(made, 1);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(lib.memo_made::<String>().is_none());
        assert_eq!(*lib.memo(|_| String::from("x")), "x");
        assert!(lib.memo_made::<Vec<u8>>().is_some());
        assert!(Library::default().memo_made::<Vec<u8>>().is_none(), "another library, its own memos");
    }
}
