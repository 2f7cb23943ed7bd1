//! The page's entry point (built by Trunk from `index.html`); everything is in `keytrail::web`.

fn main() {
    keytrail::web::start_app();
}
