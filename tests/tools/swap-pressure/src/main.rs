// SPDX-License-Identifier: GPL-2.0
//! Dirties more anonymous memory than the machine has, so it swaps (onto a compressing RAM
//! device in the test guest), then verifies every page after swap-in. Optional rewriter
//! threads keep rewriting pages while the kernel is swapping them out.

mod args;
mod child;
mod page;
mod region;

use std::fs;
use std::io::{self, ErrorKind, PipeWriter, Read, Write};
use std::process::{self, ExitCode};

use args::{Config, USAGE};
use page::PAGE_SIZE;
use tool_common::cli;
use tool_common::os_error::describe;

const VMSTAT_COUNTERS: [&str; 3] = ["pswpout", "pswpin", "thp_split_page"];

fn main() -> ExitCode {
    let parsed = args::parse(std::env::args().skip(1));
    cli::main("swap-pressure", USAGE, parsed, |config| run(&config))
}

fn run(config: &Config) -> Result<ExitCode, String> {
    let total_bytes = config.mib << 20;
    let region_len = usize::try_from(total_bytes / u64::from(config.procs))
        .map_err(|_| "--mib is too large for this machine".to_string())?
        / PAGE_SIZE
        * PAGE_SIZE;
    if region_len == 0 {
        return Err(format!(
            "--mib {} over {} processes leaves less than a page each",
            config.mib, config.procs
        ));
    }
    println!(
        "# swap-pressure: procs={} mib={} pages_per_proc={} passes={} thp={} rewriters={} \
         rewrite_secs={} seed={}",
        config.procs,
        config.mib,
        region_len / PAGE_SIZE,
        config.passes,
        config.thp,
        config.rewriters,
        config.rewrite_time.as_secs(),
        config.seed
    );
    let vmstat_start = read_vmstat();

    // Each child writes one "verified mismatches" line here before it exits.
    let (mut results_reader, results_writer) = io::pipe()
        .map_err(|err| format!("creating the results pipe failed: {}", describe(&err)))?;
    let mut children = Vec::new();
    let mut fork_error = None;
    for proc in 0..config.procs {
        // Output still buffered at fork would be printed by the child as well.
        io::stdout().flush().ok();
        // SAFETY: no thread has been started in this process, so the child is a complete
        // copy of a single-threaded process and may run any code, threads included.
        match unsafe { libc::fork() } {
            -1 => {
                fork_error = Some(io::Error::last_os_error());
                break;
            }
            0 => process::exit(child_main(proc, region_len, config, &results_writer)),
            pid => children.push((proc, pid)),
        }
    }
    // The reader sees end-of-file once the children's copies of the write end are closed too.
    drop(results_writer);

    let mut failed = false;
    let mut setup_failed = false;
    for &(proc, pid) in &children {
        let status = wait_for(pid)?;
        if libc::WIFSIGNALED(status) {
            let signal = libc::WTERMSIG(status);
            println!(
                "# proc {proc} killed by signal {signal}{}",
                signal_note(signal)
            );
            failed = true;
        } else {
            match libc::WEXITSTATUS(status) {
                0 => {}
                // The child has already said why.
                1 => failed = true,
                2 => setup_failed = true,
                code => {
                    println!("# proc {proc} exited with status {code}");
                    failed = true;
                }
            }
        }
    }
    if let Some(err) = fork_error {
        eprintln!(
            "# swap-pressure: fork of process {} failed: {}",
            children.len(),
            describe(&err)
        );
        setup_failed = true;
    }

    let mut results = String::new();
    results_reader
        .read_to_string(&mut results)
        .map_err(|err| format!("reading the results pipe failed: {}", describe(&err)))?;
    let (mut verified, mut mismatches) = (0u64, 0u64);
    for line in results.lines() {
        let mut counts = line.split(' ').map(str::parse::<u64>);
        match (counts.next(), counts.next(), counts.next()) {
            (Some(Ok(line_verified)), Some(Ok(line_mismatches)), None) => {
                verified += line_verified;
                mismatches += line_mismatches;
            }
            _ => {
                println!("# unreadable result line from a child: '{line}'");
                failed = true;
            }
        }
    }

    let vmstat_end = read_vmstat();
    let [pswpout, pswpin, thp_split_page] =
        [0, 1, 2].map(|counter| vmstat_end[counter].saturating_sub(vmstat_start[counter]));
    println!("# vmstat: pswpout={pswpout} pswpin={pswpin} thp_split_page={thp_split_page}");
    println!(
        "# swap-pressure: procs={} mib={} pages_verified={verified} mismatches={mismatches}",
        config.procs, config.mib
    );

    Ok(if failed || mismatches > 0 {
        ExitCode::from(1)
    } else if setup_failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs in the forked child; returns its exit status.
fn child_main(proc: u32, region_len: usize, config: &Config, results: &PipeWriter) -> i32 {
    let totals = match child::run(proc, region_len, config) {
        Ok(totals) => totals,
        Err(msg) => {
            eprintln!("# swap-pressure: proc {proc}: {msg}");
            return 2;
        }
    };
    let rewrites = if config.rewriters > 0 {
        format!(" rewrites={}", totals.rewrites)
    } else {
        String::new()
    };
    println!(
        "# proc {proc}: pages_verified={} mismatches={}{rewrites}",
        totals.verified, totals.mismatches
    );
    // A line this short goes into the pipe in one atomic write, so lines from different
    // children never interleave.
    let line = format!("{} {}\n", totals.verified, totals.mismatches);
    let mut results = results;
    if let Err(err) = results.write_all(line.as_bytes()) {
        eprintln!(
            "# swap-pressure: proc {proc}: writing the results pipe failed: {}",
            describe(&err)
        );
        return 2;
    }
    if totals.mismatches == 0 {
        0
    } else {
        1
    }
}

fn wait_for(pid: libc::pid_t) -> Result<libc::c_int, String> {
    let mut status = 0;
    loop {
        // SAFETY: waitpid stores one int through the pointer, which points at a live local.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(status);
        }
        let err = io::Error::last_os_error();
        if err.kind() != ErrorKind::Interrupted {
            return Err(format!("waitpid {pid} failed: {}", describe(&err)));
        }
    }
}

fn signal_note(signal: libc::c_int) -> &'static str {
    match signal {
        libc::SIGKILL => " (SIGKILL, e.g. the OOM killer)",
        libc::SIGSEGV => " (SIGSEGV)",
        libc::SIGBUS => " (SIGBUS)",
        libc::SIGABRT => " (SIGABRT)",
        libc::SIGTERM => " (SIGTERM)",
        _ => "",
    }
}

/// The VMSTAT_COUNTERS values; a counter this kernel lacks reads as 0.
fn read_vmstat() -> [u64; 3] {
    let vmstat = fs::read_to_string("/proc/vmstat").unwrap_or_default();
    VMSTAT_COUNTERS.map(|name| {
        vmstat
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
            .unwrap_or(0)
    })
}
