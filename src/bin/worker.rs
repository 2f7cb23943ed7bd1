//! The decoding worker's entry point (Trunk `data-type="worker"`); see `keytrail::web::worker`.

fn main() {
    keytrail::web::start_worker();
}
