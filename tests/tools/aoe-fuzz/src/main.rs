// SPDX-License-Identifier: GPL-2.0
//! An AoE response fuzzer that runs on the target's side of the link: it watches the
//! initiator's requests and the target's answers, and sends forged responses that a correct
//! initiator drops without harm to its data.

mod args;
mod forge;
mod sniff;
mod socket;

use std::collections::HashMap;
use std::fs;
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use raoe_logic::wire::{DropReason, ETH_HEADER_LEN};
use tool_common::cli;
use tool_common::rng::Xorshift64;

use args::{Config, USAGE};
use forge::{forge, Input, Kind, Request};
use sniff::{judge, TagState, Tracker, Verdict};
use socket::PacketSocket;

/// The pause while nothing can be sent: before the initiator's first request, which shows
/// the link's addresses, or while the link is full.
const IDLE_WAIT: Duration = Duration::from_millis(10);
/// Attempts at a kind whose material is missing before giving up for this round.
const KIND_ATTEMPTS: usize = 16;

fn main() -> ExitCode {
    let parsed = args::parse(std::env::args().skip(1));
    cli::main("aoe-fuzz", USAGE, parsed, |config| {
        Ok(if run(&config)? {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })
}

/// The counts of one mutation kind.
#[derive(Default)]
struct KindCounts {
    sent: u64,
    live_tag: u64,
    answered_tag: u64,
    /// Shorter than an Ethernet header: the kernel refuses to send it (`dev_validate_header`).
    refused: u64,
}

#[derive(Default)]
struct Stats {
    kinds: HashMap<Kind, KindCounts>,
    /// Indexed by `DropReason::index`.
    reasons: [u64; DropReason::COUNT],
    sent: u64,
    possibly_accepted: u64,
    error_responses: u64,
    /// Frames the send guard stopped; the kinds never build them, so this stays 0.
    withheld: u64,
}

impl Stats {
    fn record(&mut self, kind: Kind, state: TagState, verdict: Verdict) {
        let counts = self.kinds.entry(kind).or_default();
        counts.sent += 1;
        match state {
            TagState::Live(_) => counts.live_tag += 1,
            TagState::Answered(_) => counts.answered_tag += 1,
            TagState::Unknown => {}
        }
        self.sent += 1;
        match verdict {
            Verdict::Dropped(reason) => self.reasons[reason.index()] += 1,
            Verdict::ErrorResponse => self.error_responses += 1,
            Verdict::PossiblyAccepted => self.possibly_accepted += 1,
            Verdict::Indistinguishable => unreachable!("the guard withholds these"),
        }
    }

    fn print(&self, seconds: f64) {
        let mut totals = KindCounts::default();
        for kind in Kind::ALL {
            let counts = self.kinds.get(&kind);
            let count = |field: fn(&KindCounts) -> u64| counts.map_or(0, field);
            println!(
                "kind {} sent {} live_tag {} answered_tag {} refused {}",
                kind.name(),
                count(|c| c.sent),
                count(|c| c.live_tag),
                count(|c| c.answered_tag),
                count(|c| c.refused)
            );
            totals.live_tag += count(|c| c.live_tag);
            totals.answered_tag += count(|c| c.answered_tag);
            totals.refused += count(|c| c.refused);
        }
        for reason in DropReason::ALL {
            let count = self.reasons[reason.index()];
            if count > 0 {
                println!("raoe_drop {} {count}", reason.name());
            }
        }
        println!(
            "total sent {} live_tag {} answered_tag {} refused {} withheld {} possibly_accepted {} \
             error_responses {} expected_drops {} seconds {seconds:.1}",
            self.sent,
            totals.live_tag,
            totals.answered_tag,
            totals.refused,
            self.withheld,
            self.possibly_accepted,
            self.error_responses,
            self.reasons.iter().sum::<u64>(),
        );
    }
}

/// The MAC address of `interface`: the target's, as vblade sends from it.
fn interface_mac(interface: &str) -> Result<[u8; 6], String> {
    let path = format!("/sys/class/net/{interface}/address");
    let text = fs::read_to_string(&path).map_err(|err| format!("{path}: {err}"))?;
    let bytes: Vec<u8> = text
        .trim()
        .split(':')
        .map(|byte| u8::from_str_radix(byte, 16))
        .collect::<Result<_, _>>()
        .map_err(|_| format!("{path}: bad address '{}'", text.trim()))?;
    bytes
        .try_into()
        .map_err(|_| format!("{path}: bad address '{}'", text.trim()))
}

/// Picks a kind and its material and forges a frame; `None` while nothing fits yet.
fn next_frame(
    config: &Config,
    tracker: &mut Tracker,
    now_ms: u64,
    rng: &mut Xorshift64,
) -> Option<(Kind, Vec<u8>)> {
    let link = tracker.link()?;
    // In full mode every request is attacked once, racing the target's answer.
    let fresh = if config.live_tags {
        tracker.take_fresh()
    } else {
        None
    };
    let tracker = &*tracker;
    let settled = tracker.pick_settled(now_ms, config.settle_ms, rng);
    for _ in 0..KIND_ATTEMPTS {
        let (kind, victim): (Kind, Option<&Request>) = match &fresh {
            Some(request) => {
                let stealing: Vec<Kind> = Kind::STEALING
                    .into_iter()
                    .filter(|kind| kind.applies_to(request))
                    .collect();
                (stealing[rng.below(stealing.len())], Some(request))
            }
            None => {
                let kind = Kind::ALL[rng.below(Kind::ALL.len())];
                let live = if config.live_tags && Kind::STEALING.contains(&kind) {
                    tracker.pick_live(rng)
                } else {
                    None
                };
                (kind, live.or(settled.map(|answered| &answered.request)))
            }
        };
        let input = Input {
            link,
            victim: victim.filter(|_| kind.answers_request()),
            old_reply: settled.map(|answered| answered.reply.as_slice()),
            config_reply: tracker.config_reply(),
            unused_tag: tracker.unused_tag(rng),
        };
        if let Some(frame) = forge(kind, &input, rng) {
            return Some((kind, frame));
        }
    }
    None
}

/// Sends forged frames until `config.frames` went out; false if it gave up first.
fn run(config: &Config) -> Result<bool, String> {
    let mut socket = PacketSocket::open(&config.interface)?;
    let target = interface_mac(&config.interface)?;
    let mut tracker = Tracker::default();
    let mut rng = Xorshift64::new(config.seed);
    let mut stats = Stats::default();
    let start = Instant::now();
    let deadline = Duration::from_secs(config.max_seconds);
    println!(
        "aoe-fuzz: interface {}, mode {}, seed {}, settle {} ms, {} frames",
        config.interface,
        if config.live_tags {
            "full"
        } else {
            "no-live-tags"
        },
        config.seed,
        config.settle_ms,
        config.frames
    );
    while stats.sent < config.frames && start.elapsed() < deadline {
        let now_ms = start.elapsed().as_millis() as u64;
        socket.receive_each(|frame| tracker.observe(frame, &target, now_ms));
        tracker.expire(now_ms);
        let Some((kind, frame)) = next_frame(config, &mut tracker, now_ms, &mut rng) else {
            thread::sleep(IDLE_WAIT);
            continue;
        };
        let state = tracker.frame_tag_state(&frame);
        let verdict = judge(&frame, state);
        // The last line of defence of the rule in forge.rs, and of --no-live-tags.
        if verdict == Verdict::Indistinguishable
            || (!config.live_tags && matches!(state, TagState::Live(_)))
        {
            stats.withheld += 1;
            continue;
        }
        match socket.send(&frame) {
            Ok(()) => stats.record(kind, state, verdict),
            Err(err)
                if frame.len() < ETH_HEADER_LEN && err.raw_os_error() == Some(libc::EINVAL) =>
            {
                stats.kinds.entry(kind).or_default().refused += 1;
            }
            // The link is full: let it drain.
            Err(err) if err.raw_os_error() == Some(libc::ENOBUFS) => thread::sleep(IDLE_WAIT),
            Err(err) => {
                return Err(format!(
                    "send ({} bytes): {}",
                    frame.len(),
                    tool_common::os_error::describe(&err)
                ))
            }
        }
    }
    stats.print(start.elapsed().as_secs_f64());
    if stats.sent < config.frames {
        println!(
            "aoe-fuzz: gave up after {} s with {} of {} frames sent",
            config.max_seconds, stats.sent, config.frames
        );
    }
    Ok(stats.sent >= config.frames)
}
