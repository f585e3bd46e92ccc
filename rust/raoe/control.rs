// SPDX-License-Identifier: GPL-2.0

//! What the character devices in /dev/etherd that aoetools use do: `err`, `discover`,
//! `interfaces`, `revalidate` and `flush` (aoechr.c). Every write is checked before anything
//! changes; a bad one fails with `EINVAL`.

use crate::{
    discovery::Discovery,
    disks::Disks,
    logic::user_input::{
        parse_device_name,
        parse_flush,
        InterfaceList, //
    },
    messages::Messages,
    sys::aoechr::{
        NodeHandler,
        Nodes, //
    },
    sys::params,
};
use kernel::{
    prelude::*,
    sync::Arc, //
};

/// The index of `err` among the nodes (`aoechr.h`: minor 2).
const ERR: usize = 0;
/// The index of `discover`.
const DISCOVER: usize = 1;
/// The index of `interfaces`.
const INTERFACES: usize = 2;
/// The index of `revalidate`.
const REVALIDATE: usize = 3;
/// The index of `flush`.
const FLUSH: usize = 4;

/// What the nodes act on.
pub(crate) struct Control {
    /// Sends queries and revalidates devices.
    pub(crate) discovery: Arc<Discovery>,
    /// Removes disks.
    pub(crate) disks: Arc<Disks>,
    /// What `err` reads.
    pub(crate) messages: Arc<Messages>,
}

impl NodeHandler for Control {
    fn write(&self, node: usize, data: &[u8]) -> Result {
        match node {
            DISCOVER => self.discovery.broadcast_query(),
            INTERFACES => {
                InterfaceList::parse(data).map_err(|err| {
                    pr_warn!("interfaces: invalid list ({err:?})\n");
                    EINVAL
                })?;
                params::set_iflist(data)
            }
            REVALIDATE => {
                let (shelf, slot) = parse_device_name(data).ok_or_else(|| {
                    pr_warn!("revalidate: not a device name (eS.N)\n");
                    EINVAL
                })?;
                self.discovery.revalidate(shelf, slot).inspect_err(|_| {
                    pr_warn!("revalidate: no device e{shelf}.{slot}\n");
                })
            }
            FLUSH => {
                let request = parse_flush(data).ok_or_else(|| {
                    pr_warn!("flush: not \"all\" or a list of device names\n");
                    EINVAL
                })?;
                self.disks
                    .flush(request, |shelf, slot| self.discovery.forget(shelf, slot))
            }
            _ => Err(EINVAL),
        }
    }

    fn read(&self, node: usize, buf: &mut [u8], nonblocking: bool) -> Result<usize> {
        match node {
            ERR => self.messages.read(buf, nonblocking),
            _ => Err(EINVAL),
        }
    }
}

/// The registered nodes; dropping them removes them.
pub(crate) struct ControlNodes {
    _nodes: Nodes<Control>,
}

impl ControlNodes {
    /// Registers every node, all handled by `control`.
    pub(crate) fn register(control: Arc<Control>) -> Result<Self> {
        Ok(ControlNodes {
            _nodes: Nodes::register(control)?,
        })
    }
}
