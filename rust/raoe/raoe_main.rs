// SPDX-License-Identifier: GPL-2.0

//! raoe: an ATA-over-Ethernet initiator, the Rust counterpart of `drivers/block/aoe`.
//!
//! Targets are discovered with config queries (at load, every minute and on demand) and
//! identified with ATA IDENTIFY; each shelf.slot becomes a block device `etherd/eS.N`, reached
//! through every target and interface that answers for it. Writes send the request's own
//! pages, pinned, and end only once the network stack has released them. `/dev/etherd` has
//! aoe.ko's control nodes, sysfs its attributes, and debugfs (`raoe/`) the counters.

/// The protocol logic, free of kernel types: `rust/host` builds these files for `cargo test`
/// and the fuzzer.
pub mod logic {
    /// The AoE frame format: request builders, the response parser and the reply checks.
    pub mod wire;

    /// The ATA IDENTIFY data and the payload size of data frames.
    pub mod identify;

    /// Round-trip timing and the window of frames in flight.
    pub mod rtt_window;

    /// Tags of the frames in flight.
    pub mod tags;

    /// Splitting a request's sectors into frames.
    pub mod split;

    /// Parsing what users write to /dev/etherd and to `aoe_iflist`.
    pub mod user_input;

    /// Choosing each frame's target.
    pub mod path_choice;

    /// The minors of a device's disk (`aoe_dyndevs`).
    pub mod minors;

    /// The requests a device works on, and when each may end.
    pub mod requests;
}

/// The glue to the kernel: the only code that reaches C, each Rust wrapper with its C shim.
mod sys {
    pub(crate) mod aoechr;
    pub(crate) mod blk;
    #[cfg(raoe_rzram_kunit)]
    mod kunit;
    pub(crate) mod net;
    pub(crate) mod pages;
    pub(crate) mod params;
    pub(crate) mod random;
    pub(crate) mod shims;
    pub(crate) mod work;
}

mod control;
mod device;
mod discovery;
mod disks;
mod messages;
mod sysfs;

use control::{
    Control,
    ControlNodes, //
};
use discovery::Discovery;
use disks::Disks;
use kernel::{
    debugfs,
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        Arc, //
    },
    time::Delta,
};
use messages::Messages;
use sys::blk::Major;
use sys::net::PacketHandler;
use sys::work::{
    OwnedWork,
    WorkRun, //
};

/// The AoE block major, shared with aoe.ko (`AOE_MAJOR`, aoe.h), so only one of the two
/// drivers can be loaded.
const AOE_MAJOR: u32 = 152;

/// The module, named `raoe`, or `aoe` when built to take aoe.ko's place (Kbuild's
/// `RAOE_MODULE_NAME=aoe` sets `raoe_as_aoe`): aoetools and init scripts find it by that name.
macro_rules! raoe_module {
    ($name:tt) => {
        module! {
            type: Raoe,
            name: $name,
            authors: ["raoe developers"],
            description: "ATA over Ethernet initiator (Rust)",
            license: "GPL",
            params: {
                aoe_deadsecs: u32 {
                    default: 180,
                    description: "Seconds a frame may go unanswered before its device goes down (0: never)",
                },
            },
        }
    };
}
#[cfg(not(raoe_as_aoe))]
raoe_module!("raoe");
#[cfg(raoe_as_aoe)]
raoe_module!("aoe");

/// The module state. Fields drop in order: the control nodes first, then the receive path,
/// before the disks' memory and the major; `drop` removes the disks while the receive path
/// still runs.
struct Raoe {
    /// `/dev/etherd/*`.
    _nodes: ControlNodes,
    /// The AoE receive path; dropping it unregisters it.
    handler: PacketHandler<Discovery>,
    /// Resends lost frames and queries every minute; stopped after the receive path.
    _ticker: OwnedWork<Ticker>,
    /// debugfs `raoe/drops`.
    _drops: Pin<KBox<debugfs::File<Arc<Discovery>>>>,
    /// The disks of the devices found.
    disks: Arc<Disks>,
    /// The block major.
    _major: Major,
}

impl kernel::Module for Raoe {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let major = Major::register(AOE_MAJOR, c"aoe").inspect_err(|_| {
            pr_err!("block major {AOE_MAJOR} is taken by another AoE driver (aoe.ko or raoe): unload it first\n");
        })?;
        let debugfs = debugfs::Dir::new(c"raoe");
        let messages = Arc::pin_init(Messages::new()?, GFP_KERNEL)?;
        let disks = Arc::pin_init(Disks::new(major.number(), debugfs.clone()), GFP_KERNEL)?;
        let discovery =
            Arc::pin_init(Discovery::new(disks.clone(), messages.clone())?, GFP_KERNEL)?;
        let drops = KBox::pin_init(
            debugfs.read_callback_file(
                c"drops",
                discovery.clone(),
                &|discovery: &Arc<Discovery>, f| discovery.write_drops(f),
            ),
            GFP_KERNEL,
        )?;
        let handler = PacketHandler::register(logic::wire::ETH_P_AOE, discovery.clone())?;
        let dead = match module_parameters::aoe_deadsecs.value() {
            0 => Delta::from_secs(i64::from(u32::MAX)),
            secs => Delta::from_secs(i64::from(secs)),
        };
        let ticker = OwnedWork::periodic(
            Arc::new(
                Ticker {
                    disks: disks.clone(),
                    discovery: discovery.clone(),
                    dead,
                    ticks: Atomic::new(0),
                },
                GFP_KERNEL,
            )?,
            disks::TICK_MS,
        )?;
        ticker.schedule();
        discovery.broadcast_query()?;
        // Last: once users can open the nodes, nothing fails any more.
        let nodes = ControlNodes::register(Arc::new(
            Control {
                discovery: discovery.clone(),
                disks: disks.clone(),
                messages,
            },
            GFP_KERNEL,
        )?)?;
        pr_info!("loaded\n");
        Ok(Raoe {
            _nodes: nodes,
            handler,
            _ticker: ticker,
            _drops: drops,
            disks,
            _major: major,
        })
    }
}

/// The periodic work of the disks and of discovery, which the module owns both of: ticks every
/// device, resends unanswered IDENTIFY requests and broadcasts a config query every minute.
struct Ticker {
    /// The registry whose devices are ticked.
    disks: Arc<Disks>,
    /// Resends the IDENTIFY requests and sends the config queries.
    discovery: Arc<Discovery>,
    /// How long a frame may wait for its reply.
    dead: Delta,
    /// Ticks since the last config query.
    ticks: Atomic<u32>,
}

/// Ticks between config queries: one a minute, as aoe.ko (aoecmd.c:1657-1665).
const TICKS_PER_QUERY: u32 = 60_000 / disks::TICK_MS;

impl WorkRun for Ticker {
    fn run(&self) {
        self.disks.tick(self.dead);
        self.discovery.resend_identifies();
        if self.ticks.fetch_add(1, Relaxed) + 1 >= TICKS_PER_QUERY {
            self.ticks.store(0, Relaxed);
            if let Err(err) = self.discovery.broadcast_query() {
                pr_warn!("periodic config query failed: {err:?}\n");
            }
        }
    }
}

impl Drop for Raoe {
    fn drop(&mut self) {
        self.disks.close();
        let dropped = self.handler.receiver().total_drops();
        pr_info!("unloaded; {dropped} malformed or unexpected frames were dropped\n");
    }
}
