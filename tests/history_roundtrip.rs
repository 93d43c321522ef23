#![cfg(not(target_arch = "wasm32"))]
//! History export and import: random histories dumped with
//! `Session::dump_history` and imported into a new database answer every
//! `FOR SYSTEM_TIME AS OF` as the source does (at every commit time and
//! just before it), with the same row versions; a `mariadb-dump
//! --dump-history` script imports; an import that would rewrite a
//! database's past is refused and changes nothing.

use proptest::prelude::*;
use reeldb::sql::{Code, Session, StatementResult, Value};
use reeldb::Timestamp;

mod common;
use common::Rng;

fn rows(s: &mut Session, sql: &str) -> Vec<String> {
    match s.execute_one(sql).unwrap_or_else(|e| panic!("{sql}: {e}")) {
        StatementResult::Rows { rows, .. } => {
            let mut v: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
            v.sort();
            v
        }
        StatementResult::Affected(_) => panic!("{sql}: no rows"),
    }
}

fn at(t: Timestamp) -> String {
    format!("'{t}'")
}

const TABLES: [&str; 2] = ["t", "k"];

/// A random history on a new in-memory database: two tables (one with a
/// primary key, one without, with duplicates and values equal under the
/// collation), inserts, updates and deletes, some in multi-statement
/// transactions, some commits at one time, and backtracks.
fn random_history(seed: u64) -> (Session, Vec<Timestamp>) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut s = Session::in_memory();
    let mut now = Timestamp::parse("2024-03-01 10:00:00").unwrap().0 + (rng.below(1_000_000_000) as i64);
    let mut times = Vec::new();
    let set = |s: &mut Session, t: i64| s.execute(&format!("SET TIMESTAMP = {}", at(Timestamp(t)))).unwrap();
    set(&mut s, now);
    s.execute(
        "CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10), n DECIMAL(6,2), d DATETIME); \
         CREATE TABLE k (a INT, b VARCHAR(5))",
    )
    .unwrap();
    let words = ["x", "X", "y", "é", "e", "it's", "a\\b", "x "];
    let steps = 5 + rng.below(30);
    for _ in 0..steps {
        now += match rng.below(4) {
            0 => 0,
            1 => 1 + rng.below(1000) as i64,
            _ => rng.below(100_000_000) as i64,
        };
        set(&mut s, now);
        let tx = rng.below(4) == 0;
        if tx {
            s.execute("BEGIN").unwrap();
        }
        for _ in 0..(if tx { 1 + rng.below(4) } else { 1 }) {
            let id = rng.below(8);
            let w = words[rng.below(words.len() as u64) as usize];
            let w = w.replace('\\', "\\\\").replace('\'', "''");
            let v = if rng.below(5) == 0 { "NULL".to_string() } else { format!("'{w}'") };
            let sql = match rng.below(9) {
                0 | 1 => format!(
                    "INSERT INTO t VALUES ({id}, {v}, {}.{}, '2020-01-0{} 10:00:00')",
                    rng.below(999),
                    rng.below(99),
                    1 + rng.below(9)
                ),
                2 => format!("UPDATE t SET v = {v}, n = n + 1 WHERE id = {id}"),
                3 => format!("DELETE FROM t WHERE id = {id}"),
                4 | 5 => format!("INSERT INTO k VALUES ({}, {v}), ({id}, {v})", rng.below(3)),
                6 => format!("UPDATE k SET a = a + 1 WHERE b = {v} LIMIT 1"),
                7 => format!("DELETE FROM k WHERE a = {} LIMIT 1", rng.below(3)),
                _ => {
                    if !tx && !times.is_empty() && rng.below(3) == 0 {
                        let back = times[rng.below(times.len() as u64) as usize];
                        format!("BACKTRACK TO TIMESTAMP {}", at(back))
                    } else {
                        format!("DELETE FROM t WHERE id > {id}")
                    }
                }
            };
            // Duplicate keys and the like are part of a random history.
            let _ = s.execute(&sql);
        }
        if tx {
            s.execute("COMMIT").unwrap();
        }
        times.push(Timestamp(now));
    }
    (s, times)
}

/// Every row version of table `t` (the one with a primary key: in `k`,
/// equal rows may trade their versions), with its times, sorted.
fn versions(s: &mut Session) -> Vec<String> {
    rows(s, "SELECT *, ROW_START, ROW_END FROM t FOR SYSTEM_TIME ALL")
}

fn check_round_trip(seed: u64) {
    let (mut a, times) = random_history(seed);
    let dump = a.dump_history().unwrap();
    let mut b = Session::in_memory();
    b.execute(&dump).unwrap_or_else(|e| panic!("seed {seed}: import failed: {e}\n{dump}"));
    // Read both at a fixed clock after the history (inside the window).
    let end = Timestamp(times.last().unwrap().0 + 1_000_000);
    for s in [&mut a, &mut b] {
        s.execute(&format!("SET TIMESTAMP = {}", at(end))).unwrap();
    }
    assert_eq!(versions(&mut a), versions(&mut b), "seed {seed}: row versions\n{dump}");
    // The import creates the tables at the first version's time.
    let first = b.database().timeline().unwrap().first().map(|e| e.time).unwrap();
    let mut probes: Vec<Timestamp> = a
        .database()
        .timeline()
        .unwrap()
        .iter()
        .flat_map(|e| [e.time, Timestamp(e.time.0 - 1), Timestamp(e.time.0 + 1)])
        .collect();
    probes.push(end);
    for t in probes.into_iter().filter(|t| *t >= first) {
        for table in TABLES {
            let q = format!("SELECT * FROM {table} FOR SYSTEM_TIME AS OF TIMESTAMP {}", at(t));
            assert_eq!(rows(&mut a, &q), rows(&mut b, &q), "seed {seed}: {q}\n{dump}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn a_history_dump_imports_with_the_same_as_of_answers(seed in any::<u64>()) {
        check_round_trip(seed);
    }
}

#[test]
fn a_mariadb_dump_with_history_imports() {
    // As `mariadb-dump --dump-history` (MariaDB 10.11) writes it.
    let dump = r#"/*M!999999\- enable the sandbox mode */
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
DROP TABLE IF EXISTS `t`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
CREATE TABLE `t` (
  `id` int(11) NOT NULL,
  `v` varchar(10) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_nopad_ai_ci WITH SYSTEM VERSIONING;
/*!40101 SET character_set_client = @saved_cs_client */;
/*M!101100 SET @old_system_versioning_insert_history=@@session.system_versioning_insert_history, @@session.system_versioning_insert_history=1 */;
LOCK TABLES `t` WRITE;
/*!40000 ALTER TABLE `t` DISABLE KEYS */;
INSERT INTO `t` (`id`, `v`, row_start, row_end) VALUES (1,'a','2024-01-01 00:00:00.000000','2024-01-02 00:00:00.000000'),
(1,'c','2024-01-02 00:00:00.000000','2038-01-19 03:14:07.999999'),
(2,'b','2024-01-01 00:00:00.000000','2024-01-02 00:00:00.000000');
/*!40000 ALTER TABLE `t` ENABLE KEYS */;
UNLOCK TABLES;
/*M!101100 SET system_versioning_insert_history=@old_system_versioning_insert_history */;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;
"#;
    let mut s = Session::in_memory();
    s.execute("SET GLOBAL backtrack_window = 864000").unwrap();
    assert_eq!(s.execute(dump).unwrap(), vec![StatementResult::Affected(3)]);
    s.execute("SET TIMESTAMP = '2024-01-03 00:00:00'").unwrap();
    let q = |s: &mut Session, t: &str| rows(s, &format!("SELECT id, v FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '{t}'"));
    let row = |id: i64, v: &str| format!("{:?}", vec![Value::Int(id), Value::Str(v.into())]);
    assert_eq!(q(&mut s, "2024-01-01 12:00:00"), [row(1, "a"), row(2, "b")]);
    assert_eq!(q(&mut s, "2024-01-02 00:00:00"), [row(1, "c")]);
    assert_eq!(rows(&mut s, "SELECT time FROM information_schema.timeline").len(), 2);

    // A database with history after the dump's start refuses it, untouched.
    let mut later = Session::in_memory();
    later.execute("SET TIMESTAMP = '2024-06-01 00:00:00'; CREATE TABLE x (a INT)").unwrap();
    let before = later.database().timeline().unwrap().len();
    let err = later.execute(dump).unwrap_err();
    assert_eq!(err.code, Code::BadTime, "{err}");
    assert_eq!(later.database().timeline().unwrap().len(), before);
    assert!(later.execute("SELECT * FROM t").is_err());

    // A history longer than the backtrack window is refused.
    let mut short = Session::in_memory();
    short.execute("SET GLOBAL backtrack_window = 3600").unwrap();
    assert_eq!(short.execute(dump).unwrap_err().code, Code::BacktrackWindow);

    // Times in another zone are refused; a version that does not replay
    // (a duplicate key) leaves the database untouched.
    let err = s.execute(&dump.replace("TIME_ZONE='+00:00'", "TIME_ZONE='+02:00'")).unwrap_err();
    assert_eq!(err.code, Code::BadTime);
    let mut fresh = Session::in_memory();
    fresh.execute("SET GLOBAL backtrack_window = 864000").unwrap();
    let entries = fresh.database().timeline().unwrap().len();
    let dup = dump.replace("(2,'b'", "(1,'b'");
    assert_eq!(fresh.execute(&dup).unwrap_err().code, Code::DupEntry);
    assert_eq!(fresh.database().timeline().unwrap().len(), entries);
}

#[test]
fn a_mariadb_dump_whose_only_versions_are_empty_imports_at_their_time() {
    // MariaDB keeps a row inserted and deleted in one transaction as a
    // version with row_start = row_end; a history of only such versions
    // (and a table with none) dumps like this. The tables existed at that
    // time: the import creates them then, not at the current time.
    let dump = r#"/*!40103 SET TIME_ZONE='+00:00' */;
CREATE TABLE `k` (
  `a` int(11) DEFAULT NULL,
  `b` varchar(5) DEFAULT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_nopad_ai_ci WITH SYSTEM VERSIONING;
/*M!101100 SET @old_system_versioning_insert_history=@@session.system_versioning_insert_history, @@session.system_versioning_insert_history=1 */;
LOCK TABLES `k` WRITE;
/*!40000 ALTER TABLE `k` DISABLE KEYS */;
/*!40000 ALTER TABLE `k` ENABLE KEYS */;
UNLOCK TABLES;
/*M!101100 SET system_versioning_insert_history=@old_system_versioning_insert_history */;
CREATE TABLE `t` (
  `id` int(11) NOT NULL,
  `v` varchar(10) DEFAULT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_uca1400_nopad_ai_ci WITH SYSTEM VERSIONING;
/*M!101100 SET @old_system_versioning_insert_history=@@session.system_versioning_insert_history, @@session.system_versioning_insert_history=1 */;
LOCK TABLES `t` WRITE;
INSERT INTO `t` (`id`, `v`, row_start, row_end) VALUES (4,'X','2024-03-01 10:09:30.599244','2024-03-01 10:09:30.599244');
UNLOCK TABLES;
/*M!101100 SET system_versioning_insert_history=@old_system_versioning_insert_history */;
"#;
    let mut s = Session::in_memory();
    assert_eq!(s.execute(dump).unwrap(), vec![StatementResult::Affected(0)]);
    let timeline = s.database().timeline().unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0].time, Timestamp::parse("2024-03-01 10:09:30.599244").unwrap());
    s.execute("SET TIMESTAMP = '2024-03-01 10:09:31.599244'").unwrap();
    for t in ["2024-03-01 10:09:30.599244", "2024-03-01 10:09:31"] {
        for table in TABLES {
            let q = format!("SELECT * FROM {table} FOR SYSTEM_TIME AS OF TIMESTAMP '{t}'");
            assert_eq!(rows(&mut s, &q), Vec::<String>::new());
        }
    }
    // Before that time the tables do not exist yet.
    let err = s.execute("SELECT * FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2024-03-01 10:09:30.599243'").unwrap_err();
    assert_eq!(err.code, Code::NoSuchTable, "{err}");
}
