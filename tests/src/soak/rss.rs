//! Resident memory, sampled from `/proc/self/status` once per round, and the verdict on whether it
//! stayed flat.

/// The process's resident set size in bytes (`VmRSS`), where `/proc` has it.
pub fn rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// RSS samples in the order taken.
#[derive(Clone, Debug, Default)]
pub struct RssLog {
    samples: Vec<u64>,
}

/// What the samples say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RssSummary {
    /// The first sample.
    pub first: u64,
    /// The last sample.
    pub last: u64,
    /// The largest sample.
    pub peak: u64,
    /// The median of the second quarter of the samples: the level right after warm-up.
    pub baseline: u64,
    /// The median of the last quarter.
    pub settled: u64,
}

impl RssSummary {
    /// How much the last quarter's median exceeds the baseline (0 when it shrank).
    pub fn growth(&self) -> u64 {
        self.settled.saturating_sub(self.baseline)
    }
}

fn median(samples: &[u64]) -> u64 {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or(0)
}

impl RssLog {
    /// Takes a sample now (nothing where `/proc` is missing).
    pub fn sample(&mut self) {
        if let Some(rss) = rss_bytes() {
            self.samples.push(rss);
        }
    }

    /// The summary; `None` with fewer than four samples. The first quarter is warm-up (the
    /// client's duplicate filter filling up to its bound, the allocator's arenas settling) and is
    /// left out of the comparison; medians keep one transient spike (an oversized frame being
    /// read, a burst in flight) from deciding it.
    pub fn summary(&self) -> Option<RssSummary> {
        let quarter = self.samples.len() / 4;
        if quarter == 0 {
            return None;
        }
        let second = self.samples.get(quarter..2 * quarter)?;
        let last = self.samples.get(self.samples.len() - quarter..)?;
        Some(RssSummary {
            first: *self.samples.first()?,
            last: *self.samples.last()?,
            peak: *self.samples.iter().max()?,
            baseline: median(second),
            settled: median(last),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_compares_the_last_quarter_with_the_one_after_warm_up() {
        let log = RssLog {
            samples: vec![1, 50, 10, 10, 10, 11, 12, 13],
        };
        let summary = log.summary().unwrap();
        assert_eq!((summary.first, summary.last, summary.peak), (1, 13, 50));
        assert_eq!((summary.baseline, summary.settled), (10, 13));
        assert_eq!(summary.growth(), 3);
    }

    #[test]
    fn this_process_has_a_resident_size() {
        assert!(rss_bytes().is_some_and(|rss| rss > 0));
    }
}
