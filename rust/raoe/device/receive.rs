// SPDX-License-Identifier: GPL-2.0

//! ATA replies: each is checked against the frame its tag names before it completes that
//! frame or gives its request data.

use super::{
    state::AoeDevice,
    transmit::Round, //
};
use crate::logic::wire::{
    self,
    AtaCommand,
    AtaReply,
    DropReason, //
};
use kernel::{
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
};

impl AoeDevice {
    /// Takes the ATA reply to one of this device's frames; softirq context.
    ///
    /// The reply must come from one of the device's targets and pass the checks of the frame
    /// its tag names before it completes that frame: a forged or malformed reply is dropped
    /// and leaves the frame to its real reply.
    pub(crate) fn receive(self: &Arc<Self>, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let result = self.take_reply(reply);
        if result.is_err() {
            self.counters.drops.add(1, Relaxed);
        }
        result
    }

    /// [`AoeDevice::receive`], without the counting.
    fn take_reply(self: &Arc<Self>, reply: &AtaReply<'_>) -> Result<(), DropReason> {
        let mut round = Round::new();
        {
            let mut guard = self.inflight.lock();
            let inflight = &mut *guard;
            let matched = inflight.tags.find(reply.header.tag)?;
            let frame = inflight
                .frames
                .get(matched.slot)
                .copied()
                .flatten()
                .ok_or(DropReason::UnsolicitedTag)?;
            let Some(target_index) = inflight
                .targets
                .iter()
                .position(|target| target.mac == reply.header.src)
            else {
                return Err(DropReason::UnsolicitedTag);
            };
            let checked = wire::check_ata_reply(reply, &frame.ata.sent());
            if matches!(checked, Err(reason) if reason != DropReason::AtaError) {
                return checked;
            }
            inflight.tags.complete(reply.header.tag)?;
            if let Some(entry) = inflight.frames.get_mut(matched.slot) {
                *entry = None;
            }
            if let Some(target) = inflight.targets.get_mut(frame.target) {
                target.load.acked();
            }
            if let Some(target) = inflight.targets.get_mut(target_index) {
                target.load.heard();
            }
            // A late reply to the previous tag says nothing about the current round trip.
            if !matched.previous {
                let rtt_us = frame.sent_at.elapsed().as_micros_ceil();
                inflight
                    .rtt
                    .sample(u32::try_from(rtt_us).unwrap_or(u32::MAX));
            }
            let succeeded = match (checked, inflight.requests.get(frame.request)) {
                (Ok(()), Some(tracked)) => {
                    let work = tracked.handle();
                    match work.command {
                        AtaCommand::Read => work
                            .data_range(&frame.ata)
                            .and_then(|(offset, _)| work.request.copy_in(offset, reply.data))
                            .is_ok(),
                        AtaCommand::Flush => {
                            self.counters.flushes.add(1, Relaxed);
                            true
                        }
                        AtaCommand::Write | AtaCommand::Identify => true,
                    }
                }
                _ => false,
            };
            let now_us = self.now_us();
            inflight.requests.frame_ended(frame.request, succeeded);
            inflight
                .requests
                .end_if_done(frame.request, now_us, &mut round.ended);
            self.fill_window(inflight, &mut round);
        }
        if reply.status & wire::ATA_STATUS_FAILED != 0 {
            self.counters.ata_errors.add(1, Relaxed);
            self.messages.post(format_args!(
                "e{}.{}: ATA error: status {:#04x}, error {:#04x}, sector {}\n",
                self.shelf, self.slot, reply.status, reply.error, reply.lba
            ));
        }
        self.finish(round);
        Ok(())
    }
}
