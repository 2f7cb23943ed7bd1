//! keytrail: review Windows Security event logs exported as XML.
//!
//! The crate has one pure core used everywhere: [`decoder`] turns exported XML (any of the common
//! export formats and encodings, fed in chunks of any size) into [`decoder::Event`]s and
//! [`decoder::Problem`]s; [`model`] aggregates and exports them. The browser viewer (feature
//! `web`), the native command-line tool (feature `cli`), the tests and the benchmarks all use the
//! same code. [`generator`] writes realistic exports for tests, benchmarks and the demo.
//!
//! ```
//! use keytrail::decoder::{Decoder, Item};
//!
//! let xml = "<Event><System><EventID>5059</EventID></System></Event>";
//! let mut decoder = Decoder::new();
//! let mut out = Vec::new();
//! decoder.push(xml.as_bytes(), &mut out);
//! decoder.finish(&mut out);
//! assert!(matches!(&out[..], [Item::Event(e)] if e.event_id() == 5059));
//! ```
#![deny(missing_docs)]

pub mod decoder;
pub mod generator;
pub mod ingest;
pub mod model;
pub mod report;
pub mod text;
#[cfg(feature = "web")]
pub mod web;
