// SPDX-License-Identifier: GPL-2.0
//! What the fuzzer learns from the link: the initiator's requests still in flight, the
//! target's answers, its config response; and how raoe will treat a forged frame. Pure: the
//! caller passes every frame and the time.

use std::collections::{HashMap, VecDeque};

use raoe_logic::wire::{
    check_ata_reply, parse_response, DropReason, Response, SentAta, ETH_P_AOE, FLAG_RESPONSE,
    TAG_RESERVED_BIT,
};
use tool_common::rng::Xorshift64;

use crate::forge::{tag_of, Link, Request};

/// A request unanswered for this long is forgotten: the initiator has resent it under a new
/// tag long before.
const LIVE_EXPIRY_MS: u64 = 10_000;
/// How many answered requests are kept for late copies.
const ANSWERED_KEPT: usize = 1024;
/// How many requests wait to be attacked; older ones are answered by then.
const FRESH_KEPT: usize = 64;

/// A request and the target's good answer to it.
pub struct Answered {
    pub request: Request,
    pub reply: Vec<u8>,
    pub at_ms: u64,
}

/// Where a tag stands, as far as the fuzzer saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagState {
    /// A request with this tag is in flight.
    Live(SentAta),
    /// The target answered the request with this tag.
    Answered(SentAta),
    /// No request the fuzzer saw carries this tag.
    Unknown,
}

/// How raoe's checks (its own `wire.rs`) treat a forged frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Dropped for this reason.
    Dropped(DropReason),
    /// A response with the error flag, which `DropReason` has no counter for.
    ErrorResponse,
    /// Well formed, and its tag is one the target already answered: only the initiator's
    /// record of answered tags tells it from a real answer.
    PossiblyAccepted,
    /// A live tag with a valid reply: the target's own answer to every initiator. Never sent.
    Indistinguishable,
}

/// Judges a frame about to be sent, given where its tag stands.
pub fn judge(frame: &[u8], tag_state: TagState) -> Verdict {
    let reply = match parse_response(frame) {
        Err(reason) => return Verdict::Dropped(reason),
        Ok(Response::Error { .. }) => return Verdict::ErrorResponse,
        // Config responses are not matched by tag; only ConfigBadLength builds them, and
        // those the parser rejects.
        Ok(Response::Config(_)) => return Verdict::PossiblyAccepted,
        Ok(Response::Ata(reply)) => reply,
    };
    match tag_state {
        TagState::Unknown => Verdict::Dropped(DropReason::UnsolicitedTag),
        TagState::Live(sent) => match check_ata_reply(&reply, &sent) {
            Ok(()) => Verdict::Indistinguishable,
            Err(reason) => Verdict::Dropped(reason),
        },
        TagState::Answered(sent) => match check_ata_reply(&reply, &sent) {
            Ok(()) => Verdict::PossiblyAccepted,
            Err(_) => Verdict::Dropped(DropReason::UnsolicitedTag),
        },
    }
}

/// The link's traffic as seen from the target's side.
#[derive(Default)]
pub struct Tracker {
    link: Option<Link>,
    live: HashMap<u32, (Request, u64)>,
    /// Tags of requests seen but not yet attacked, oldest first.
    fresh: VecDeque<u32>,
    /// Oldest first.
    answered: VecDeque<Answered>,
    /// The tags of `answered`, and how many of its entries carry each.
    answered_tags: HashMap<u32, (SentAta, usize)>,
    config_reply: Option<Vec<u8>>,
}

impl Tracker {
    /// Takes one frame seen on the target's interface at `now_ms`. `target` is that
    /// interface's MAC address: frames from it are the target's, all others the initiator's.
    pub fn observe(&mut self, frame: &[u8], target: &[u8; 6], now_ms: u64) {
        if frame.get(12..14) != Some(&ETH_P_AOE.to_be_bytes()[..]) {
            return;
        }
        let from_target = frame.get(6..12) == Some(&target[..]);
        let is_response = frame
            .get(14)
            .is_some_and(|flags| flags & FLAG_RESPONSE != 0);
        match (from_target, is_response) {
            (false, false) => self.observe_request(frame, now_ms),
            (true, true) => self.observe_response(frame, now_ms),
            _ => {}
        }
    }

    fn observe_request(&mut self, frame: &[u8], now_ms: u64) {
        let Some(request) = Request::parse(frame) else {
            return;
        };
        self.link.get_or_insert(request.link());
        let tag = request.tag();
        self.live.insert(tag, (request, now_ms));
        if self.fresh.len() == FRESH_KEPT {
            self.fresh.pop_front();
        }
        self.fresh.push_back(tag);
    }

    fn observe_response(&mut self, frame: &[u8], now_ms: u64) {
        let reply = match parse_response(frame) {
            Ok(Response::Config(_)) => {
                self.config_reply = Some(frame.to_vec());
                return;
            }
            Ok(Response::Ata(reply)) => reply,
            _ => return,
        };
        let tag = reply.header.tag;
        // Only a good answer counts: a frame that fails the checks answers nothing.
        let good = self
            .live
            .get(&tag)
            .is_some_and(|(request, _)| check_ata_reply(&reply, &request.sent).is_ok());
        if !good {
            return;
        }
        if let Some((request, _)) = self.live.remove(&tag) {
            if self.answered.len() == ANSWERED_KEPT {
                self.forget_oldest_answer();
            }
            self.answered_tags
                .entry(tag)
                .and_modify(|(sent, count)| {
                    *sent = request.sent;
                    *count += 1;
                })
                .or_insert((request.sent, 1));
            self.answered.push_back(Answered {
                request,
                reply: frame.to_vec(),
                at_ms: now_ms,
            });
        }
    }

    fn forget_oldest_answer(&mut self) {
        let Some(oldest) = self.answered.pop_front() else {
            return;
        };
        let tag = oldest.request.tag();
        if let Some((_, count)) = self.answered_tags.get_mut(&tag) {
            *count -= 1;
            if *count == 0 {
                self.answered_tags.remove(&tag);
            }
        }
    }

    /// Forgets requests unanswered for too long.
    pub fn expire(&mut self, now_ms: u64) {
        self.live
            .retain(|_, (_, seen)| now_ms.saturating_sub(*seen) < LIVE_EXPIRY_MS);
    }

    /// The link, once a request has shown it.
    pub fn link(&self) -> Option<Link> {
        self.link
    }

    pub fn config_reply(&self) -> Option<&[u8]> {
        self.config_reply.as_deref()
    }

    /// The oldest request not attacked yet that is still in flight.
    pub fn take_fresh(&mut self) -> Option<Request> {
        while let Some(tag) = self.fresh.pop_front() {
            if let Some((request, _)) = self.live.get(&tag) {
                return Some(request.clone());
            }
        }
        None
    }

    /// A random request in flight.
    pub fn pick_live(&self, rng: &mut Xorshift64) -> Option<&Request> {
        let count = self.live.len();
        if count == 0 {
            return None;
        }
        self.live
            .values()
            .nth(rng.below(count))
            .map(|(request, _)| request)
    }

    /// A random answer given at least `settle_ms` before `now_ms`, whose tag is not in
    /// flight again: the initiator has taken it, and a copy is late.
    pub fn pick_settled(
        &self,
        now_ms: u64,
        settle_ms: u64,
        rng: &mut Xorshift64,
    ) -> Option<&Answered> {
        let settled = self
            .answered
            .partition_point(|answered| answered.at_ms.saturating_add(settle_ms) <= now_ms);
        if settled == 0 {
            return None;
        }
        let answered = &self.answered[rng.below(settled)];
        (!self.live.contains_key(&answered.request.tag())).then_some(answered)
    }

    /// A random tag, bit 31 clear, that no request seen carries.
    pub fn unused_tag(&self, rng: &mut Xorshift64) -> u32 {
        loop {
            let tag = rng.next_u64() as u32 & !TAG_RESERVED_BIT;
            if self.tag_state(tag) == TagState::Unknown {
                return tag;
            }
        }
    }

    pub fn tag_state(&self, tag: u32) -> TagState {
        if let Some((request, _)) = self.live.get(&tag) {
            return TagState::Live(request.sent);
        }
        self.answered_tags
            .get(&tag)
            .map_or(TagState::Unknown, |&(sent, _)| TagState::Answered(sent))
    }

    /// Where the tag of `frame` stands; a frame too short for a tag has none.
    pub fn frame_tag_state(&self, frame: &[u8]) -> TagState {
        tag_of(frame).map_or(TagState::Unknown, |tag| self.tag_state(tag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forge::reply;

    const TARGET: [u8; 6] = [0x02, 0, 0, 0, 0, 2];

    fn link() -> Link {
        Link {
            initiator: [0x02, 0, 0, 0, 0, 1],
            target: TARGET,
            shelf: 0,
            slot: 1,
        }
    }

    fn read_request(tag: u32) -> Vec<u8> {
        Request::invented(&link(), tag).head.to_vec()
    }

    /// The target's good answer to `request`.
    fn answer(request: &[u8]) -> Vec<u8> {
        let request = Request::parse(request).unwrap();
        reply(
            &request,
            request.sent.reply_data_len(),
            &mut Xorshift64::new(1),
        )
    }

    #[test]
    fn requests_go_live_and_good_answers_settle() {
        let mut tracker = Tracker::default();
        let mut rng = Xorshift64::new(1);
        tracker.observe(&read_request(7), &TARGET, 0);
        assert_eq!(tracker.link(), Some(link()));
        assert!(matches!(tracker.tag_state(7), TagState::Live(_)));
        assert_eq!(tracker.take_fresh().map(|r| r.tag()), Some(7));
        assert!(tracker.take_fresh().is_none());

        // A bad answer (wrong version) does not answer the request.
        let mut bad = answer(&read_request(7));
        bad[14] = 0x28;
        tracker.observe(&bad, &TARGET, 5);
        assert!(matches!(tracker.tag_state(7), TagState::Live(_)));

        tracker.observe(&answer(&read_request(7)), &TARGET, 10);
        assert!(matches!(tracker.tag_state(7), TagState::Answered(_)));
        assert!(tracker.pick_live(&mut rng).is_none());
        assert!(tracker.pick_settled(500, 1000, &mut rng).is_none());
        let settled = tracker.pick_settled(1010, 1000, &mut rng).unwrap();
        assert_eq!(settled.reply, answer(&read_request(7)));

        // The same tag in flight again is not late any more.
        tracker.observe(&read_request(7), &TARGET, 1020);
        assert!(tracker.pick_settled(2000, 1000, &mut rng).is_none());
    }

    #[test]
    fn only_the_latest_answers_are_kept() {
        let mut tracker = Tracker::default();
        for tag in 0..=ANSWERED_KEPT as u32 {
            tracker.observe(&read_request(tag), &TARGET, 0);
            tracker.observe(&answer(&read_request(tag)), &TARGET, 0);
        }
        assert_eq!(tracker.tag_state(0), TagState::Unknown);
        assert!(matches!(tracker.tag_state(1), TagState::Answered(_)));
        // A tag answered twice stays answered while either answer is kept.
        tracker.observe(&read_request(1), &TARGET, 0);
        tracker.observe(&answer(&read_request(1)), &TARGET, 0);
        tracker.observe(&read_request(5000), &TARGET, 0);
        tracker.observe(&answer(&read_request(5000)), &TARGET, 0);
        assert!(matches!(tracker.tag_state(1), TagState::Answered(_)));
    }

    #[test]
    fn unanswered_requests_expire() {
        let mut tracker = Tracker::default();
        tracker.observe(&read_request(7), &TARGET, 0);
        tracker.expire(LIVE_EXPIRY_MS - 1);
        assert!(matches!(tracker.tag_state(7), TagState::Live(_)));
        tracker.expire(LIVE_EXPIRY_MS);
        assert_eq!(tracker.tag_state(7), TagState::Unknown);
        assert!(tracker.take_fresh().is_none());
    }

    #[test]
    fn frames_from_the_wrong_side_are_ignored() {
        let mut tracker = Tracker::default();
        // A request from the target's address, and a response from the initiator's.
        let mut request = read_request(7);
        request[6..12].copy_from_slice(&TARGET);
        tracker.observe(&request, &TARGET, 0);
        let mut response = answer(&read_request(8));
        response[6..12].copy_from_slice(&[9; 6]);
        tracker.observe(&read_request(8), &TARGET, 0);
        tracker.observe(&response, &TARGET, 0);
        assert_eq!(tracker.tag_state(7), TagState::Unknown);
        assert!(matches!(tracker.tag_state(8), TagState::Live(_)));
    }

    #[test]
    fn unused_tags_are_unknown_and_leave_bit_31_clear() {
        let mut tracker = Tracker::default();
        tracker.observe(&read_request(7), &TARGET, 0);
        let mut rng = Xorshift64::new(2);
        for _ in 0..1000 {
            let tag = tracker.unused_tag(&mut rng);
            assert_eq!(tag >> 31, 0);
            assert_ne!(tag, 7);
        }
    }

    #[test]
    fn verdicts() {
        let request = read_request(7);
        let sent = Request::parse(&request).unwrap().sent;
        let good = answer(&request);
        assert_eq!(
            judge(&good, TagState::Live(sent)),
            Verdict::Indistinguishable
        );
        assert_eq!(
            judge(&good, TagState::Answered(sent)),
            Verdict::PossiblyAccepted
        );
        assert_eq!(
            judge(&good, TagState::Unknown),
            Verdict::Dropped(DropReason::UnsolicitedTag)
        );
        let short = &good[..60];
        assert_eq!(
            judge(short, TagState::Live(sent)),
            Verdict::Dropped(DropReason::ShortData)
        );
        assert_eq!(
            judge(short, TagState::Answered(sent)),
            Verdict::Dropped(DropReason::UnsolicitedTag)
        );
        assert_eq!(
            judge(&good[..20], TagState::Unknown),
            Verdict::Dropped(DropReason::TooShort)
        );
        let mut error = good.clone();
        error[14] |= 0x04;
        assert_eq!(judge(&error, TagState::Live(sent)), Verdict::ErrorResponse);
    }
}
