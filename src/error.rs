//! Typed errors of the storage engine and the timeline.

use crate::time::Timestamp;

/// Result alias used throughout the engine.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the engine can report. Each variant names what is wrong; none is
/// produced by a panic.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum Error {
    /// A page failed its checksum.
    #[error("page {page} is corrupted: checksum mismatch (stored {stored:#010x}, computed {computed:#010x})")]
    Checksum {
        /// Page number.
        page: u64,
        /// Checksum stored in the page header.
        stored: u32,
        /// Checksum computed over the page contents.
        computed: u32,
    },
    /// A page carries a format version this build cannot read.
    #[error("page {page} has unknown format version {version} (this build reads version {supported})")]
    UnknownFormat {
        /// Page number.
        page: u64,
        /// Version found in the page.
        version: u16,
        /// Version this build understands.
        supported: u16,
    },
    /// A page or record is malformed (bad magic, impossible lengths, misplaced page).
    #[error("corrupted database: {0}")]
    Corrupt(String),
    /// The storage holds a partial page or is shorter than its header says.
    #[error("truncated database: {0}")]
    Truncated(String),
    /// The storage backend failed.
    #[error("I/O error: {0}")]
    Io(String),
    /// A time outside the retained history was requested.
    #[error("time {requested} is before the earliest restorable time {earliest}")]
    BeforeEarliest {
        /// The requested time.
        requested: Timestamp,
        /// The earliest time that can be read or backtracked to.
        earliest: Timestamp,
    },
    /// A time after the engine's current time was requested.
    #[error("time {requested} is in the future (now is {now})")]
    InFuture {
        /// The requested time.
        requested: Timestamp,
        /// The engine's current time.
        now: Timestamp,
    },
    /// A value that is not a time (the message names it), or a time or
    /// window outside the representable range.
    #[error("{0}")]
    BadTime(String),
    /// A restore point with this name does not exist.
    #[error("unknown restore point '{0}'")]
    UnknownRestorePoint(String),
    /// A restore point with this name already exists.
    #[error("restore point '{0}' already exists")]
    DuplicateRestorePoint(String),
    /// A restore point name is empty or too long.
    #[error("invalid restore point name '{0}': names are 1 to 64 characters")]
    BadRestorePointName(String),
    /// A key or value exceeds the engine's limits.
    #[error("{0}")]
    TooLarge(String),
    /// The database is opened read-only or the operation needs a writer.
    #[error("read-only: {0}")]
    ReadOnly(String),
    /// Pages the operation needs are not in memory yet (a lazily loaded
    /// image, see `ARCHITECTURE.md`, "Lazy pages"). Internal: the browser
    /// runtime fetches them and runs the operation again; users never see
    /// it. The operation had no effect.
    #[error("pages {0:?} are not loaded yet")]
    PagesMissing(Vec<u64>),
}

/// The pages several reads miss on a partly loaded image, gathered so that
/// one attempt names them all ([`Error::PagesMissing`]) and the browser
/// runtime fetches them together: a read that only missed pages is noted
/// and the next one tried; any other error ends the attempt at once.
#[derive(Default)]
pub struct MissingPages(Vec<u64>);

impl MissingPages {
    /// `r`'s value, or `None` when it only missed pages (noted); `r`'s
    /// error when it failed otherwise.
    pub fn attempt<T>(&mut self, r: Result<T>) -> Result<Option<T>> {
        match r {
            Err(Error::PagesMissing(pages)) => {
                self.0.extend(pages);
                Ok(None)
            }
            other => other.map(Some),
        }
    }

    /// `Ok` when no read missed a page, else the missing pages, sorted,
    /// each once.
    pub fn finish(mut self) -> Result<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        self.0.sort_unstable();
        self.0.dedup();
        Err(Error::PagesMissing(self.0))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}
