// SPDX-License-Identifier: GPL-2.0

//! The disk attributes and the control class (`/sys/class/rzram-control`, or `zram-control`),
//! kept in C (`sysfs.c`) and served here with zram's formats.

use crate::{
    control::Devices,
    device::{
        priority_index,
        Zram,
        PRIMARY,
        SECONDARY, //
    },
    logic::sysfs_text::{
        parse_algorithm_params,
        parse_bool,
        parse_decimal,
        parse_idle,
        parse_recomp_algorithm,
        parse_recompress,
        parse_size,
        parse_switch,
        parse_unsigned,
        write_choices,
        BufWriter,
        TextError, //
    },
    sys::bio_disk::{
        AttributeGroups,
        DiskRef,
        RawDisk, //
    },
    sys::compress::Algorithm,
    sys::shims::{
        self,
        rzram_attr,
        rzram_control_register,
        rzram_control_unregister,
        rzram_disk_groups, //
    },
};
use core::fmt::Write;
use kernel::{
    ffi::{
        c_char,
        c_int,
        c_void, //
    },
    page::PAGE_SIZE,
    prelude::*,
    sync::{
        atomic::Relaxed,
        Arc, //
    },
    types::ForeignOwnable,
};

/// The attribute groups of an rzram disk.
pub(crate) fn disk_groups() -> &'static AttributeGroups {
    // SAFETY: `rzram_disk_groups` returns the address of a static, NULL-terminated array.
    unsafe { &*rzram_disk_groups().cast::<AttributeGroups>() }
}

/// The control class (`hot_add`, `hot_remove`), registered while this lives.
///
/// # Invariants
///
/// The class is registered with `ctx` as context, an `Arc<Devices>` made foreign
/// ([`ForeignOwnable::into_foreign`]) and taken back only by `drop`, after unregistering.
pub(crate) struct Control {
    ctx: *mut c_void,
}

// SAFETY: `Control` only owns a reference of an `Arc<Devices>`, and `Devices` is `Send + Sync`.
unsafe impl Send for Control {}
// SAFETY: As above; `Control` has no methods taking `&self`.
unsafe impl Sync for Control {}

impl Control {
    /// Registers the class `/sys/class/<name>`; its callbacks act on `devices`. `EEXIST` if
    /// another driver has that class.
    pub(crate) fn register(devices: Arc<Devices>, name: &'static CStr) -> Result<Self> {
        let ctx = devices.into_foreign();
        // SAFETY: `name` lives as long as the module. The callbacks borrow `ctx` as an
        // `Arc<Devices>`, which the returned value keeps until it unregisters the class.
        let registered = unsafe { rzram_control_register(name.as_char_ptr(), ctx) };
        if let Err(err) = kernel::error::to_result(registered) {
            // SAFETY: `ctx` came from `into_foreign` above and no callback can borrow it.
            drop(unsafe { Arc::<Devices>::from_foreign(ctx) });
            return Err(err);
        }
        // INVARIANT: Registered with `ctx`.
        Ok(Self { ctx })
    }
}

impl Drop for Control {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the class is registered; unregistering waits for its
        // callbacks.
        unsafe { rzram_control_unregister() };
        // SAFETY: By the type invariant `ctx` came from `into_foreign` and is taken back only
        // here, once no callback can borrow it.
        drop(unsafe { Arc::<Devices>::from_foreign(self.ctx) });
    }
}

/// A disk attribute, as `sysfs.c` names it (`enum rzram_attr`).
#[derive(Clone, Copy)]
enum Attr {
    Disksize,
    Initstate,
    Reset,
    CompAlgorithm,
    MemLimit,
    MemUsedMax,
    Compact,
    MmStat,
    IoStat,
    DebugStat,
    IntegrityMode,
    IntegrityErrors,
    AlgorithmParams,
    Idle,
    BackingDev,
    Writeback,
    BdStat,
    WritebackLimit,
    WritebackLimitEnable,
    WritebackBatchSize,
    CompressedWriteback,
    RecompAlgorithm,
    Recompress,
}

impl Attr {
    fn from_raw(raw: rzram_attr) -> Option<Self> {
        Some(match raw {
            shims::RZRAM_ATTR_DISKSIZE => Attr::Disksize,
            shims::RZRAM_ATTR_INITSTATE => Attr::Initstate,
            shims::RZRAM_ATTR_RESET => Attr::Reset,
            shims::RZRAM_ATTR_COMP_ALGORITHM => Attr::CompAlgorithm,
            shims::RZRAM_ATTR_MEM_LIMIT => Attr::MemLimit,
            shims::RZRAM_ATTR_MEM_USED_MAX => Attr::MemUsedMax,
            shims::RZRAM_ATTR_COMPACT => Attr::Compact,
            shims::RZRAM_ATTR_MM_STAT => Attr::MmStat,
            shims::RZRAM_ATTR_IO_STAT => Attr::IoStat,
            shims::RZRAM_ATTR_DEBUG_STAT => Attr::DebugStat,
            shims::RZRAM_ATTR_INTEGRITY_MODE => Attr::IntegrityMode,
            shims::RZRAM_ATTR_INTEGRITY_ERRORS => Attr::IntegrityErrors,
            shims::RZRAM_ATTR_ALGORITHM_PARAMS => Attr::AlgorithmParams,
            shims::RZRAM_ATTR_IDLE => Attr::Idle,
            shims::RZRAM_ATTR_BACKING_DEV => Attr::BackingDev,
            shims::RZRAM_ATTR_WRITEBACK => Attr::Writeback,
            shims::RZRAM_ATTR_BD_STAT => Attr::BdStat,
            shims::RZRAM_ATTR_WRITEBACK_LIMIT => Attr::WritebackLimit,
            shims::RZRAM_ATTR_WRITEBACK_LIMIT_ENABLE => Attr::WritebackLimitEnable,
            shims::RZRAM_ATTR_WRITEBACK_BATCH_SIZE => Attr::WritebackBatchSize,
            shims::RZRAM_ATTR_COMPRESSED_WRITEBACK => Attr::CompressedWriteback,
            shims::RZRAM_ATTR_RECOMP_ALGORITHM => Attr::RecompAlgorithm,
            shims::RZRAM_ATTR_RECOMPRESS => Attr::Recompress,
            _ => return None,
        })
    }
}

/// Writes what attribute `attr` of `zram` shows.
fn show(zram: &Zram, attr: Attr, out: &mut BufWriter<'_>) -> Result {
    let stats = zram.stats();
    match attr {
        Attr::Disksize => writeln!(out, "{}", zram.disksize()),
        Attr::Initstate => writeln!(out, "{}", u32::from(zram.initialised())),
        Attr::CompAlgorithm => write_algorithms(out, zram.algorithm()),
        Attr::MmStat => {
            let [a, b, c, d, e, f, g, h, i] = zram.mm_stat();
            writeln!(out, "{a:8} {b:8} {c:8} {d:8} {e:8} {f:8} {g:8} {h:8} {i:8}")
        }
        Attr::IoStat => writeln!(
            out,
            "{:8} {:8} 0 {:8}",
            stats.failed_reads.load(Relaxed),
            stats.failed_writes.load(Relaxed),
            stats.notify_free.load(Relaxed)
        ),
        Attr::DebugStat => writeln!(
            out,
            "version: 1\n0 {:8}\nintegrity_errors: {}",
            stats.miss_free.load(Relaxed),
            stats.integrity_errors.load(Relaxed)
        ),
        Attr::IntegrityMode => writeln!(out, "{}", u32::from(zram.integrity())),
        Attr::IntegrityErrors => writeln!(out, "{}", stats.integrity_errors.load(Relaxed)),
        Attr::BdStat => {
            let [count, reads, writes] = zram.bd_stat();
            writeln!(out, "{count:8} {reads:8} {writes:8}")
        }
        Attr::WritebackLimit => writeln!(out, "{}", zram.writeback_limit()),
        Attr::WritebackLimitEnable => {
            writeln!(out, "{}", u32::from(zram.writeback_limit_enabled()))
        }
        Attr::WritebackBatchSize => writeln!(out, "{}", zram.writeback_batch_size()),
        Attr::CompressedWriteback => writeln!(out, "{}", u32::from(zram.compressed_writeback())),
        Attr::RecompAlgorithm => {
            for (priority, algorithm) in zram.recompression_algorithms().into_iter().enumerate() {
                if let Some(algorithm) = algorithm {
                    write!(out, "#{priority}: ")?;
                    write_algorithms(out, algorithm)?;
                }
            }
            Ok(())
        }
        _ => return Err(EINVAL),
    }
    .map_err(|_| EINVAL)
}

/// Acts on what the user wrote to attribute `attr` of `disk`; bad input changes nothing.
fn store(disk: &DiskRef<'_, Zram>, attr: Attr, text: &str) -> Result {
    let zram = disk.ops();
    match attr {
        Attr::Disksize => match parse_size(text) {
            Some(bytes) if bytes > 0 => zram.init(disk, bytes),
            _ => Err(EINVAL),
        },
        Attr::Reset => match parse_decimal(text) {
            Some(n) if n > 0 => zram.reset(disk),
            _ => Err(EINVAL),
        },
        Attr::CompAlgorithm => zram.set_algorithm(PRIMARY, algorithm_named(text.trim())?),
        Attr::RecompAlgorithm => {
            let request = parse_recomp_algorithm(text).map_err(errno)?;
            zram.set_algorithm(
                priority_index(request.priority, SECONDARY)?,
                algorithm_named(request.algo)?,
            )
        }
        Attr::Recompress => zram.recompress(&parse_recompress(text).map_err(errno)?),
        Attr::MemLimit => {
            zram.set_mem_limit(parse_size(text).ok_or(EINVAL)?);
            Ok(())
        }
        Attr::MemUsedMax => match parse_decimal(text) {
            Some(0) => {
                zram.reset_mem_used_max();
                Ok(())
            }
            _ => Err(EINVAL),
        },
        Attr::Compact => zram.compact(),
        Attr::IntegrityMode => zram.set_integrity(parse_switch(text).ok_or(EINVAL)?),
        Attr::AlgorithmParams => {
            zram.set_algorithm_params(&parse_algorithm_params(text).map_err(errno)?)
        }
        Attr::Idle => zram.mark_idle(parse_idle(text).ok_or(EINVAL)?),
        Attr::BackingDev => zram.set_backing_dev(text),
        Attr::Writeback => zram.writeback(text),
        // kstrtoull: any number; not 0 turns the limit on.
        Attr::WritebackLimitEnable => {
            zram.set_writeback_limit_enabled(parse_unsigned(text).map_err(|_| EINVAL)? != 0);
            Ok(())
        }
        Attr::WritebackLimit => {
            zram.set_writeback_limit(parse_unsigned(text).map_err(|_| EINVAL)?);
            Ok(())
        }
        Attr::WritebackBatchSize => {
            let pages = parse_unsigned(text).map_err(|_| EINVAL)?;
            zram.set_writeback_batch_size(u32::try_from(pages).map_err(|_| EINVAL)?)
        }
        Attr::CompressedWriteback => zram.set_compressed_writeback(parse_bool(text).ok_or(EINVAL)?),
        _ => Err(EINVAL),
    }
}

/// The errno of a refused write.
fn errno(err: TextError) -> Error {
    match err {
        TextError::Invalid => EINVAL,
        TextError::OutOfRange => ERANGE,
    }
}

/// The algorithm named `name`; `EINVAL` if none.
fn algorithm_named(name: &str) -> Result<Algorithm> {
    Algorithm::ALL
        .into_iter()
        .find(|algorithm| algorithm.name() == name)
        .ok_or(EINVAL)
}

/// Writes every algorithm with `current` in brackets (zram's `zcomp_available_show`).
fn write_algorithms(out: &mut BufWriter<'_>, current: Algorithm) -> core::fmt::Result {
    write_choices(
        out,
        Algorithm::ALL.iter().map(|algorithm| algorithm.name()),
        current.name(),
    )
}

/// Converts a result to what a sysfs callback returns.
fn to_ssize(result: Result<usize>) -> isize {
    match result.and_then(|len| Ok(isize::try_from(len)?)) {
        Ok(len) => len,
        Err(err) => err.to_errno() as isize,
    }
}

/// Fills `buf` for a disk attribute; called by `sysfs.c`.
///
/// # Safety
///
/// `disk` is an rzram disk whose attribute callback is running, `buf` a writable page.
#[no_mangle]
unsafe extern "C" fn rzram_attr_show(
    disk: *mut RawDisk,
    attr: rzram_attr,
    buf: *mut c_char,
) -> isize {
    // SAFETY: The caller passes a disk whose callback runs for the whole call.
    let Some(disk) = (unsafe { DiskRef::<Zram>::from_raw(disk) }) else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: sysfs passes a writable page.
    let buf = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), PAGE_SIZE) };
    let result = match Attr::from_raw(attr).ok_or(EINVAL) {
        // A path: as zram, whatever fits the page.
        Ok(Attr::BackingDev) => disk.ops().write_backing_dev(buf),
        Ok(attr) => {
            let mut out = BufWriter::new(buf);
            show(&disk.ops(), attr, &mut out).map(|()| out.written())
        }
        Err(err) => Err(err),
    };
    to_ssize(result)
}

/// Acts on a write to a disk attribute; called by `sysfs.c`.
///
/// # Safety
///
/// `disk` is an rzram disk whose attribute callback is running, `buf` holds `len` bytes.
#[no_mangle]
unsafe extern "C" fn rzram_attr_store(
    disk: *mut RawDisk,
    attr: rzram_attr,
    buf: *const c_char,
    len: usize,
) -> isize {
    // SAFETY: The caller passes a disk whose callback runs for the whole call.
    let Some(disk) = (unsafe { DiskRef::<Zram>::from_raw(disk) }) else {
        return EINVAL.to_errno() as isize;
    };
    // SAFETY: sysfs passes `len` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
    let result = core::str::from_utf8(bytes)
        .map_err(|_| EINVAL)
        .and_then(|text| store(&disk, Attr::from_raw(attr).ok_or(EINVAL)?, text));
    to_ssize(result.map(|()| len))
}

/// Creates a device for `hot_add`; returns its id or an errno.
///
/// # Safety
///
/// `ctx` is the context given to [`Control::register`], still registered.
#[no_mangle]
unsafe extern "C" fn rzram_hot_add(ctx: *mut c_void) -> c_int {
    // SAFETY: The caller passes the context of the registered `Control`, a foreign
    // `Arc<Devices>` it takes back only after unregistering.
    let devices = unsafe { <Arc<Devices> as ForeignOwnable>::borrow(ctx) };
    match devices.add().and_then(|id| Ok(c_int::try_from(id)?)) {
        Ok(id) => id,
        Err(err) => err.to_errno(),
    }
}

/// Removes the device whose id `buf` holds, for `hot_remove`; returns 0 or an errno.
///
/// # Safety
///
/// `ctx` is the context given to [`Control::register`], still registered; `buf` holds `len`
/// bytes.
#[no_mangle]
unsafe extern "C" fn rzram_hot_remove(ctx: *mut c_void, buf: *const c_char, len: usize) -> c_int {
    // SAFETY: The caller passes the context of the registered `Control`, a foreign
    // `Arc<Devices>` it takes back only after unregistering.
    let devices = unsafe { <Arc<Devices> as ForeignOwnable>::borrow(ctx) };
    // SAFETY: sysfs passes `len` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(buf.cast::<u8>(), len) };
    let id = core::str::from_utf8(bytes)
        .ok()
        .and_then(parse_decimal)
        .and_then(|id| u32::try_from(id).ok());
    match id.ok_or(EINVAL).and_then(|id| devices.remove(id)) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}

// `sysfs.h` declares the functions above: their definitions must have those signatures.
const _: () = {
    let _ = [
        shims::rzram_attr_show as unsafe extern "C" fn(_, _, _) -> _,
        rzram_attr_show,
    ];
    let _ = [
        shims::rzram_attr_store as unsafe extern "C" fn(_, _, _, _) -> _,
        rzram_attr_store,
    ];
    let _ = [
        shims::rzram_hot_add as unsafe extern "C" fn(_) -> _,
        rzram_hot_add,
    ];
    let _ = [
        shims::rzram_hot_remove as unsafe extern "C" fn(_, _, _) -> _,
        rzram_hot_remove,
    ];
};
