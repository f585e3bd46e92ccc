// SPDX-License-Identifier: GPL-2.0
//! The work of one forked process: write, verify and rewrite its own memory.
//!
//! With rewriters, page i belongs to rewriter thread (i % (R + 1)) - 1, or to the main
//! thread when i % (R + 1) == 0. Each thread holds its pages as exclusive slices together
//! with their expected generations, so no page is ever read by one thread while another
//! writes it; the rewriters hand their pages back when joined, and only then does the
//! final pass verify every page.

use std::thread;
use std::time::Instant;

use crate::args::Config;
use crate::page::{PageContent, Verifier, PAGE_SIZE};
use crate::region::AnonRegion;
use tool_common::os_error::describe;
use tool_common::rng::{splitmix64, Xorshift64};

pub struct Totals {
    pub verified: u64,
    pub mismatches: u64,
    pub rewrites: u64,
}

struct Page<'m> {
    index: u64,
    generation: u32,
    bytes: &'m mut [u8],
}

impl Page<'_> {
    fn verify(&self, verifier: &mut Verifier) {
        verifier.check(self.index, self.generation, self.bytes);
    }

    fn rewrite(&mut self, content: &PageContent, generation: u32) {
        self.generation = generation;
        content.fill(self.index, generation, self.bytes);
    }
}

pub fn run(proc: u32, region_len: usize, config: &Config) -> Result<Totals, String> {
    let mut region = AnonRegion::new(region_len, config.thp)?;
    let content = PageContent::new(config.seed, proc);
    let owners = config.rewriters + 1;
    let mut main_pages = Vec::new();
    let mut rewriter_pages: Vec<Vec<Page>> = (0..config.rewriters).map(|_| Vec::new()).collect();
    for (index, bytes) in region
        .as_mut_slice()
        .chunks_exact_mut(PAGE_SIZE)
        .enumerate()
    {
        let page = Page {
            index: index as u64,
            generation: 0,
            bytes,
        };
        match (index % owners).checked_sub(1) {
            None => main_pages.push(page),
            Some(rewriter) => rewriter_pages[rewriter].push(page),
        }
    }

    // Pass 1 writes every page, including the rewriters', before any rewriter starts.
    for page in main_pages
        .iter_mut()
        .chain(rewriter_pages.iter_mut().flatten())
    {
        page.rewrite(&content, 1);
    }

    let mut verifier = Verifier::new(&content);
    let mut rewrites = 0;
    let deadline = Instant::now() + config.rewrite_time;
    let mut all_pages = thread::scope(|scope| -> Result<Vec<Page>, String> {
        let mut rewriters = Vec::new();
        for (thread, pages) in rewriter_pages.into_iter().enumerate() {
            let rng_seed =
                splitmix64(config.seed ^ splitmix64((u64::from(proc) << 32) | thread as u64));
            let content = &content;
            let rewriter = thread::Builder::new()
                .name(format!("rewriter-{thread}"))
                .spawn_scoped(scope, move || {
                    rewrite_until(deadline, pages, content, rng_seed)
                })
                .map_err(|err| format!("spawning a rewriter thread failed: {}", describe(&err)))?;
            rewriters.push(rewriter);
        }

        for pass in 2..=config.passes {
            for (position, page) in main_pages.iter_mut().enumerate() {
                page.verify(&mut verifier);
                // Alternate halves between passes, so every page is rewritten over time.
                if position % 2 == pass as usize % 2 {
                    page.rewrite(&content, page.generation + 1);
                }
            }
        }

        let mut all_pages = main_pages;
        for rewriter in rewriters {
            let (pages, counts) = rewriter
                .join()
                .map_err(|_| "a rewriter thread panicked".to_string())?;
            all_pages.extend(pages);
            verifier.verified += counts.verified;
            verifier.mismatches += counts.mismatches;
            rewrites += counts.rewrites;
        }
        Ok(all_pages)
    })?;

    // In address order, so reports come out in page order.
    all_pages.sort_unstable_by_key(|page| page.index);
    for page in &all_pages {
        page.verify(&mut verifier);
    }
    Ok(Totals {
        verified: verifier.verified,
        mismatches: verifier.mismatches,
        rewrites,
    })
}

struct RewriterCounts {
    verified: u64,
    mismatches: u64,
    rewrites: u64,
}

/// Until `deadline`, picks one of its pages at random, verifies it and writes its next
/// generation, so pages are rewritten while the kernel is swapping them out.
fn rewrite_until<'m>(
    deadline: Instant,
    mut pages: Vec<Page<'m>>,
    content: &PageContent,
    rng_seed: u64,
) -> (Vec<Page<'m>>, RewriterCounts) {
    let mut verifier = Verifier::new(content);
    let mut rng = Xorshift64::new(rng_seed);
    let mut rewrites = 0;
    while !pages.is_empty() && Instant::now() < deadline {
        let pick = rng.below(pages.len());
        let page = &mut pages[pick];
        page.verify(&mut verifier);
        page.rewrite(content, page.generation + 1);
        rewrites += 1;
    }
    let counts = RewriterCounts {
        verified: verifier.verified,
        mismatches: verifier.mismatches,
        rewrites,
    };
    (pages, counts)
}
