//! Diffs: resource against resource (as a PatchOp), and directory against directory (as narrated
//! changes). Both are pure and run in Rust so large diffs stay fast.

mod directory;
mod fields;
mod resource;

pub use crate::kind::ResourceKind;
pub use directory::{
    diff_directories, ChangeKind, Directory, DirectoryDiff, MatchKey, MatchRate, MembershipChange,
    ResourceChange,
};
pub use fields::{field_changes, FieldChange};
pub use resource::{diff_resources, DiffOptions};
