// SPDX-License-Identifier: GPL-2.0

//! Writeback: stored pages moved to the backing device, with zram's attributes and semantics
//! (zram_drv.c:536-1340): `backing_dev`, `writeback`, `bd_stat`, `writeback_limit`,
//! `writeback_limit_enable`, `writeback_batch_size`, `compressed_writeback`.
//!
//! Stable writes hold across writeback: under its slot's lock, a page is copied into a buffer
//! of the writeback (decompressed, or its object as it is with `compressed_writeback`) and
//! marked selected, and the block is written from that copy, which nobody else can reach.
//! Storing or freeing the page meanwhile clears the mark; the block written is then freed
//! rather than put in the page's place, so a page changed during its writeback keeps its new
//! contents. A write that fails leaves the page where it was.

use super::{
    BackingBlocks,
    Kind,
    Store,
    Zram, //
};
use crate::{
    logic::sysfs_text::{
        parse_writeback,
        TextError,
        WritebackMode, //
    },
    sys::backing::{
        Backing,
        BlockBuffer,
        BlockWrite, //
    },
};
use kernel::{
    alloc::kvec::PushError,
    page::PAGE_SIZE,
    prelude::*,
    str::CString,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
};

/// zram's ABI counts `bd_stat` and `writeback_limit` in 4 KiB units, whatever the page size.
const ABI_UNIT: usize = 4096;

const _: () = assert!(PAGE_SIZE % ABI_UNIT == 0);

/// The units of one page.
const UNITS_PER_PAGE: u64 = (PAGE_SIZE / ABI_UNIT) as u64;

/// Pages in flight at once, unless `writeback_batch_size` says otherwise (zram's default).
const DEFAULT_BATCH_SIZE: u32 = 32;

/// The writeback settings (zram's `wb_limit_enable`, `bd_wb_limit`, `wb_batch_size`).
pub(crate) struct WritebackSettings {
    limit_enabled: bool,
    /// What writeback may still write while the limit is enabled, in [`ABI_UNIT`]s.
    limit: u64,
    batch_size: u32,
}

impl WritebackSettings {
    pub(super) fn new() -> Self {
        Self {
            limit_enabled: false,
            limit: 0,
            batch_size: DEFAULT_BATCH_SIZE,
        }
    }

    /// Whether the limit stops the writeback before another page.
    fn limit_reached(&self) -> bool {
        self.limit_enabled && self.limit == 0
    }

    /// Counts a page sent (zram's `zram_account_writeback_submit`).
    fn sent(&mut self) {
        if self.limit_enabled {
            self.limit = self.limit.saturating_sub(UNITS_PER_PAGE);
        }
    }

    /// Gives back the page of a failed write (zram's `zram_account_writeback_rollback`).
    fn failed(&mut self) {
        if self.limit_enabled {
            self.limit = self.limit.saturating_add(UNITS_PER_PAGE);
        }
    }
}

/// A page copied for writeback, and the block reserved for it.
struct Copied {
    index: u64,
    block: u64,
}

/// What became of a page the writeback looked at.
enum Looked {
    /// Copied into the buffer, the slot marked selected.
    Copied(u64),
    /// Not one the writeback takes.
    Skipped,
    /// The backing device has no free block.
    Full,
}

impl Zram {
    /// Opens the block device at `path` (one trailing newline ignored) as the backing device
    /// of the next initialisation, in place of the one set before; `EBUSY` once initialised,
    /// and the errors of [`Backing::open`]. An error changes nothing.
    pub(crate) fn set_backing_dev(&self, path: &str) -> Result {
        let path = path.strip_suffix('\n').unwrap_or(path);
        let path = CString::try_from_fmt(fmt!("{path}"))?;
        self.configure(|config| {
            config.backing = Some(Arc::new(Backing::open(&path)?, GFP_KERNEL)?);
            Ok(())
        })
    }

    /// Writes `backing_dev`: the device's path, or `none`.
    pub(crate) fn write_backing_dev(&self, buf: &mut [u8]) -> Result<usize> {
        match &self.config.lock().backing {
            Some(backing) => backing.write_path(buf),
            None => {
                let none = b"none\n";
                buf.get_mut(..none.len())
                    .ok_or(EINVAL)?
                    .copy_from_slice(none);
                Ok(none.len())
            }
        }
    }

    /// The three `bd_stat` fields, in 4 KiB units: blocks in use, pages read back, pages
    /// written.
    pub(crate) fn bd_stat(&self) -> [u64; 3] {
        let used = self
            .store()
            .and_then(|store| Some(store.backing.as_ref()?.blocks.lock().used()))
            .unwrap_or(0);
        let stats = &self.stats;
        [
            used,
            stats.backing_reads.load(Relaxed),
            stats.backing_writes.load(Relaxed),
        ]
        .map(|pages| pages * UNITS_PER_PAGE)
    }

    /// `compressed_writeback`.
    pub(crate) fn compressed_writeback(&self) -> bool {
        self.compressed_writeback.load(Relaxed)
    }

    /// Sets `compressed_writeback`; `EBUSY` once initialised.
    pub(crate) fn set_compressed_writeback(&self, compressed: bool) -> Result {
        self.configure(|_| {
            self.compressed_writeback.store(compressed, Relaxed);
            Ok(())
        })
    }

    /// `writeback_limit_enable`.
    pub(crate) fn writeback_limit_enabled(&self) -> bool {
        self.post_processing.lock().limit_enabled
    }

    /// Turns the limit on or off.
    pub(crate) fn set_writeback_limit_enabled(&self, enabled: bool) {
        self.post_processing.lock().limit_enabled = enabled;
    }

    /// `writeback_limit`, in 4 KiB units.
    pub(crate) fn writeback_limit(&self) -> u64 {
        self.post_processing.lock().limit
    }

    /// Sets `writeback_limit`, rounded down to whole pages as zram does.
    pub(crate) fn set_writeback_limit(&self, units: u64) {
        self.post_processing.lock().limit = units / UNITS_PER_PAGE * UNITS_PER_PAGE;
    }

    /// `writeback_batch_size`.
    pub(crate) fn writeback_batch_size(&self) -> u32 {
        self.post_processing.lock().batch_size
    }

    /// Sets `writeback_batch_size`; `EINVAL` for 0.
    pub(crate) fn set_writeback_batch_size(&self, pages: u32) -> Result {
        if pages == 0 {
            return Err(EINVAL);
        }
        self.post_processing.lock().batch_size = pages;
        Ok(())
    }

    /// Writes back the pages a write to `writeback` asks for (see [`parse_writeback`]), in
    /// batches of `writeback_batch_size`. `EINVAL` if uninitialised or malformed (nothing is
    /// written), `ERANGE` for a page beyond the device, `ENODEV` without a backing device;
    /// then, having written what it could: `ENOSPC` when the backing device is full, `EIO`
    /// when the limit is reached, and the error of the last write or copy that failed.
    pub(crate) fn writeback(&self, text: &str) -> Result {
        let store = self.store().ok_or(EINVAL)?;
        let backing = store.backing.as_ref().ok_or(ENODEV)?;
        let mut scans = KVec::new();
        let mut pushed = Ok(());
        parse_writeback(text, store.pages, |scan| {
            if pushed.is_ok() {
                pushed = scans.push(scan, GFP_KERNEL);
            }
        })
        .map_err(|err| match err {
            TextError::Invalid => EINVAL,
            TextError::OutOfRange => ERANGE,
        })?;
        pushed?;
        let mut settings = self.post_processing.lock();
        let compressed = self.compressed_writeback();
        // As zram: as many buffers as the batch size asks and memory allows, at least one.
        let mut buffers = KVec::new();
        while buffers.len() < settings.batch_size as usize {
            match BlockBuffer::new() {
                Ok(buffer) => buffers.push(buffer, GFP_KERNEL)?,
                Err(_) if !buffers.is_empty() => break,
                Err(err) => return Err(err),
            }
        }
        let mut batch = KVec::with_capacity(buffers.len(), GFP_KERNEL)?;
        let mut result = Ok(());
        'scans: for scan in &scans {
            for index in scan.first..scan.end {
                if settings.limit_reached() {
                    result = Err(EIO);
                    break 'scans;
                }
                // The batch is written whenever it has a page per buffer: one is free.
                let Some(buffer) = buffers.get_mut(batch.len()) else {
                    result = Err(EINVAL);
                    break 'scans;
                };
                match self.look(&store, backing, index, scan.mode, compressed, buffer) {
                    Ok(Looked::Copied(block)) => {
                        settings.sent();
                        // Room for a page per buffer was made with the batch.
                        if let Err(PushError(copied)) =
                            batch.push_within_capacity(Copied { index, block })
                        {
                            self.abandon(&store, backing, &copied);
                            result = Err(ENOMEM);
                        }
                    }
                    Ok(Looked::Skipped) => {}
                    Ok(Looked::Full) => {
                        result = Err(ENOSPC);
                        break 'scans;
                    }
                    Err(err) => result = Err(err),
                }
                if batch.len() == buffers.len() {
                    if let Err(err) = self.write_batch(
                        &store,
                        backing,
                        &mut settings,
                        &batch,
                        &buffers,
                        compressed,
                    ) {
                        result = Err(err);
                    }
                    batch.clear();
                }
            }
        }
        if let Err(err) =
            self.write_batch(&store, backing, &mut settings, &batch, &buffers, compressed)
        {
            result = Err(err);
        }
        result
    }

    /// Copies page `index` into `buffer` if the writeback takes it, reserves a block for it
    /// and marks it selected.
    fn look(
        &self,
        store: &Store,
        backing: &BackingBlocks,
        index: u64,
        mode: WritebackMode,
        compressed: bool,
        buffer: &mut BlockBuffer,
    ) -> Result<Looked> {
        // The stream before the slot, as everywhere.
        let mut stream = store.stream()?;
        let slot = store.slot(index)?;
        let meta = slot.meta();
        let mut state = meta.state();
        if state.selected
            || state.kind.after_writeback(compressed).is_none()
            || !mode.takes(state.kind.huge(), state.idle, state.incompressible)
        {
            return Ok(Looked::Skipped);
        }
        let Some(block) = backing.blocks.lock().reserve() else {
            return Ok(Looked::Full);
        };
        let size = usize::try_from(state.size)?;
        let stream = &mut *stream;
        let copied = if compressed || state.kind == Kind::Huge {
            slot.read(size, &mut stream.local_copy, |data| {
                let (object, rest) = buffer.split_at_mut_checked(data.len()).ok_or(EIO)?;
                object.copy_from_slice(data);
                rest.fill(0);
                Ok(())
            })
            .ok_or(EIO)
            .and_then(|copied| copied)
        } else {
            slot.read(size, &mut stream.local_copy, |data| {
                stream
                    .compressors
                    .of(state.priority)?
                    .decompress(data, &mut buffer[..])
            })
            .ok_or(EIO)
            .and_then(|decompressed| decompressed)
        };
        // The page written back whole must be the page stored: check it before it leaves.
        let checked = copied.and_then(|()| {
            if store.integrity
                && !compressed
                && !self.page_matches(
                    buffer,
                    meta.checksum.load(Relaxed),
                    index,
                    "not written back",
                )
            {
                return Err(EIO);
            }
            Ok(())
        });
        if let Err(err) = checked {
            backing.release(block);
            return Err(err);
        }
        state.selected = true;
        meta.set_state(state);
        Ok(Looked::Copied(block))
    }

    /// Writes the pages of `batch` from `buffers` and puts each block written in its page's
    /// place, unless the page changed meanwhile; returns the error of the last failed write.
    /// Every page of the batch ends unselected, every block not put in place is freed.
    fn write_batch(
        &self,
        store: &Store,
        backing: &BackingBlocks,
        settings: &mut WritebackSettings,
        batch: &[Copied],
        buffers: &[BlockBuffer],
        compressed: bool,
    ) -> Result {
        let writes = Self::send(backing, batch, buffers);
        let mut result = Ok(());
        for (i, copied) in batch.iter().enumerate() {
            let written = match &writes {
                Ok(writes) => writes.get(i).map_or(Err(EIO), BlockWrite::result),
                Err(err) => Err(*err),
            };
            if written.is_ok() {
                self.stats.backing_writes.add(1, Relaxed);
            } else {
                settings.failed();
                result = written;
            }
            if written.is_err() {
                self.abandon(store, backing, copied);
                continue;
            }
            let Ok(slot) = store.slot(copied.index) else {
                backing.release(copied.block);
                continue;
            };
            let meta = slot.meta();
            let mut state = meta.state();
            match (state.selected, state.kind.after_writeback(compressed)) {
                (true, Some(kind)) => {
                    let stats = &self.stats;
                    super::sub(&stats.compr_data_size, state.size.into());
                    if state.kind == Kind::Huge {
                        super::sub(&stats.huge_pages, 1);
                    }
                    slot.replace(None);
                    meta.moved();
                    meta.word.store(copied.block, Relaxed);
                    state.kind = kind;
                    // As zram: a page written back is not idle.
                    state.idle = false;
                    state.selected = false;
                    meta.set_state(state);
                }
                // Stored or freed meanwhile: the page has its new contents.
                _ => backing.release(copied.block),
            }
        }
        result
    }

    /// Gives up the writeback of a copied page: it stays where it is, its block is freed.
    fn abandon(&self, store: &Store, backing: &BackingBlocks, copied: &Copied) {
        backing.release(copied.block);
        if let Ok(slot) = store.slot(copied.index) {
            let meta = slot.meta();
            let mut state = meta.state();
            if state.selected {
                state.selected = false;
                meta.set_state(state);
            }
        }
    }

    /// Writes each page of `batch` from its buffer to its block, all at once.
    fn send<'a>(
        backing: &BackingBlocks,
        batch: &[Copied],
        buffers: &'a [BlockBuffer],
    ) -> Result<KVec<BlockWrite<'a>>> {
        let mut writes = KVec::with_capacity(batch.len(), GFP_KERNEL)?;
        for (copied, buffer) in batch.iter().zip(buffers) {
            writes.push(BlockWrite::new(buffer, copied.block), GFP_KERNEL)?;
        }
        backing.device.write_batch(&mut writes)?;
        Ok(writes)
    }
}
