// SPDX-License-Identifier: GPL-2.0

//! One rzram device: its configuration, its pages (the slot table in a zsmalloc pool), the
//! compression streams, the statistics, and the data path.
//!
//! Locking: `config` serialises initialisation, reset and the algorithm choice; the I/O path
//! takes a reference to the [`Store`] under the `store` spinlock and does not touch `config`.
//! A slot's object is read and replaced under its slot lock (one bit per slot, as zram); a
//! stream is held from the copy of the page to the end of its compression and is always taken
//! before a slot lock.
//!
//! Writeback (`writeback.rs`) moves pages to a backing device; a slot then holds the block. A
//! read fetches the block first, holding no lock of this device while the read waits (it waits
//! for another device, whose own locks would otherwise nest in this one's), then takes the
//! stream and the slot and uses what it fetched only if the slot's generation has not moved:
//! every store and free moves it, so a block freed, reused and written again meanwhile is
//! never taken for the page (as a seqcount, a reader would have to sleep through 2^32 changes
//! of one page).
//!
//! Integrity mode keeps the CRC-32C of every stored page, computed over the stream's private
//! copy, the very bytes that are compressed (or kept raw, or found same-filled), and checks it
//! against the page every read rebuilds; a mismatch fails the read. That page is rebuilt in
//! the stream's private buffer, where nobody can change it under the check, then copied out;
//! other whole-page reads decompress straight into the reader's page, as zram does.

use crate::{
    logic::block_map::BlockMap,
    logic::names::Names,
    logic::placement::{
        Geometry,
        Placement,
        Span, //
    },
    logic::same_fill::{
        copy,
        fill,
        same_filled,
        WORD, //
    },
    logic::slot_state::{
        Kind,
        SlotState, //
    },
    logic::sysfs_text::{
        write_block_state_line,
        AlgorithmParams,
        BlockState,
        BufWriter,
        IdleRequest, //
    },
    sys::backing::{
        without_io,
        Backing,
        BlockBuffer, //
    },
    sys::bio_disk::{
        Bio,
        BioOps,
        DiskRef,
        MappedSegment,
        Op,
        Segment, //
    },
    sys::clock::boottime_seconds,
    sys::compress::{
        Algorithm,
        CompParams,
        Compressor,
        Dictionary, //
    },
    sys::crc32::crc32c_of,
    sys::printk::printk_ratelimit,
    sys::zsmalloc::{
        SlotGuard,
        ZsTable, //
    },
};
use core::pin::Pin;
use kernel::{
    block::SECTOR_SIZE,
    cpu::{
        nr_cpu_ids,
        CpuId, //
    },
    fs::file,
    new_mutex, new_spinlock,
    page::PAGE_SIZE,
    prelude::*,
    str::CString,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        lock::mutex::MutexGuard,
        Arc,
        Mutex,
        SpinLock, //
    },
    uaccess::UserSliceWriter,
};

/// The kernel's pages, addressed in the block layer's sectors.
const GEOMETRY: Geometry = Geometry::new(PAGE_SIZE, SECTOR_SIZE as usize);

// Same-filled pages and the sectors of a bio's pieces are whole fill words.
const _: () = assert!(PAGE_SIZE % WORD == 0 && SECTOR_SIZE as usize % WORD == 0);

/// The bytes of a stream's compressed output: twice a page holds the worst case of every
/// algorithm (lzo's, `lzo1x_worst_compress`, is a page and a sixteenth plus 67 bytes).
const COMPRESSED_CAPACITY: usize = 2 * PAGE_SIZE;

const _: () = assert!(PAGE_SIZE + PAGE_SIZE / 16 + 67 <= COMPRESSED_CAPACITY);

/// The algorithm of a new or reset device (zram's Kconfig lets the distribution choose; the
/// brief of this driver asks for lz4).
pub(crate) const DEFAULT_ALGORITHM: Algorithm = Algorithm::Lz4;

// A slot's state holds an object of a page, and the priority of every algorithm.
const _: () = assert!(
    PAGE_SIZE <= SlotState::MAX_SIZE as usize && MAX_COMPS <= SlotState::MAX_PRIORITY as usize + 1
);

/// The driver's data about a slot, changed under the slot's lock.
pub(crate) struct SlotMeta {
    /// The fill word ([`Kind::Same`]) or the block on the backing device (written back).
    word: Atomic<u64>,
    /// A packed [`SlotState`].
    state: Atomic<u32>,
    /// The CRC-32C of the page, in integrity mode.
    checksum: Atomic<u32>,
    /// Seconds since boot at the last read or write of the page (zram's `ac_time`).
    access_time: Atomic<u32>,
    /// Moved by every store, free and writeback of the page.
    generation: Atomic<u32>,
}

impl Default for SlotMeta {
    fn default() -> Self {
        Self {
            word: Atomic::new(0),
            state: Atomic::new(Self::pack(SlotState::EMPTY)),
            checksum: Atomic::new(0),
            access_time: Atomic::new(0),
            generation: Atomic::new(0),
        }
    }
}

impl SlotMeta {
    /// `state`, packed: the assertion above makes every size and priority the driver stores
    /// fit, so the empty state in its place is never taken.
    fn pack(state: SlotState) -> u32 {
        state.pack().unwrap_or(0)
    }

    fn state(&self) -> SlotState {
        SlotState::unpack(self.state.load(Relaxed))
    }

    fn set_state(&self, state: SlotState) {
        self.state.store(Self::pack(state), Relaxed);
    }

    fn kind(&self) -> Kind {
        self.state().kind
    }

    /// Stores a page of `kind` with `size` bytes in its object, `word`, and its `checksum`;
    /// every flag is cleared (zram's `slot_free` then store), the access time is now.
    fn set(&self, kind: Kind, size: u32, word: u64, checksum: u32) {
        self.moved();
        self.word.store(word, Relaxed);
        self.set_state(SlotState::new(kind, size));
        self.checksum.store(checksum, Relaxed);
        self.access_time.store(boottime_seconds(), Relaxed);
    }

    /// Empties the slot: an empty slot has no access time (zram's `slot_free`).
    fn clear(&self) {
        self.moved();
        self.word.store(0, Relaxed);
        self.set_state(SlotState::EMPTY);
        self.checksum.store(0, Relaxed);
        self.access_time.store(0, Relaxed);
    }

    /// Moves the generation: what a reader fetched before is stale.
    fn moved(&self) {
        self.generation.add(1, Relaxed);
    }

    /// Notes a read or write of the page now (zram's `mark_slot_accessed`).
    fn accessed(&self) {
        let mut state = self.state();
        if state.idle {
            state.idle = false;
            self.set_state(state);
        }
        self.access_time.store(boottime_seconds(), Relaxed);
    }

    /// What debugfs `block_state` shows of the page.
    fn block_state(&self) -> BlockState {
        let state = self.state();
        BlockState {
            access_time: self.access_time.load(Relaxed),
            same: state.kind == Kind::Same,
            written_back: state.kind.written_back(),
            huge: state.kind.huge(),
            idle: state.idle,
            recompressed: state.priority != 0,
            incompressible: state.incompressible,
        }
    }
}

/// The counters behind `mm_stat`, `io_stat` and `debug_stat`; zeroed by a reset.
pub(crate) struct Stats {
    /// Pages stored, of every kind.
    pages_stored: Atomic<u64>,
    /// Bytes of the pool's objects.
    compr_data_size: Atomic<u64>,
    /// Pages stored as one repeated word.
    same_pages: Atomic<u64>,
    /// Pages stored raw.
    huge_pages: Atomic<u64>,
    /// Pages ever stored raw.
    huge_pages_since: Atomic<u64>,
    /// The most pool pages seen.
    max_used_pages: Atomic<u64>,
    /// Bios whose reads failed.
    pub(crate) failed_reads: Atomic<u64>,
    /// Bios whose writes failed.
    pub(crate) failed_writes: Atomic<u64>,
    /// Pages discarded or released by swap.
    pub(crate) notify_free: Atomic<u64>,
    /// Swap releases skipped because the slot was locked.
    pub(crate) miss_free: Atomic<u64>,
    /// Reads that failed because the page did not match its checksum.
    pub(crate) integrity_errors: Atomic<u64>,
    /// Pages read from the backing device.
    pub(crate) backing_reads: Atomic<u64>,
    /// Pages written to the backing device.
    pub(crate) backing_writes: Atomic<u64>,
}

impl Stats {
    const fn new() -> Self {
        Self {
            pages_stored: Atomic::new(0),
            compr_data_size: Atomic::new(0),
            same_pages: Atomic::new(0),
            huge_pages: Atomic::new(0),
            huge_pages_since: Atomic::new(0),
            max_used_pages: Atomic::new(0),
            failed_reads: Atomic::new(0),
            failed_writes: Atomic::new(0),
            notify_free: Atomic::new(0),
            miss_free: Atomic::new(0),
            integrity_errors: Atomic::new(0),
            backing_reads: Atomic::new(0),
            backing_writes: Atomic::new(0),
        }
    }

    fn counters(&self) -> [&Atomic<u64>; 13] {
        [
            &self.pages_stored,
            &self.compr_data_size,
            &self.same_pages,
            &self.huge_pages,
            &self.huge_pages_since,
            &self.max_used_pages,
            &self.failed_reads,
            &self.failed_writes,
            &self.notify_free,
            &self.miss_free,
            &self.integrity_errors,
            &self.backing_reads,
            &self.backing_writes,
        ]
    }
}

/// Where a page being loaded goes: a private buffer, or a whole page of a bio.
trait PageDestination {
    /// Fills the page with `word`, repeated.
    fn fill_word(&mut self, word: u64) -> Result;
    /// Copies a raw page in.
    fn copy_page(&mut self, data: &[u8]) -> Result;
    /// Decompresses a compressed page in.
    fn decompress_page(&mut self, compressor: &mut Compressor, data: &[u8]) -> Result;
}

impl PageDestination for [u8] {
    fn fill_word(&mut self, word: u64) -> Result {
        fill(self, word);
        Ok(())
    }

    fn copy_page(&mut self, data: &[u8]) -> Result {
        copy(self, data);
        Ok(())
    }

    fn decompress_page(&mut self, compressor: &mut Compressor, data: &[u8]) -> Result {
        compressor.decompress(data, self)
    }
}

impl PageDestination for MappedSegment<'_> {
    fn fill_word(&mut self, word: u64) -> Result {
        self.fill(word)
    }

    fn copy_page(&mut self, data: &[u8]) -> Result {
        self.copy_from(data)
    }

    fn decompress_page(&mut self, compressor: &mut Compressor, data: &[u8]) -> Result {
        compressor.decompress_into(data, self)
    }
}

/// A page read from the backing device with no lock held, and the generation of its slot then.
struct Fetched {
    buffer: BlockBuffer,
    generation: u32,
}

/// What [`Zram::load`] did.
enum Loaded {
    /// Loaded the page; in integrity mode, the checksum it must match.
    Page(Option<u32>),
    /// The page changed since it was fetched from the backing device: nothing loaded.
    Stale,
}

/// Subtracts `n` from a counter.
fn sub(counter: &Atomic<u64>, n: u64) {
    counter.fetch_sub(n, Relaxed);
}

/// A stream's compressor of each algorithm the device has, by priority.
struct Compressors {
    primary: Compressor,
    /// By priority, from [`SECONDARY`] on.
    secondary: [Option<Compressor>; MAX_COMPS - SECONDARY],
}

impl Compressors {
    /// One for each algorithm `params` has; `EINVAL` without a primary one.
    fn new(params: &[Option<Arc<CompParams>>; MAX_COMPS]) -> Result<Self> {
        let primary = Compressor::new(params[PRIMARY].as_ref().ok_or(EINVAL)?)?;
        let mut secondary: [Option<Compressor>; MAX_COMPS - SECONDARY] = Default::default();
        for (compressor, params) in secondary.iter_mut().zip(&params[SECONDARY..]) {
            if let Some(params) = params {
                *compressor = Some(Compressor::new(params)?);
            }
        }
        Ok(Self { primary, secondary })
    }

    /// The primary algorithm's.
    fn primary(&mut self) -> &mut Compressor {
        &mut self.primary
    }

    /// The compressor of the algorithm of `priority`; `EIO` if the device has none (a page
    /// names only priorities its store has).
    fn of(&mut self, priority: u8) -> Result<&mut Compressor> {
        match usize::from(priority).checked_sub(SECONDARY) {
            None => Ok(&mut self.primary),
            Some(i) => self
                .secondary
                .get_mut(i)
                .and_then(Option::as_mut)
                .ok_or(EIO),
        }
    }
}

/// Working memory of one compression: the page being stored or loaded, the compressed output
/// and the copy of an object that spans two pages.
struct Stream {
    compressors: Compressors,
    /// A private copy of the page: the same-fill check and the compression see one version.
    page: KVVec<u8>,
    /// [`COMPRESSED_CAPACITY`]: compression never fails for lack of room and never runs
    /// twice.
    out: KVVec<u8>,
    local_copy: KVVec<u8>,
}

impl Stream {
    fn new(params: &[Option<Arc<CompParams>>; MAX_COMPS]) -> Result<Self> {
        Ok(Self {
            compressors: Compressors::new(params)?,
            page: KVVec::from_elem(0, PAGE_SIZE, GFP_KERNEL)?,
            out: KVVec::from_elem(0, COMPRESSED_CAPACITY, GFP_KERNEL)?,
            local_copy: KVVec::from_elem(0, PAGE_SIZE, GFP_KERNEL)?,
        })
    }
}

/// What an initialised device stores: the slots and the streams; freed with the last
/// reference, after a reset or with the device.
pub(crate) struct Store {
    table: ZsTable<SlotMeta>,
    /// The pages of the device, one slot each.
    pages: u64,
    /// One stream per possible CPU, each behind its own mutex: a writer uses its CPU's stream
    /// and sleeps only if a preempted task holds it.
    streams: KVec<Pin<KBox<Mutex<Stream>>>>,
    huge_class_size: usize,
    /// Whether pages are stored with their checksum and checked on every read.
    integrity: bool,
    /// Where writeback puts pages.
    backing: Option<BackingBlocks>,
    /// The algorithms, by priority, as the configuration had them.
    algorithms: [Option<Algorithm>; MAX_COMPS],
}

/// The backing device of a store and which of its blocks hold pages.
struct BackingBlocks {
    device: Arc<Backing>,
    /// A spinlock: a swap release frees a block in atomic context.
    blocks: Pin<KBox<SpinLock<BlockMap<KVVec<u64>>>>>,
}

impl BackingBlocks {
    fn new(device: Arc<Backing>) -> Result<Self> {
        let pages = device.pages();
        let words = BlockMap::<KVVec<u64>>::words_for(pages).ok_or(EINVAL)?;
        let map = BlockMap::new(KVVec::from_elem(0, words, GFP_KERNEL)?, pages).ok_or(EINVAL)?;
        Ok(Self {
            device,
            blocks: KBox::pin_init(new_spinlock!(map, "BackingBlocks::blocks"), GFP_KERNEL)?,
        })
    }

    /// Frees `block`; a block freed twice is a driver bug, reported once.
    fn release(&self, block: u64) {
        if !self.blocks.lock().release(block) {
            kernel::pr_warn_once!("rzram: backing block {block} freed but not in use\n");
        }
    }
}

impl Store {
    fn new(name: &CStr, pages: u64, config: &Config) -> Result<Self> {
        let table = ZsTable::new(name, usize::try_from(pages)?)?;
        let cpus = nr_cpu_ids() as usize;
        let mut streams = KVec::with_capacity(cpus, GFP_KERNEL)?;
        let mut params: [Option<Arc<CompParams>>; MAX_COMPS] = Default::default();
        for ((params, algorithm), settings) in
            params.iter_mut().zip(config.algorithms).zip(&config.params)
        {
            if let Some(algorithm) = algorithm {
                *params = Some(CompParams::new(
                    algorithm,
                    settings.level,
                    settings.dict.clone(),
                )?);
            }
        }
        for _ in 0..cpus {
            let stream = Stream::new(&params)?;
            streams.push(
                KBox::pin_init(new_mutex!(stream, "Store::streams"), GFP_KERNEL)?,
                GFP_KERNEL,
            )?;
        }
        let huge_class_size = table.pool().huge_class_size();
        let backing = match &config.backing {
            Some(device) => Some(BackingBlocks::new(device.clone())?),
            None => None,
        };
        Ok(Self {
            table,
            pages,
            streams,
            huge_class_size,
            integrity: config.integrity,
            backing,
            algorithms: config.algorithms,
        })
    }

    /// The stream of the current CPU, locked.
    fn stream(&self) -> Result<MutexGuard<'_, Stream>> {
        let cpu = CpuId::current().as_u32() as usize;
        Ok(self.streams.get(cpu).ok_or(EINVAL)?.lock())
    }

    fn slot(&self, index: u64) -> Result<SlotGuard<'_, SlotMeta>> {
        self.table.lock(usize::try_from(index)?)
    }

    /// Locks slot `index` if nobody holds it; never sleeps.
    fn try_slot(&self, index: u64) -> Result<Option<SlotGuard<'_, SlotMeta>>> {
        self.table.try_lock(usize::try_from(index)?)
    }

    /// Where `segment` lies; `EIO` unless within one page of the device.
    fn span(&self, segment: &Segment<'_>) -> Result<Span> {
        GEOMETRY
            .span(segment.sector(), segment.len(), self.pages)
            .map_err(|_| EIO)
    }
}

/// The configuration, changed only while no I/O can run.
struct Config {
    /// By priority: the primary (always there) and those of recompression.
    algorithms: [Option<Algorithm>; MAX_COMPS],
    /// What `algorithm_params` set, by priority.
    params: [CompSettings; MAX_COMPS],
    disksize: u64,
    integrity: bool,
    /// `backing_dev`, open.
    backing: Option<Arc<Backing>>,
}

/// The algorithms a device may have, by priority: the primary and three for recompression
/// (zram_drv.h `ZRAM_MAX_COMPS` with `CONFIG_ZRAM_MULTI_COMP`).
pub(crate) const MAX_COMPS: usize = 4;

/// The priority of the primary algorithm (`ZRAM_PRIMARY_COMP`).
pub(crate) const PRIMARY: usize = 0;

/// The first priority of recompression (`ZRAM_SECONDARY_COMP`).
pub(crate) const SECONDARY: usize = 1;

/// `priority` as an index, if within `lowest..MAX_COMPS`; else `EINVAL`.
pub(crate) fn priority_index(priority: i32, lowest: usize) -> Result<usize> {
    usize::try_from(priority)
        .ok()
        .filter(|priority| (lowest..MAX_COMPS).contains(priority))
        .ok_or(EINVAL)
}

/// The priority, from `lowest` on, of the algorithm named `name` (zram's
/// `lookup_algo_priority`).
fn priority_of(
    algorithms: &[Option<Algorithm>; MAX_COMPS],
    name: &str,
    lowest: usize,
) -> Option<usize> {
    (lowest..MAX_COMPS)
        .find(|&priority| algorithms[priority].is_some_and(|algorithm| algorithm.name() == name))
}

/// The level and dictionary `algorithm_params` set for the algorithm of one priority (zram's
/// `zcomp_params`), checked by the algorithm when the disk size is set.
#[derive(Clone, Default)]
struct CompSettings {
    /// `None`: the algorithm's default.
    level: Option<i32>,
    dict: Option<Arc<Dictionary>>,
}

impl Config {
    /// Whether the algorithm of `priority` is the one named `name` (zram's
    /// `validate_algo_priority`).
    fn has_at(&self, priority: usize, name: &str) -> bool {
        self.algorithms
            .get(priority)
            .copied()
            .flatten()
            .is_some_and(|algorithm| algorithm.name() == name)
    }

    /// The priority, from `lowest` on, of the algorithm named `name`.
    fn priority_of(&self, name: &str, lowest: usize) -> Option<usize> {
        priority_of(&self.algorithms, name, lowest)
    }

    /// The configuration of a new or reset device.
    fn new() -> Self {
        Self {
            algorithms: core::array::from_fn(|priority| {
                (priority == PRIMARY).then_some(DEFAULT_ALGORITHM)
            }),
            params: Default::default(),
            disksize: 0,
            integrity: crate::module_parameters::integrity.value(),
            backing: None,
        }
    }
}

mod recompress;
mod writeback;

use writeback::WritebackSettings;

/// An rzram device.
#[pin_data]
pub(crate) struct Zram {
    /// Its name, `<prefix>N`, for messages.
    names: Names,
    id: u32,
    #[pin]
    config: Mutex<Config>,
    #[pin]
    store: SpinLock<Option<Arc<Store>>>,
    /// The most pool pages stores may use (`mem_limit`); 0: no limit.
    limit_pages: Atomic<u64>,
    /// Test-only fault injection (debugfs `corrupt_next_checksum`): non-zero while the next
    /// page stored in integrity mode is to be stored with a wrong checksum.
    corrupt_next_checksum: Atomic<u32>,
    stats: Stats,
    /// The writeback settings, kept across resets as zram keeps them; held by a writeback or
    /// a recompression from start to end, so they run one at a time (zram's post-processing).
    #[pin]
    post_processing: Mutex<WritebackSettings>,
    /// `compressed_writeback`: changed only before initialisation.
    compressed_writeback: Atomic<bool>,
}

impl Zram {
    /// Device `<prefix><id>`, with no disk size yet.
    pub(crate) fn new(names: Names, id: u32) -> impl PinInit<Self> {
        pin_init!(Self {
            names,
            id,
            config <- new_mutex!(Config::new(), "Zram::config"),
            store <- new_spinlock!(None, "Zram::store"),
            limit_pages: Atomic::new(0),
            corrupt_next_checksum: Atomic::new(0),
            stats: Stats::new(),
            post_processing <- new_mutex!(WritebackSettings::new(), "Zram::post_processing"),
            compressed_writeback: Atomic::new(false),
        })
    }

    fn store(&self) -> Option<Arc<Store>> {
        self.store.lock().clone()
    }

    /// Empties a slot and updates the statistics; never sleeps.
    fn release(&self, store: &Store, slot: &SlotGuard<'_, SlotMeta>) {
        let stats = &self.stats;
        let meta = slot.meta();
        let state = meta.state();
        match state.kind {
            Kind::Empty => return,
            Kind::Same => sub(&stats.same_pages, 1),
            Kind::Compressed => sub(&stats.compr_data_size, state.size.into()),
            Kind::Huge => {
                sub(&stats.huge_pages, 1);
                sub(&stats.compr_data_size, state.size.into());
            }
            Kind::WrittenBack | Kind::WrittenBackHuge | Kind::WrittenBackCompressed => {
                if let Some(backing) = &store.backing {
                    backing.release(meta.word.load(Relaxed));
                }
            }
        }
        sub(&stats.pages_stored, 1);
        slot.replace(None);
        meta.clear();
    }

    /// Reads page `index` from the backing device if it is there, holding no lock, then locks
    /// a stream: what [`Zram::load`] needs.
    fn fetch_and_stream<'a>(
        &self,
        store: &'a Store,
        index: u64,
    ) -> Result<(Option<Fetched>, MutexGuard<'a, Stream>)> {
        let on_backing = {
            let slot = store.slot(index)?;
            let meta = slot.meta();
            meta.kind()
                .written_back()
                .then(|| (meta.word.load(Relaxed), meta.generation.load(Relaxed)))
        };
        let fetched = match on_backing {
            Some((block, generation)) => {
                let backing = store.backing.as_ref().ok_or(EIO)?;
                let mut buffer = without_io(BlockBuffer::new)?;
                self.stats.backing_reads.add(1, Relaxed);
                backing
                    .device
                    .read(block, &mut buffer)
                    .inspect_err(|err| self.backing_read_failed(index, *err))?;
                Some(Fetched { buffer, generation })
            }
            None => None,
        };
        Ok((fetched, store.stream()?))
    }

    /// Loads the page of `span` into `stream.page`, checked in integrity mode; `false` if
    /// `fetched` is stale.
    fn read_page(
        &self,
        store: &Store,
        stream: &mut Stream,
        span: &Span,
        fetched: Option<&Fetched>,
    ) -> Result<bool> {
        let Stream {
            compressors,
            page,
            local_copy,
            ..
        } = stream;
        match self.load(
            store,
            compressors,
            local_copy,
            span.page,
            &mut page[..],
            fetched,
        )? {
            Loaded::Page(Some(checksum)) => self.verify(page, checksum, span.page_sector)?,
            Loaded::Page(None) => {}
            Loaded::Stale => return Ok(false),
        }
        Ok(true)
    }

    /// Loads page `index` into `page`, from `fetched` if the page is on the backing device;
    /// returns the checksum the page must match, in integrity mode, or that `fetched` is
    /// stale (nothing loaded).
    fn load<P: PageDestination + ?Sized>(
        &self,
        store: &Store,
        compressors: &mut Compressors,
        local_copy: &mut [u8],
        index: u64,
        page: &mut P,
        fetched: Option<&Fetched>,
    ) -> Result<Loaded> {
        let slot = store.slot(index)?;
        let meta = slot.meta();
        let state = meta.state();
        let kind = state.kind;
        let size = usize::try_from(state.size)?;
        match kind {
            Kind::Empty => page.fill_word(0)?,
            Kind::Same => page.fill_word(meta.word.load(Relaxed))?,
            Kind::Huge => slot
                .read(size, local_copy, |data| page.copy_page(data))
                .ok_or(EIO)??,
            Kind::Compressed => {
                slot.read(size, local_copy, |data| {
                    page.decompress_page(compressors.of(state.priority)?, data)
                })
                .ok_or(EIO)?
                .inspect_err(|_| pr_err!("decompression failed, page {index}\n"))?;
            }
            Kind::WrittenBack | Kind::WrittenBackHuge | Kind::WrittenBackCompressed => {
                let Some(fetched) =
                    fetched.filter(|f| f.generation == meta.generation.load(Relaxed))
                else {
                    return Ok(Loaded::Stale);
                };
                if kind == Kind::WrittenBackCompressed {
                    let data = fetched.buffer.get(..size).ok_or(EIO)?;
                    page.decompress_page(compressors.of(state.priority)?, data)
                        .inspect_err(|_| pr_err!("decompression failed, page {index}\n"))?;
                } else {
                    page.copy_page(&fetched.buffer)?;
                }
            }
        }
        meta.accessed();
        // An empty slot was never written: it has no checksum to match.
        Ok(Loaded::Page(
            (store.integrity && kind != Kind::Empty).then(|| meta.checksum.load(Relaxed)),
        ))
    }

    fn backing_read_failed(&self, index: u64, err: Error) {
        if printk_ratelimit() {
            pr_err!(
                "{}{}: page {index} not read back from the backing device: error {}\n",
                self.names.prefix_str(),
                self.id,
                err.to_errno()
            );
        }
    }

    /// Whether page `index`, as post-processing rebuilt it, matches `checksum`; a mismatch is
    /// counted and logged with what it stops (`stopped`: "not written back"...).
    fn page_matches(&self, page: &[u8], checksum: u32, index: u64, stopped: &str) -> bool {
        if crc32c_of(page) == checksum {
            return true;
        }
        self.stats.integrity_errors.add(1, Relaxed);
        if printk_ratelimit() {
            pr_err!(
                "{}{}: integrity error in page {index}: {stopped}\n",
                self.names.prefix_str(),
                self.id
            );
        }
        false
    }

    /// Checks the page starting at `sector`, as a read rebuilt it, against the checksum it was
    /// stored with; a mismatch is counted, logged and an I/O error.
    fn verify(&self, page: &[u8], checksum: u32, sector: u64) -> Result {
        if crc32c_of(page) == checksum {
            return Ok(());
        }
        self.stats.integrity_errors.add(1, Relaxed);
        if printk_ratelimit() {
            pr_err!(
                "{}{}: integrity error at sector {}: the page read back does not match its checksum\n",
                self.names.prefix_str(),
                self.id,
                sector
            );
        }
        Err(EIO)
    }

    /// Stores `stream.page` as page `index`. The page is compressed exactly once, into a
    /// buffer its worst case fits; the object is allocated for exactly the result and filled
    /// before it replaces the slot's old data, which therefore survives any failure.
    fn write_page(&self, store: &Store, stream: &mut Stream, index: u64) -> Result {
        let stats = &self.stats;
        let checksum = if store.integrity {
            crc32c_of(&stream.page) ^ self.injected_checksum_fault()
        } else {
            0
        };
        if let Some(word) = same_filled(&stream.page) {
            let slot = store.slot(index)?;
            self.release(store, &slot);
            slot.meta().set(Kind::Same, 0, word, checksum);
            stats.same_pages.add(1, Relaxed);
            stats.pages_stored.add(1, Relaxed);
            return Ok(());
        }
        let len = stream
            .compressors
            .primary()
            .compress(&stream.page, &mut stream.out)?;
        let (data, kind) = match GEOMETRY.placement(len, store.huge_class_size) {
            Placement::Compressed(len) => (stream.out.get(..len).ok_or(EIO)?, Kind::Compressed),
            Placement::Raw => (&stream.page[..], Kind::Huge),
        };
        let mut object = store.table.pool().alloc(data.len())?;
        let used = store.table.pool().total_pages();
        self.note_used(used);
        let limit = self.limit_pages.load(Relaxed);
        if limit != 0 && used > limit {
            // Dropping `object` frees it.
            return Err(ENOMEM);
        }
        object.write(data)?;
        let slot = store.slot(index)?;
        self.release(store, &slot);
        slot.replace(Some(object));
        if kind == Kind::Huge {
            stats.huge_pages.add(1, Relaxed);
            stats.huge_pages_since.add(1, Relaxed);
        }
        slot.meta()
            .set(kind, u32::try_from(data.len())?, 0, checksum);
        stats.compr_data_size.add(data.len() as u64, Relaxed);
        stats.pages_stored.add(1, Relaxed);
        Ok(())
    }

    /// The bits to flip in the checksum of the page being stored: one, once, when the fault
    /// is armed. The plain load keeps the unarmed case free of shared writes.
    fn injected_checksum_fault(&self) -> u32 {
        let fault = &self.corrupt_next_checksum;
        u32::from(fault.load(Relaxed) != 0 && fault.xchg(0, Relaxed) != 0)
    }

    /// Raises `max_used_pages` to `used`.
    fn note_used(&self, used: u64) {
        let max = &self.stats.max_used_pages;
        let mut old = max.load(Relaxed);
        while used > old {
            match max.cmpxchg(old, used, Relaxed) {
                Ok(_) => break,
                Err(now) => old = now,
            }
        }
    }

    fn read_bio(&self, store: &Store, bio: &Bio) -> Result {
        for segment in bio.segments() {
            let span = store.span(&segment)?;
            // Until a fetch of the backing device is not stale.
            loop {
                let (fetched, mut stream) = self.fetch_and_stream(store, span.page)?;
                if span.whole_page && !store.integrity {
                    // Straight into the reader's page. Integrity mode checks the page in
                    // private memory instead, where nobody can change it under the check.
                    let Stream {
                        compressors,
                        local_copy,
                        ..
                    } = &mut *stream;
                    let loaded = segment.with_mapping(|page| {
                        self.load(
                            store,
                            compressors,
                            local_copy,
                            span.page,
                            page,
                            fetched.as_ref(),
                        )
                    })?;
                    if matches!(loaded, Loaded::Page(_)) {
                        break;
                    }
                } else if self.read_page(store, &mut stream, &span, fetched.as_ref())? {
                    segment.write_from(stream.page.get(span.bytes).ok_or(EIO)?)?;
                    break;
                }
            }
        }
        Ok(())
    }

    fn write_bio(&self, store: &Store, bio: &Bio) -> Result {
        for segment in bio.segments() {
            let span = store.span(&segment)?;
            let mut stream = loop {
                if span.whole_page {
                    break store.stream()?;
                }
                // A partial page: merge it into the stored one (until a fetch is not stale).
                let (fetched, mut stream) = self.fetch_and_stream(store, span.page)?;
                if self.read_page(store, &mut stream, &span, fetched.as_ref())? {
                    break stream;
                }
            };
            segment.read_into(stream.page.get_mut(span.bytes).ok_or(EIO)?)?;
            self.write_page(store, &mut stream, span.page)?;
        }
        Ok(())
    }

    /// Frees the pages a discard wholly covers; `EIO` unless its range lies on the device.
    fn discard(&self, store: &Store, bio: &Bio) -> Result {
        let (sector, bytes) = bio.range();
        let pages = GEOMETRY
            .whole_pages(sector, u64::from(bytes), store.pages)
            .map_err(|_| EIO)?;
        for index in pages {
            self.release(store, &store.slot(index)?);
            self.stats.notify_free.add(1, Relaxed);
        }
        Ok(())
    }
}

impl BioOps for Zram {
    fn submit_bio(&self, bio: Bio) {
        // The disk has no capacity without a store: the block layer refuses its bios.
        let Some(store) = self.store() else {
            return bio.end(Err(EIO));
        };
        match bio.op() {
            Op::Read => {
                let result = self.read_bio(&store, &bio);
                if result.is_err() {
                    self.stats.failed_reads.add(1, Relaxed);
                }
                bio.end(result.map_err(|_| EIO));
            }
            Op::Write => {
                let result = self.write_bio(&store, &bio);
                if result.is_err() {
                    self.stats.failed_writes.add(1, Relaxed);
                }
                bio.end(result.map_err(|_| EIO));
            }
            Op::Discard | Op::WriteZeroes => {
                let result = self.discard(&store, &bio);
                bio.end(result);
            }
            Op::Other => bio.end(Err(EOPNOTSUPP)),
        }
    }

    fn swap_slot_free_notify(&self, index: u64) {
        self.stats.notify_free.add(1, Relaxed);
        // Swap holds the disk open, so no reset can drop the store here; this is never the
        // last reference.
        let Some(store) = self.store() else {
            return;
        };
        // Under swap_lock: no sleeping on a slot lock; a busy slot is left for the next write.
        match store.try_slot(index) {
            Ok(Some(slot)) => self.release(&store, &slot),
            Ok(None) => self.stats.miss_free.add(1, Relaxed),
            // Swap only frees the pages it wrote, which are on the device.
            Err(_) => {
                if printk_ratelimit() {
                    pr_err!(
                        "{}{}: swap freed page {index}, beyond the device\n",
                        self.names.prefix_str(),
                        self.id
                    );
                }
            }
        };
    }
}

/// What the sysfs attributes read and change.
impl Zram {
    /// Whether the disk size is set.
    pub(crate) fn initialised(&self) -> bool {
        self.store.lock().is_some()
    }

    /// The disk size in bytes (0 before initialisation).
    pub(crate) fn disksize(&self) -> u64 {
        self.config.lock().disksize
    }

    /// The chosen algorithm.
    pub(crate) fn algorithm(&self) -> Algorithm {
        self.config.lock().algorithms[PRIMARY].unwrap_or(DEFAULT_ALGORITHM)
    }

    /// Changes the configuration with `change`; `EBUSY` once initialised.
    fn configure(&self, change: impl FnOnce(&mut Config) -> Result) -> Result {
        let mut config = self.config.lock();
        if self.initialised() {
            return Err(EBUSY);
        }
        change(&mut config)
    }

    /// Sets the level and dictionary of an algorithm, as a write to `algorithm_params` asks
    /// (zram_drv.c `algorithm_params_store`): the one of `priority`, else the one named
    /// `algo`, else the primary; `EINVAL` if `priority` is out of range or `algo` is not the
    /// algorithm there, the dictionary's errno if it cannot be read; `EBUSY` once
    /// initialised. A level is checked by the algorithm when the disk size is set, as in zram.
    pub(crate) fn set_algorithm_params(&self, params: &AlgorithmParams<'_>) -> Result {
        self.configure(|config| {
            let priority = match (params.priority, params.algo) {
                (Some(priority), algo) => {
                    let priority = priority_index(priority, PRIMARY)?;
                    if algo.is_some_and(|algo| !config.has_at(priority, algo)) {
                        return Err(EINVAL);
                    }
                    priority
                }
                (None, Some(algo)) => config.priority_of(algo, PRIMARY).ok_or(EINVAL)?,
                (None, None) => PRIMARY,
            };
            // Read before anything changes: a dictionary that cannot be read changes nothing.
            let dict = match params.dict {
                Some(path) => {
                    let path = CString::try_from_fmt(fmt!("{path}"))?;
                    Some(Arc::new(Dictionary::load(&path)?, GFP_KERNEL)?)
                }
                None => None,
            };
            config.params[priority] = CompSettings {
                level: params.level,
                dict,
            };
            Ok(())
        })
    }

    /// Chooses the primary algorithm (with `PRIMARY`) or one for recompression, whose
    /// parameters go back to the defaults, as zram's `__comp_algorithm_store`; `EBUSY` once
    /// initialised.
    pub(crate) fn set_algorithm(&self, priority: usize, algorithm: Algorithm) -> Result {
        self.configure(|config| {
            *config.algorithms.get_mut(priority).ok_or(EINVAL)? = Some(algorithm);
            config.params[priority] = CompSettings::default();
            Ok(())
        })
    }

    /// The recompression algorithms, by priority.
    pub(crate) fn recompression_algorithms(&self) -> [Option<Algorithm>; MAX_COMPS] {
        let mut algorithms = self.config.lock().algorithms;
        algorithms[PRIMARY] = None;
        algorithms
    }

    /// Sets the disk size (rounded up to pages), allocates the store and announces the
    /// capacity; `EBUSY` once initialised.
    pub(crate) fn init(&self, disk: &DiskRef<'_, Zram>, bytes: u64) -> Result {
        let mut config = self.config.lock();
        if self.initialised() {
            return Err(EBUSY);
        }
        let pages = GEOMETRY.pages_for(bytes);
        let disksize = GEOMETRY.bytes_of(pages).ok_or(EINVAL)?;
        let sectors = GEOMETRY.sectors_of(pages).ok_or(EINVAL)?;
        let store = Store::new(self.names.prefix(), pages, &config)?;
        *self.store.lock() = Some(Arc::new(store, GFP_KERNEL)?);
        config.disksize = disksize;
        disk.set_capacity(sectors);
        Ok(())
    }

    /// Frees everything stored and returns to the state after creation; `EBUSY` if the disk
    /// is open.
    pub(crate) fn reset(&self, disk: &DiskRef<'_, Zram>) -> Result {
        disk.claim()?;
        disk.sync();
        let store = {
            // A writeback or recompression running counts into the statistics: the reset
            // waits for its end.
            let _post_processing = self.post_processing.lock();
            let mut config = self.config.lock();
            disk.set_capacity(0);
            *config = Config::new();
            self.limit_pages.store(0, Relaxed);
            let store = self.store.lock().take();
            for counter in self.stats.counters() {
                counter.store(0, Relaxed);
            }
            store
        };
        // With the disk closed and synced no bio holds a reference: this frees the store.
        drop(store);
        disk.release();
        Ok(())
    }

    /// Marks stored pages idle, as a write to `idle` asks (zram_drv.c `idle_store`): every
    /// one, or those not accessed for the given seconds (and the others not idle). Pages stored
    /// as their fill word are never idle. An age longer than the time since boot changes
    /// nothing, even on an uninitialised device; otherwise `EINVAL` if uninitialised.
    pub(crate) fn mark_idle(&self, request: IdleRequest) -> Result {
        let cutoff = match request {
            IdleRequest::All => None,
            IdleRequest::OlderThan(age) => match boottime_seconds().checked_sub(age) {
                Some(cutoff) if cutoff > 0 => Some(cutoff),
                _ => return Ok(()),
            },
        };
        let store = self.store().ok_or(EINVAL)?;
        for index in 0..store.pages {
            let slot = store.slot(index)?;
            let meta = slot.meta();
            let mut state = meta.state();
            // As zram: pages of one word and pages written back are never idle.
            if matches!(state.kind, Kind::Empty | Kind::Same) || state.kind.written_back() {
                continue;
            }
            state.idle = cutoff.is_none_or(|cutoff| cutoff > meta.access_time.load(Relaxed));
            meta.set_state(state);
        }
        Ok(())
    }

    /// Writes debugfs `block_state` into `writer` as zram's `read_block_state` does: a line
    /// per stored page from page `*offset` on, as many whole lines as fit; `*offset` becomes
    /// the first page not shown. `EINVAL` if uninitialised.
    pub(crate) fn write_block_state(
        &self,
        writer: &mut UserSliceWriter,
        offset: &mut file::Offset,
    ) -> Result<usize> {
        let store = self.store().ok_or(EINVAL)?;
        let room = writer.len();
        let mut text = KVVec::with_capacity(room, GFP_KERNEL)?;
        let mut index = u64::try_from(*offset).map_err(|_| EINVAL)?;
        while index < store.pages {
            let state = {
                let slot = store.slot(index)?;
                (slot.meta().kind() != Kind::Empty).then(|| slot.meta().block_state())
            };
            if let Some(state) = state {
                let mut line = [0u8; 64];
                let written = {
                    let mut out = BufWriter::new(&mut line);
                    write_block_state_line(&mut out, index, &state).map_err(|_| EINVAL)?;
                    out.written()
                };
                let line = line.get(..written).ok_or(EINVAL)?;
                // As zram: a line is shown only if it fits with room to spare.
                if line.len() >= room - text.len() {
                    break;
                }
                text.extend_from_slice(line, GFP_KERNEL)?;
            }
            index += 1;
        }
        writer.write_slice(&text)?;
        *offset = file::Offset::try_from(index)?;
        Ok(text.len())
    }

    /// Whether integrity mode is chosen.
    pub(crate) fn integrity(&self) -> bool {
        self.config.lock().integrity
    }

    /// Chooses integrity mode; `EBUSY` once initialised.
    pub(crate) fn set_integrity(&self, integrity: bool) -> Result {
        self.configure(|config| {
            config.integrity = integrity;
            Ok(())
        })
    }

    /// Sets `mem_limit` in bytes (rounded up to pages); 0 removes the limit.
    pub(crate) fn set_mem_limit(&self, bytes: u64) {
        self.limit_pages.store(GEOMETRY.pages_for(bytes), Relaxed);
    }

    /// Resets `mem_used_max` to the pages used now.
    pub(crate) fn reset_mem_used_max(&self) {
        if let Some(store) = self.store() {
            let used = store.table.pool().total_pages();
            self.stats.max_used_pages.store(used, Relaxed);
        }
    }

    /// Compacts the pool; `EINVAL` before initialisation.
    pub(crate) fn compact(&self) -> Result {
        let store = self.store().ok_or(EINVAL)?;
        store.table.pool().compact();
        Ok(())
    }

    /// The nine `mm_stat` fields.
    pub(crate) fn mm_stat(&self) -> [u64; 9] {
        let (used, compacted) = self.store().map_or((0, 0), |store| {
            let pool = store.table.pool();
            (pool.total_pages(), pool.pages_compacted())
        });
        let page = PAGE_SIZE as u64;
        let s = &self.stats;
        [
            s.pages_stored.load(Relaxed) * page,
            s.compr_data_size.load(Relaxed),
            used * page,
            self.limit_pages.load(Relaxed) * page,
            s.max_used_pages.load(Relaxed) * page,
            s.same_pages.load(Relaxed),
            compacted,
            s.huge_pages.load(Relaxed),
            s.huge_pages_since.load(Relaxed),
        ]
    }

    /// Whether the next page stored in integrity mode gets a wrong checksum.
    pub(crate) fn checksum_fault_armed(&self) -> bool {
        self.corrupt_next_checksum.load(Relaxed) != 0
    }

    /// Arms (or disarms) the wrong checksum of the next page stored in integrity mode.
    pub(crate) fn arm_checksum_fault(&self, armed: bool) {
        self.corrupt_next_checksum.store(u32::from(armed), Relaxed);
    }

    /// The statistics.
    pub(crate) fn stats(&self) -> &Stats {
        &self.stats
    }
}
