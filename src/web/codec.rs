//! The message codec between the page and the worker.
//!
//! yew-agent's default codec (bincode) turns every message into bytes, which cannot carry a
//! [`File`](web_sys::File). [`JsCodec`] converts messages with `serde-wasm-bindgen` instead: plain
//! fields become plain JavaScript values, and fields marked
//! `#[serde(with = "serde_wasm_bindgen::preserve")]` stay the JavaScript objects they are, so
//! `postMessage` passes a `File` to the worker by structured clone (a handle, not its bytes).

use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;
use yew_agent::Codec;

/// Encodes worker messages as JavaScript values (see the [module docs](self)).
#[derive(Debug)]
pub struct JsCodec;

impl Codec for JsCodec {
    fn encode<I>(input: I) -> JsValue
    where
        I: Serialize,
    {
        // Times are nanoseconds since 1970 (beyond 2^53): 64-bit numbers travel as BigInts.
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
        match input.serialize(&serializer) {
            Ok(value) => value,
            // Both ends are this crate's own message types: failing here is a programming error,
            // reported as a JavaScript exception with the reason.
            Err(err) => wasm_bindgen::throw_str(&format!("cannot encode a worker message: {err}")),
        }
    }

    fn decode<O>(input: JsValue) -> O
    where
        O: for<'de> Deserialize<'de>,
    {
        match serde_wasm_bindgen::from_value(input) {
            Ok(value) => value,
            Err(err) => wasm_bindgen::throw_str(&format!("cannot decode a worker message: {err}")),
        }
    }
}
