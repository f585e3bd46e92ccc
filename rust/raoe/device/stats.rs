// SPDX-License-Identifier: GPL-2.0

//! The device's debugfs `stats` and the summary logged when it is removed.

use super::state::AoeDevice;
use crate::logic::{
    user_input::until_nul,
    wire::MacHex, //
};
use core::fmt::Write;
use kernel::{
    fmt,
    sync::atomic::Relaxed, //
};

impl AoeDevice {
    /// Writes the debugfs `stats` of the device: one `name value` per line, then one line per
    /// target.
    pub(crate) fn write_stats(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let counters = &self.counters;
        let (up, rtt, in_flight, requests, request_counts) = {
            let inflight = self.inflight.lock();
            (
                inflight.up,
                inflight.rtt,
                inflight.tags.in_flight(),
                inflight.requests.len(),
                inflight.requests.counts(),
            )
        };
        writeln!(f, "state {}", if up { "up" } else { "down" })?;
        writeln!(f, "rtt_avg_us {}", rtt.average_us())?;
        writeln!(f, "rtt_dev_us {}", rtt.deviation_us())?;
        writeln!(f, "rto_us {}", rtt.rto_us())?;
        writeln!(f, "frames_in_flight {in_flight}")?;
        writeln!(f, "requests {requests}")?;
        for (name, value) in [
            ("retransmits", counters.retransmits.load(Relaxed)),
            ("drops", counters.drops.load(Relaxed)),
            ("ata_errors", counters.ata_errors.load(Relaxed)),
            ("flushes", counters.flushes.load(Relaxed)),
            ("downs", counters.downs.load(Relaxed)),
            ("send_failures", counters.send_failures.load(Relaxed)),
            ("pins_taken", self.pins.taken.load(Relaxed)),
            ("pins_released", self.pins.released.load(Relaxed)),
            ("pages_copied", self.pins.copied.load(Relaxed)),
            ("waited_for_release", request_counts.waited_for_release),
            ("late_releases", request_counts.late_releases),
            (
                "longest_release_wait_us",
                request_counts.longest_release_wait,
            ),
            ("release_timeouts", request_counts.release_timeouts),
        ] {
            writeln!(f, "{name} {value}")?;
        }
        let inflight = self.inflight.lock();
        for target in inflight.targets.iter() {
            write!(
                f,
                "target {} in_flight {} window {} cap {} ssthresh {} silent_timeouts {} interfaces",
                MacHex(target.mac),
                target.load.in_flight,
                target.load.window.max_outstanding(),
                target.load.window.frames(),
                target.load.window.slow_start_threshold(),
                target.load.silent_timeouts
            )?;
            for interface in target.interfaces.iter() {
                let name = core::str::from_utf8(until_nul(&interface.name)).unwrap_or("?");
                write!(f, " {name}")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }

    /// A one-line summary of the page pins and what they waited for, for the unload log.
    pub(crate) fn pin_summary(&self, f: &mut impl Write) -> fmt::Result {
        let request_counts = self.inflight.lock().requests.counts();
        write!(
            f,
            "pins taken {}, released {}, pages copied {}, requests that waited for a release {}, late releases {}, retransmits {}",
            self.pins.taken.load(Relaxed),
            self.pins.released.load(Relaxed),
            self.pins.copied.load(Relaxed),
            request_counts.waited_for_release,
            request_counts.late_releases,
            self.counters.retransmits.load(Relaxed)
        )
    }
}
