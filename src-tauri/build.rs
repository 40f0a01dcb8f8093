fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(tessera_app_commands::COMMANDS)),
    )
    .expect("tauri build script");
}

/// The command list, shared with `src/commands.rs` through `include!`.
mod tessera_app_commands {
    include!("src/command_names.rs");
}
