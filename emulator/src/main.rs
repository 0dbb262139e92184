//! zdkit-emulator: an offline Zendesk Support API (work in progress).
fn main() {}
