//! The desktop app's IPC boundary without Tauri: the serializable types its commands
//! take and return ([`dto`], the shared vaults' in [`shared`]), and the conversion of
//! each request into the core's terms ([`requests`]). The Tauri commands stay thin:
//! deserialize (Tauri does), convert (here), call the core, convert back. Keeping this
//! free of Tauri lets the fuzzer drive exactly what a command does with its arguments.
//! [`single_instance`] is the app's other door: the D-Bus method by which a later start
//! (`tessera-app --palette`, `tessera palette`) hands the running app its command line.

pub mod dto;
pub mod requests;
pub mod shared;
pub mod single_instance;
