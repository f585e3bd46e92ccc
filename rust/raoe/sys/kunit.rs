// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the wrappers over the C shims: what only the kernel can run (built into the
//! modules only with Kbuild's `RAOE_RZRAM_KUNIT=1`; `make test` runs them in the `kunit` suite,
//! after the module's init has registered its major and nodes).

use kernel::prelude::*;

#[kunit_tests(raoe_sys)]
mod tests {
    use crate::sys::{
        aoechr::{
            NodeHandler,
            Nodes, //
        },
        blk::Major,
        pages::{
            Frag,
            PinnedFrags, //
        },
        params::{
            iflist,
            set_iflist,
            IFLIST_SIZE, //
        },
        shims,
    };
    use kernel::{
        page::PAGE_SIZE,
        prelude::*,
        sync::Arc, //
    };

    /// A handler that must never be called: the nodes stay with the module's own.
    struct Unreachable;

    impl NodeHandler for Unreachable {
        fn write(&self, _node: usize, _data: &[u8]) -> Result {
            Err(EPERM)
        }

        fn read(&self, _node: usize, _buf: &mut [u8], _nonblocking: bool) -> Result<usize> {
            Err(EPERM)
        }
    }

    #[test]
    fn a_second_block_major_registration_is_refused() {
        // The module holds aoe.ko's major, 152, from its init on.
        assert!(Major::register(152, c"raoe-kunit").err() == Some(EBUSY));
    }

    #[test]
    fn a_second_node_registration_is_refused() -> Result {
        let second = Nodes::register(Arc::new(Unreachable, GFP_KERNEL)?);
        assert!(second.err() == Some(EBUSY));
        Ok(())
    }

    #[test]
    fn iflist_refuses_a_full_buffer_and_keeps_its_value() -> Result {
        let mut saved = [0u8; IFLIST_SIZE];
        iflist(&mut saved);
        set_iflist(b"eth0 eth1")?;
        let mut now = [0u8; IFLIST_SIZE];
        iflist(&mut now);
        assert!(now.starts_with(b"eth0 eth1\0"));
        // A list must leave room for its NUL, as aoe.ko's buffer does.
        assert!(set_iflist(&[b'x'; IFLIST_SIZE]).err() == Some(EINVAL));
        iflist(&mut now);
        assert!(now.starts_with(b"eth0 eth1\0"));
        let saved_len = saved.iter().position(|&byte| byte == 0).unwrap_or(0);
        set_iflist(&saved[..saved_len])
    }

    /// A compound page of order 2, freed on drop.
    struct Compound(*mut shims::page);

    impl Compound {
        fn new() -> Result<Self> {
            // SAFETY: Allocates; any context that may sleep.
            let head = unsafe { shims::raoe_test_alloc_compound(2) };
            if head.is_null() {
                return Err(ENOMEM);
            }
            Ok(Self(head))
        }

        fn page(&self, n: u32) -> *mut shims::page {
            // SAFETY: `self.0` is a live order-2 compound page and `n` below 4 in the tests.
            unsafe { shims::raoe_test_nth_page(self.0, n) }
        }
    }

    impl Drop for Compound {
        fn drop(&mut self) {
            // SAFETY: `self.0` was allocated with order 2 and is freed once, here.
            unsafe { shims::raoe_test_free_compound(self.0, 2) };
        }
    }

    fn folio_refs(page: *mut shims::page) -> i32 {
        // SAFETY: The tests pass pages they keep allocated.
        unsafe { shims::raoe_test_folio_refs(page) }
    }

    #[test]
    fn a_compound_tail_pins_its_folio() -> Result {
        let compound = Compound::new()?;
        let tail = compound.page(1);
        let before = folio_refs(tail);
        // SAFETY: The compound page stays allocated for the whole test.
        let pinned = unsafe { PinnedFrags::pin(&[Frag::new(tail, 512, 1024)]) }?;
        assert_eq!((pinned.pinned(), pinned.copied()), (1, 0));
        assert_eq!(folio_refs(tail), before + 1);
        drop(pinned);
        assert_eq!(folio_refs(tail), before);
        Ok(())
    }

    #[test]
    fn pieces_of_one_folio_take_one_reference_each() -> Result {
        let compound = Compound::new()?;
        let before = folio_refs(compound.page(0));
        let frags = [
            Frag::new(compound.page(0), 0, PAGE_SIZE as u32),
            Frag::new(compound.page(3), 0, 100),
        ];
        // SAFETY: The compound page stays allocated for the whole test.
        let pinned = unsafe { PinnedFrags::pin(&frags) }?;
        assert_eq!(pinned.pinned(), 2);
        assert_eq!(folio_refs(compound.page(2)), before + 2);
        drop(pinned);
        assert_eq!(folio_refs(compound.page(2)), before);
        Ok(())
    }

    #[test]
    fn slab_memory_is_copied_not_pinned() -> Result {
        // SAFETY: Allocates.
        let slab = unsafe { shims::raoe_test_kmalloc(256) };
        if slab.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `slab` is live slab memory.
        let (page, offset) = unsafe {
            (
                shims::raoe_test_slab_page(slab),
                shims::raoe_test_slab_offset(slab),
            )
        };
        let before = folio_refs(page);
        // SAFETY: `slab` stays allocated until after the pin is dropped.
        let pinned = unsafe { PinnedFrags::pin(&[Frag::new(page, offset, 256)]) };
        let result = pinned.map(|pinned| {
            let counts = (pinned.pinned(), pinned.copied());
            let copy_elsewhere = pinned.frags().first().map(|frag| frag.page() != page);
            (counts, copy_elsewhere, folio_refs(page))
        });
        // SAFETY: `slab` came from `raoe_test_kmalloc` and the pin is gone.
        unsafe { shims::raoe_test_kfree(slab) };
        let (counts, copy_elsewhere, refs_while_pinned) = result?;
        // get_page on a slab page would warn and pin nothing: the piece goes as a copy.
        assert_eq!(counts, (0, 1));
        assert_eq!(copy_elsewhere, Some(true));
        assert_eq!(refs_while_pinned, before);
        Ok(())
    }
}
