// SPDX-License-Identifier: GPL-2.0

//! Round-trip timing and the window of frames in flight, per target, in integers only.
//!
//! Both follow aoe.ko: the estimator is `calc_rttavg` and `rto` (aoecmd.c:986-999, 631-642),
//! the window is the `maxout`/`ssthresh`/`next_cwnd` logic (aoecmd.c:801-804, 1001-1008,
//! 1464-1469, 1612-1617). aoe.ko keeps one estimator per device; the driver may keep one per
//! target.

/// The gain of the average is 1/2^8, and the average is stored scaled by 2^8 (aoe.h:95).
const AVERAGE_SHIFT: u32 = 8;
/// The gain of the mean deviation is 1/2^3, and it is stored scaled by 2^3 (aoe.h:96).
const DEVIATION_SHIFT: u32 = 3;

/// Round-trip time estimation after Jacobson and Karels, in microseconds.
///
/// The retransmission timeout is `2 * average + 8 * deviation`, clamped to
/// `MIN_RTO_US..=MAX_RTO_US`; aoe.ko has no clamp in 7.3 beyond a floor of 1 µs. Samples are
/// capped at `MAX_RTO_US` so one stray reply cannot inflate the estimate for minutes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RttEstimator {
    /// The average, scaled by 2^`AVERAGE_SHIFT`.
    average_scaled: i64,
    /// The mean deviation, scaled by 2^`DEVIATION_SHIFT`.
    deviation_scaled: i64,
}

impl RttEstimator {
    /// The average before any sample: 250 ms (aoe.h:97).
    pub const INITIAL_AVERAGE_US: u32 = 250_000;
    /// The deviation before any sample: a quarter of the average, so the first timeout is 1 s.
    ///
    /// aoe.ko's `RTTDEV_INIT` is a quarter of the average in the average's 2^8 scale but is
    /// read in the 2^3 scale (aoe.h:98), which makes its first timeout 16.5 s.
    pub const INITIAL_DEVIATION_US: u32 = Self::INITIAL_AVERAGE_US / 4;
    /// The shortest retransmission timeout. Timeouts are checked every 100 ms tick, so a
    /// shorter one does not recover a loss sooner; it only resends frames whose replies are a
    /// few milliseconds late, as on a busy or virtualised host (47 spurious resends in 32 MiB
    /// with 1 ms under QEMU TCG).
    pub const MIN_RTO_US: u32 = 20_000;
    /// The longest retransmission timeout, and the largest sample taken into account.
    pub const MAX_RTO_US: u32 = 10_000_000;

    /// An estimator with no sample yet.
    pub fn new() -> Self {
        RttEstimator {
            average_scaled: i64::from(Self::INITIAL_AVERAGE_US) << AVERAGE_SHIFT,
            deviation_scaled: i64::from(Self::INITIAL_DEVIATION_US) << DEVIATION_SHIFT,
        }
    }

    /// Takes a measured round trip into account (aoecmd.c:986-995).
    pub fn sample(&mut self, rtt_us: u32) {
        let rtt = i64::from(rtt_us.min(Self::MAX_RTO_US));
        // Every value stays within 2^8 times `MAX_RTO_US`, far from `i64` overflow.
        let error = rtt - (self.average_scaled >> AVERAGE_SHIFT);
        self.average_scaled += error;
        self.deviation_scaled += error.abs() - (self.deviation_scaled >> DEVIATION_SHIFT);
    }

    /// The current average round trip.
    pub fn average_us(&self) -> u32 {
        saturate_u32(self.average_scaled >> AVERAGE_SHIFT)
    }

    /// The current mean deviation of the round trip.
    pub fn deviation_us(&self) -> u32 {
        saturate_u32(self.deviation_scaled >> DEVIATION_SHIFT)
    }

    /// The retransmission timeout, `2 * average + 8 * deviation`, clamped (aoecmd.c:631-642).
    pub fn rto_us(&self) -> u32 {
        let rto = ((2 * self.average_scaled) >> AVERAGE_SHIFT)
            + ((8 * self.deviation_scaled) >> DEVIATION_SHIFT);
        saturate_u32(rto).clamp(Self::MIN_RTO_US, Self::MAX_RTO_US)
    }
}

impl Default for RttEstimator {
    fn default() -> Self {
        Self::new()
    }
}

/// Converts to `u32`, saturating at both ends.
fn saturate_u32(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// The congestion window of one target: how many frames may be in flight.
///
/// It opens like TCP: by one per ack below the slow-start threshold, then by one per window of
/// acks while the window is full, and it falls to one on a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// The cap: the target's buffer count, limited by the driver's cap (aoe.h:141).
    frames: u16,
    /// The frames allowed in flight now (aoe.h:147).
    max_outstanding: u16,
    /// Below this, every ack opens the window by one (aoe.h:149).
    slow_start_threshold: u16,
    /// Acks left before the window opens by one above the threshold (aoe.h:148).
    acks_to_grow: u16,
}

impl Window {
    /// The default cap on frames in flight per target, aoe.ko's `aoe_maxout` (aoecmd.c:32).
    pub const DEFAULT_CAP: u16 = 64;

    /// The window of a newly found target that reported `buffer_count` (aoecmd.c:1464-1469).
    ///
    /// It starts at half the cap. aoe.ko starts at `nframes / 2`, which is 0 for a buffer
    /// count of 0 or 1, and such a target then never gets a frame (OpenAoE/aoe#7); here the
    /// cap and the start are at least 1.
    pub fn new(buffer_count: u16, cap: u16) -> Self {
        let mut window = Window {
            frames: Self::cap_frames(buffer_count, cap),
            max_outstanding: 1,
            slow_start_threshold: 0,
            acks_to_grow: 0,
        };
        window.reset();
        window.max_outstanding = (window.frames / 2).max(1);
        window
    }

    /// The number of frames a target may have, never 0.
    fn cap_frames(buffer_count: u16, cap: u16) -> u16 {
        buffer_count.min(cap).max(1)
    }

    /// Takes a new buffer count from a later config reply (aoecmd.c:1579-1582).
    ///
    /// The window restarts only if it is now above the new cap.
    pub fn set_buffer_count(&mut self, buffer_count: u16, cap: u16) {
        self.frames = Self::cap_frames(buffer_count, cap);
        if self.frames < self.max_outstanding {
            self.reset();
        }
    }

    /// Restarts from one frame, as after a revalidation (`aoecmd_wreset`, aoecmd.c:1612-1617).
    pub fn reset(&mut self) {
        self.max_outstanding = 1;
        self.slow_start_threshold = self.frames / 2;
        self.acks_to_grow = self.frames;
    }

    /// Whether one more frame may go out while `in_flight` are outstanding.
    pub fn can_send(&self, in_flight: u16) -> bool {
        in_flight < self.max_outstanding
    }

    /// Opens the window on a reply; `in_flight` counts the frame this reply completes.
    ///
    /// Above the threshold it grows only while full, as aoe.ko checks `nout == maxout` before
    /// decrementing `nout` (aoecmd.c:1005, 1331-1332).
    pub fn on_ack(&mut self, in_flight: u16) {
        if self.max_outstanding >= self.frames {
            return;
        }
        if self.max_outstanding < self.slow_start_threshold {
            self.max_outstanding += 1;
        } else if in_flight == self.max_outstanding {
            if self.acks_to_grow == 0 {
                self.max_outstanding += 1;
                self.acks_to_grow = self.max_outstanding;
            } else {
                self.acks_to_grow -= 1;
            }
        }
    }

    /// Closes the window on a retransmission timeout (aoecmd.c:801-804).
    ///
    /// The threshold becomes half the window, at least 1, and the window 1; a window already at
    /// 1 keeps its threshold, as in aoe.ko.
    pub fn on_timeout(&mut self) {
        if self.max_outstanding != 1 {
            self.slow_start_threshold = (self.max_outstanding / 2).max(1);
            self.max_outstanding = 1;
        }
    }

    /// The frames allowed in flight now.
    pub fn max_outstanding(&self) -> u16 {
        self.max_outstanding
    }

    /// The cap on the window.
    pub fn frames(&self) -> u16 {
        self.frames
    }

    /// The slow-start threshold.
    pub fn slow_start_threshold(&self) -> u16 {
        self.slow_start_threshold
    }
}
