//! The pattern subset of the spec check, which lives in the library now
//! (`seatable_api::testing::spec_check`).

pub use seatable_api::testing::spec_check::Pattern;
