// SPDX-License-Identifier: GPL-2.0

//! The tick: timed-out frames are resent, a frame unanswered for `aoe_deadsecs` takes the
//! device down, and requests whose pages the stack held too long fail.

use super::{
    requests::Work,
    state::{
        AoeDevice,
        FrameState,
        Inflight, //
    },
    transmit::Round,
};
use crate::{
    logic::path_choice,
    logic::requests::Tracked,
    logic::wire::{
        AtaCommand,
        MacHex, //
    },
};
use kernel::{
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
    time::{
        Delta,
        Instant, //
    },
};

impl AoeDevice {
    /// Resends the frames whose timeout passed, with new tags and to another target when there
    /// is one; takes the device down when a frame waited longer than `dead` (aoecmd.c:733-831);
    /// fails requests whose pages the stack held longer than `dead` after their last answer.
    /// Runs every 100 ms in process context.
    pub(crate) fn tick(this: &Arc<Self>, dead: Delta) {
        let dead_us = u64::try_from(dead.as_micros_ceil()).unwrap_or(0);
        let mut round = Round::new();
        {
            let mut guard = this.inflight.lock();
            let inflight = &mut *guard;
            let now_us = this.now_us();
            let rto_us = i64::from(inflight.rtt.rto_us());
            let mut dead_frame = false;
            for slot in 0..inflight.frames.len() {
                let Some(Some(frame)) = inflight.frames.get(slot).copied() else {
                    continue;
                };
                if frame.sent_at.elapsed().as_micros_ceil() < rto_us {
                    continue;
                }
                if frame.first_sent.elapsed() > dead {
                    dead_frame = true;
                    break;
                }
                this.retransmit(inflight, slot, frame, &mut round);
            }
            if dead_frame {
                this.go_down(inflight, now_us, &mut round.ended);
            }
            let timeouts = inflight.requests.counts().release_timeouts;
            inflight.requests.expire(now_us, dead_us, &mut round.ended);
            let expired = inflight.requests.counts().release_timeouts - timeouts;
            if expired != 0 {
                pr_err!(
                    "e{}.{}: the network stack held the pages of {expired} request(s) for over aoe_deadsecs; failing them\n",
                    this.shelf,
                    this.slot
                );
            }
            this.fill_window(inflight, &mut round);
        }
        this.finish(round);
    }

    /// Resends the timed-out frame in `slot` with a new tag.
    fn retransmit(
        &self,
        inflight: &mut Inflight,
        slot: usize,
        frame: FrameState,
        round: &mut Round,
    ) {
        // The new tag first: the frame's count moves from its old target to its new one only
        // when it is really resent.
        let Some(tag) = inflight.tags.retransmit(slot) else {
            return;
        };
        if let Some(target) = inflight.targets.get_mut(frame.target) {
            target.load.timed_out();
        }
        let target_index = path_choice::pick_for_retransmit(&inflight.targets, frame.target);
        let (Some(tracked), Some(target)) = (
            inflight.requests.get(frame.request),
            inflight.targets.get_mut(target_index),
        ) else {
            return;
        };
        target.load.sent();
        let interface = target.take_interface();
        let mut ata = frame.ata;
        ata.header.tag = tag;
        ata.header.dst = target.mac;
        let ifindex = interface.map_or(frame.ifindex, |interface| {
            ata.header.src = interface.mac;
            interface.ifindex
        });
        self.messages.post(format_args!(
            "retransmit e{}.{} oldtag={:08x} newtag={:08x} s={} d={}\n",
            self.shelf,
            self.slot,
            frame.ata.header.tag,
            tag,
            MacHex(ata.header.src),
            MacHex(ata.header.dst)
        ));
        let carries_pages = tracked.handle().command == AtaCommand::Write;
        let sent = self
            .outgoing(tracked, &ata, ifindex)
            .and_then(|next| Ok(round.out.push(next, GFP_ATOMIC)?));
        // A resend that cannot be built is retried at the next timeout.
        if sent.is_ok() {
            self.counters.retransmits.add(1, Relaxed);
            inflight.requests.resent(frame.request, carries_pages);
        }
        if let Some(Some(entry)) = inflight.frames.get_mut(slot) {
            entry.ata = ata;
            entry.target = target_index;
            entry.ifindex = ifindex;
            entry.sent_at = Instant::now();
        }
    }

    /// Takes the device down: every frame in flight is forgotten and every request fails,
    /// each ending once the stack has released its pages.
    fn go_down(&self, inflight: &mut Inflight, now_us: u64, ended: &mut KVec<Tracked<Work>>) {
        if inflight.up {
            inflight.up = false;
            self.counters.downs.add(1, Relaxed);
            pr_err!(
                "e{}.{}: a frame went unanswered for aoe_deadsecs: device down until revalidated\n",
                self.shelf,
                self.slot
            );
            self.messages.post(format_args!(
                "e{}.{}: device down: frames unanswered for aoe_deadsecs\n",
                self.shelf, self.slot
            ));
        }
        for slot in 0..inflight.frames.len() {
            inflight.drop_frame(slot);
        }
        inflight.backlog.clear();
        inflight.requests.fail_all(now_us, ended);
    }
}
