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
        params::{
            iflist,
            set_iflist,
            IFLIST_SIZE, //
        },
    };
    use kernel::{
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
}
