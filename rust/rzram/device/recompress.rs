// SPDX-License-Identifier: GPL-2.0

//! Recompression: stored pages compressed again by a secondary algorithm, with zram's
//! attributes and semantics (zram_drv.c:1842-1900 `recomp_algorithm`, 2387-2680
//! `recompress`).
//!
//! A page is decompressed into its stream's private page (checked against its CRC in integrity
//! mode) and compressed from there, all under its slot's lock: the page compressed is the page
//! stored, which nobody can change meanwhile. The new object replaces the old one only if it
//! falls in a smaller zsmalloc size class (and under the threshold, if one is given); a page
//! that even the last algorithm cannot shrink is marked incompressible. Each page keeps the
//! priority of the algorithm that compressed it, whose streams decompress it.

use super::{
    priority_index,
    priority_of,
    Kind,
    Store,
    Zram,
    GEOMETRY,
    MAX_COMPS,
    SECONDARY, //
};
use crate::{
    logic::placement::Placement,
    logic::sysfs_text::RecompressRequest, //
};
use kernel::{
    prelude::*,
    sync::atomic::Relaxed, //
};

impl Zram {
    /// Recompresses the pages a write to `recompress` asks for. `EINVAL` if uninitialised, if
    /// the threshold is not below the huge class size, if the priority is out of range or
    /// has no algorithm, or if `algo` names none (at the priority given, or among the
    /// secondary ones); then, having recompressed what it could, the error that stopped it
    /// (no memory for a new object).
    pub(crate) fn recompress(&self, request: &RecompressRequest<'_>) -> Result {
        let store = self.store().ok_or(EINVAL)?;
        if request.threshold as usize >= store.huge_class_size {
            return Err(EINVAL);
        }
        let priority = match (request.priority, request.algo) {
            (Some(priority), algo) => {
                let priority = priority_index(priority, SECONDARY)?;
                if algo.is_some_and(|algo| {
                    store.algorithms[priority].is_none_or(|at| at.name() != algo)
                }) {
                    return Err(EINVAL);
                }
                priority
            }
            (None, Some(algo)) => priority_of(&store.algorithms, algo, SECONDARY).ok_or(EINVAL)?,
            (None, None) => SECONDARY,
        };
        if store.algorithms[priority].is_none() {
            return Err(EINVAL);
        }
        // The last algorithm: a page it cannot shrink is incompressible.
        let last = (priority..MAX_COMPS)
            .rev()
            .find(|&p| store.algorithms[p].is_some())
            .unwrap_or(priority);
        // One post-processing at a time, as zram's writeback and recompression.
        let _post_processing = self.post_processing.lock();
        let mut budget = request.max_pages.unwrap_or(u64::MAX);
        for index in 0..store.pages {
            if budget == 0 {
                break;
            }
            self.recompress_page(
                &store,
                index,
                request,
                priority,
                priority == last,
                &mut budget,
            )?;
        }
        Ok(())
    }

    /// Recompresses page `index` with the algorithm of `priority` if the request takes it;
    /// counts a page tried against `budget`.
    fn recompress_page(
        &self,
        store: &Store,
        index: u64,
        request: &RecompressRequest<'_>,
        priority: usize,
        last: bool,
        budget: &mut u64,
    ) -> Result {
        // The stream before the slot, as everywhere.
        let mut stream = store.stream()?;
        let stream = &mut *stream;
        let slot = store.slot(index)?;
        let meta = slot.meta();
        let mut state = meta.state();
        // Only pages in the pool (not same-filled, not written back), not yet compressed by
        // this algorithm or a later one, and not already found incompressible.
        if !matches!(state.kind, Kind::Compressed | Kind::Huge)
            || state.incompressible
            || usize::from(state.priority) >= priority
            || !request.mode.takes(state.kind.huge(), state.idle)
        {
            return Ok(());
        }
        // Objects already small enough stay (not counted as tried).
        if state.size < request.threshold {
            return Ok(());
        }
        let size = usize::try_from(state.size)?;
        let page = &mut stream.page[..];
        if state.kind == Kind::Huge {
            slot.read(size, &mut stream.local_copy, |data| {
                page.copy_from_slice(data)
            })
            .ok_or(EIO)?;
        } else {
            let compressor = stream.compressors.of(state.priority)?;
            slot.read(size, &mut stream.local_copy, |data| {
                compressor.decompress(data, page)
            })
            .ok_or(EIO)??;
        }
        let checksum = meta.checksum.load(Relaxed);
        // Never recompress a page that is not the one stored: it stays as it is, and its next
        // read fails.
        if store.integrity && !self.page_matches(&stream.page, checksum, index, "not recompressed")
        {
            return Ok(());
        }
        // As zram: a page recompression looked at is not idle any more.
        state.idle = false;
        meta.set_state(state);
        let len = stream
            .compressors
            .of(u8::try_from(priority)?)?
            .compress(&stream.page, &mut stream.out)?;
        *budget = budget.saturating_sub(1);
        let pool = store.table.pool();
        let smaller = match GEOMETRY.placement(len, store.huge_class_size) {
            Placement::Compressed(len) => {
                pool.class_index(u32::try_from(len)?) < pool.class_index(state.size)
                    && (request.threshold == 0 || len < request.threshold as usize)
            }
            Placement::Raw => false,
        };
        if !smaller {
            if last {
                state.incompressible = true;
                meta.set_state(state);
            }
            return Ok(());
        }
        // A failed allocation leaves the old object in place.
        let mut object = pool.alloc(len)?;
        object.write(stream.out.get(..len).ok_or(EIO)?)?;
        let access_time = meta.access_time.load(Relaxed);
        self.release(store, &slot);
        slot.replace(Some(object));
        meta.set(Kind::Compressed, u32::try_from(len)?, 0, checksum);
        let mut state = meta.state();
        state.priority = u8::try_from(priority)?;
        meta.set_state(state);
        // Recompression is no access.
        meta.access_time.store(access_time, Relaxed);
        self.stats.compr_data_size.add(len as u64, Relaxed);
        self.stats.pages_stored.add(1, Relaxed);
        Ok(())
    }
}
