//! What the benchmarks read from Linux's `/proc` about this process: CPU time of one thread or of
//! all (to the nanosecond, from `schedstat`) and the resident memory (now and at its peak).

use std::time::Duration;

/// The kernel's id of the calling thread (the `tid` of `/proc/self/task/<tid>`).
pub fn current_thread_id() -> Option<u32> {
    let link = std::fs::read_link("/proc/thread-self").ok()?;
    link.file_name()?.to_str()?.parse().ok()
}

/// CPU time thread `tid` of this process has used so far, user and system together.
pub fn thread_cpu_time(tid: u32) -> Option<Duration> {
    // schedstat's first field is the time on the CPU in nanoseconds; `stat` only counts ticks.
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// CPU time thread `tid` of this process has used so far in user space and in the kernel, in
/// clock ticks (`utime` and `stime` of `/proc/self/task/<tid>/stat`; a tick is 10 ms with Linux's
/// usual `USER_HZ` of 100). Coarse: for the split of a run that lasts seconds, not for its total
/// ([`thread_cpu_time`] is exact).
pub fn thread_user_system_ticks(tid: u32) -> Option<(u64, u64)> {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let after_name = text.get(text.rfind(')')? + 1..)?;
    let mut fields = after_name.split_whitespace();
    // Fields 3 to 13 come first; `utime` and `stime` are fields 14 and 15.
    let user = fields.nth(11)?.parse().ok()?;
    let system = fields.next()?.parse().ok()?;
    Some((user, system))
}

/// How many times thread `tid` of this process went to sleep by itself so far
/// (`voluntary_ctxt_switches`): each is a wait for work that another thread, or the kernel, then
/// had to wake it from.
pub fn thread_sleeps(tid: u32) -> Option<u64> {
    thread_status_count(tid, "voluntary_ctxt_switches:")
}

/// How many times thread `tid` of this process was taken off its CPU while it could still run
/// (`nonvoluntary_ctxt_switches`): the scheduler gave its CPU to another thread, as when more
/// threads are busy than there are CPUs.
pub fn thread_preemptions(tid: u32) -> Option<u64> {
    thread_status_count(tid, "nonvoluntary_ctxt_switches:")
}

/// The number after `key` in `/proc/self/task/<tid>/status`.
fn thread_status_count(tid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/self/task/{tid}/status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))?
        .trim()
        .parse()
        .ok()
}

/// CPU time every thread of this process has used so far (threads that already exited are not
/// counted).
pub fn process_cpu_time() -> Option<Duration> {
    cpu_time_in("/proc/self")
}

/// CPU time every thread of process `pid` (a child a benchmark started) has used so far.
pub fn process_cpu_time_of(pid: u32) -> Option<Duration> {
    cpu_time_in(&format!("/proc/{pid}"))
}

fn cpu_time_in(process: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    for task in std::fs::read_dir(format!("{process}/task")).ok()? {
        let path = task.ok()?.path().join("schedstat");
        // A thread that ended meanwhile has no file any more: it is not counted.
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
        total += Duration::from_nanos(nanos);
    }
    Some(total)
}

/// Resident memory of this process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resident {
    /// Resident now (`VmRSS`), in KiB.
    pub rss_kib: u64,
    /// The peak so far (`VmHWM`), in KiB.
    pub peak_kib: u64,
    /// Of `rss_kib`, anonymous memory (`RssAnon`: the heap, stacks), in KiB.
    pub anon_kib: u64,
    /// Of `rss_kib`, pages of mapped files (`RssFile`: the program's code and libraries that were
    /// touched), in KiB. A benchmark binary carries code a real client does not (the mock, the
    /// test helpers): only the pages it runs count, but the split tells the heap from the code.
    pub file_kib: u64,
}

impl Resident {
    /// Reads `/proc/self/status`.
    pub fn now() -> Option<Self> {
        Self::read("/proc/self/status")
    }

    /// Reads `/proc/<pid>/status` of process `pid` (a child a benchmark started).
    pub fn of(pid: u32) -> Option<Self> {
        Self::read(&format!("/proc/{pid}/status"))
    }

    fn read(path: &str) -> Option<Self> {
        let status = std::fs::read_to_string(path).ok()?;
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))?
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()
        };
        Some(Self {
            rss_kib: field("VmRSS:")?,
            peak_kib: field("VmHWM:")?,
            anon_kib: field("RssAnon:")?,
            file_kib: field("RssFile:")?,
        })
    }
}

impl std::fmt::Display for Resident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mib = |kib: u64| kib as f64 / 1024.0;
        write!(
            f,
            "VmRSS {:.2} MiB, VmHWM (peak) {:.2} MiB",
            mib(self.rss_kib),
            mib(self.peak_kib)
        )
    }
}

/// Runs `task` on a thread of its own named `name`, in a current-thread tokio runtime of its own
/// (a benchmark's user loop, away from the client's thread), and returns the thread and its
/// kernel id once it has started.
///
/// # Panics
/// When the thread or its runtime cannot be made.
pub fn spawn_on_own_runtime(
    name: &str,
    task: impl std::future::Future<Output = ()> + Send + 'static,
) -> (std::thread::JoinHandle<()>, u32) {
    let (started, thread_id) = std::sync::mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            started
                .send(current_thread_id().expect("a thread id"))
                .expect("the spawner waits");
            tokio::runtime::Builder::new_current_thread()
                .build()
                .expect("a runtime for the thread")
                .block_on(task);
        })
        .expect("a thread");
    let tid = thread_id.recv().expect("the thread starts");
    (thread, tid)
}
