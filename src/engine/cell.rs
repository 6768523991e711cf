//! The `UnsafeCell` of the lock-free structures: loom's, which checks that no two accesses
//! race, under `--cfg crossbeam_loom`; otherwise a zero-cost wrapper of
//! `core::cell::UnsafeCell` with the same closure-based API.
//!
//! [`UnsafeCell::deref_mut`] hands out a long-lived exclusive borrow ([`MutRef`]): a plain
//! `&mut T` in normal builds, a guard that keeps loom's access tracked while it lives under
//! loom. Used by `queue.rs` (node values) and `slots.rs` (slot buffers).

#[cfg(crossbeam_loom)]
pub(crate) use self::checked::{MutRef, UnsafeCell};
#[cfg(not(crossbeam_loom))]
pub(crate) use self::plain::{MutRef, UnsafeCell};

#[cfg(not(crossbeam_loom))]
mod plain {
    /// An exclusive borrow of a cell's contents.
    pub(crate) type MutRef<'a, T> = &'a mut T;

    /// `core::cell::UnsafeCell` behind loom's closure-based API.
    pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        #[inline(always)]
        pub(crate) const fn new(value: T) -> Self {
            Self(core::cell::UnsafeCell::new(value))
        }

        /// Calls `f` with a pointer to the contents, for reading.
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Borrows the contents exclusively for `'a`.
        ///
        /// # Safety
        /// No other access to the contents may happen while the borrow lives.
        #[inline(always)]
        pub(crate) unsafe fn deref_mut(&self) -> MutRef<'_, T> {
            // SAFETY: (1) the pointer comes from a live cell; (2) the caller promises the
            // borrow is the only access while it lives.
            unsafe { &mut *self.0.get() }
        }
    }
}

#[cfg(crossbeam_loom)]
mod checked {
    use core::marker::PhantomData;
    use core::ops::{Deref, DerefMut};

    /// loom's `UnsafeCell`, with the long-lived borrow of the normal build added.
    pub(crate) struct UnsafeCell<T>(loom::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) fn new(value: T) -> Self {
            Self(loom::cell::UnsafeCell::new(value))
        }

        /// Calls `f` with a pointer to the contents, for reading; loom checks the access.
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            self.0.with(f)
        }

        /// Borrows the contents exclusively for `'a`; loom checks the access while it lives.
        ///
        /// # Safety
        /// No other access to the contents may happen while the borrow lives.
        pub(crate) unsafe fn deref_mut(&self) -> MutRef<'_, T> {
            MutRef {
                ptr: self.0.get_mut(),
                _cell: PhantomData,
            }
        }
    }

    /// An exclusive borrow of a loom cell's contents; loom tracks the access until it drops.
    pub(crate) struct MutRef<'a, T> {
        ptr: loom::cell::MutPtr<T>,
        _cell: PhantomData<&'a mut T>,
    }

    impl<T> Deref for MutRef<'_, T> {
        type Target = T;
        fn deref(&self) -> &T {
            // SAFETY: (1) `ptr` is loom's tracked pointer into a cell that outlives `'a`;
            // (2) the creator of this `MutRef` promised it is the only access (and loom
            // checks it).
            unsafe { self.ptr.deref() }
        }
    }

    impl<T> DerefMut for MutRef<'_, T> {
        fn deref_mut(&mut self) -> &mut T {
            // SAFETY: as in `deref`; `&mut self` makes the returned borrow unique.
            unsafe { self.ptr.deref() }
        }
    }
}
