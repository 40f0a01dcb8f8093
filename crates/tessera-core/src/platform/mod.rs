//! What the operating system provides: private files and folders, the clipboard,
//! process hardening. Uses `model` only.

pub mod clipboard;
pub mod fsutil;
pub mod process;
