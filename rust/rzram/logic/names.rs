// SPDX-License-Identifier: GPL-2.0

//! The names rzram registers under: its own, or zram.ko's for the tools hard-wired to them
//! (zram-generator, zramctl's listing and `--find`, Android, ChromeOS).
//!
//! Pure logic, free of kernel types.

use core::ffi::CStr;

/// Which names the devices, the control class and the debugfs directory get.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Names {
    /// `/dev/rzramN`, `/sys/class/rzram-control`, debugfs `rzram/`: beside zram.ko.
    Rzram,
    /// `/dev/zramN`, `/sys/class/zram-control`, debugfs `zram/`: in zram.ko's place.
    Zram,
}

impl Names {
    /// The names module parameter `zram_names` chooses.
    pub fn chosen(zram_names: bool) -> Self {
        if zram_names {
            Names::Zram
        } else {
            Names::Rzram
        }
    }

    /// The prefix of the devices' names (`<prefix>N`) and the debugfs directory's name.
    pub fn prefix(self) -> &'static CStr {
        match self {
            Names::Rzram => c"rzram",
            Names::Zram => c"zram",
        }
    }

    /// [`Names::prefix`] for messages.
    pub fn prefix_str(self) -> &'static str {
        match self {
            Names::Rzram => "rzram",
            Names::Zram => "zram",
        }
    }

    /// The control class, `/sys/class/<name>` (zram_drv.c: `zram_control_class`).
    pub fn control_class(self) -> &'static CStr {
        match self {
            Names::Rzram => c"rzram-control",
            Names::Zram => c"zram-control",
        }
    }
}
