//! What the shipped app exposes to its WebViews, asserted: a capability per window
//! granting only Tessera's commands (the palette's a few of them), a CSP that loads nothing remote and runs no inline or evaluated
//! script, no global Tauri object, a frozen prototype, and none of the plugins that
//! would hand the page the file system, a shell, the network or the clipboard.

#[cfg(test)]
mod tests {
    use serde_json::Value;

    fn config() -> Value {
        serde_json::from_str(include_str!("../tauri.conf.json")).expect("tauri.conf.json")
    }

    /// Every source in the CSP, with its directive.
    fn csp(config: &Value) -> Vec<(String, String)> {
        let csp = config["app"]["security"]["csp"]
            .as_object()
            .expect("the CSP is set, as an object of directives");
        csp.iter()
            .flat_map(|(directive, sources)| {
                let sources = sources.as_str().expect("sources as a string").to_string();
                sources
                    .split_whitespace()
                    .map(|s| (directive.clone(), s.to_string()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    #[test]
    fn the_csp_loads_nothing_remote_and_runs_no_inline_script() {
        let config = config();
        let sources = csp(&config);
        let directive = |name: &str| -> Vec<&str> {
            sources
                .iter()
                .filter(|(d, _)| d == name)
                .map(|(_, s)| s.as_str())
                .collect()
        };
        assert_eq!(directive("default-src"), ["'self'"]);
        assert_eq!(directive("script-src"), ["'self'"]);
        assert_eq!(directive("object-src"), ["'none'"]);
        assert_eq!(directive("base-uri"), ["'none'"]);
        assert_eq!(directive("frame-ancestors"), ["'none'"]);
        for (name, source) in &sources {
            assert!(
                !source.contains("unsafe-eval") && !source.contains('*'),
                "{name} allows {source}"
            );
            if source.starts_with("http") {
                // The only URL: Tauri's own IPC endpoint on platforms without `ipc:`.
                assert_eq!(
                    (name.as_str(), source.as_str()),
                    ("connect-src", "http://ipc.localhost")
                );
            }
        }
        assert!(
            !directive("script-src").contains(&"'unsafe-inline'"),
            "inline script is refused"
        );
        let security = &config["app"]["security"];
        assert_eq!(security["freezePrototype"], true);
        assert_eq!(
            security["capabilities"],
            serde_json::json!(["main", "palette"])
        );
        assert_eq!(config["app"]["withGlobalTauri"], false);
        assert!(
            security
                .get("dangerousDisableAssetCspModification")
                .is_none(),
            "Tauri keeps adding its nonces and hashes to the CSP"
        );
    }

    /// Tessera's own commands a capability grants, after checking that it is for
    /// `window` alone and lets no remote URL call anything.
    fn granted(capability: &str, window: &str) -> Vec<String> {
        let capability: Value = serde_json::from_str(capability).expect("capability json");
        assert!(
            capability.get("remote").is_none(),
            "no remote URL may call commands"
        );
        assert_eq!(capability["windows"], serde_json::json!([window]));
        capability["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .map(|permission| {
                let permission = permission.as_str().expect("a permission name");
                assert!(
                    permission.starts_with("allow-") && !permission.contains(':'),
                    "{permission} is not one of Tessera's own commands"
                );
                permission["allow-".len()..].replace('-', "_")
            })
            .collect()
    }

    #[test]
    fn a_capability_per_window_and_no_remote_urls() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("capabilities folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, ["main.json", "palette.json"], "a file per window");
        granted(include_str!("../capabilities/main.json"), "main");
        // The palette finds, copies and unlocks; a script in it can change, reveal,
        // download or export nothing, and cannot lock the person out of their settings.
        let palette = granted(include_str!("../capabilities/palette.json"), "palette");
        assert_eq!(
            palette,
            [
                "app_status",
                "unlock",
                "note_activity",
                "search_tokens",
                "prepare_search",
                "copy_secret",
                "copy_reference",
                "hide_palette"
            ]
        );
        for command in &palette {
            assert!(crate::COMMANDS.contains(&command.as_str()), "{command}");
        }
    }

    #[test]
    fn no_plugin_gives_the_page_files_a_shell_the_network_or_the_clipboard() {
        let manifest = include_str!("../Cargo.toml");
        for plugin in [
            "tauri-plugin-shell",
            "tauri-plugin-fs",
            "tauri-plugin-http",
            "tauri-plugin-opener",
            "tauri-plugin-clipboard",
            "tauri-plugin-process",
            "tauri-plugin-updater",
        ] {
            assert!(!manifest.contains(plugin), "{plugin} is a dependency");
        }
        // The plugins the app installs: every `tauri_plugin_…::` crate lib.rs names. The
        // global shortcut's commands are granted to no window: only Rust registers.
        let mut plugins: Vec<&str> = include_str!("lib.rs")
            .split("tauri_plugin_")
            .skip(1)
            .filter_map(|rest| rest.split_once("::").map(|(name, _)| name))
            .collect();
        plugins.sort();
        plugins.dedup();
        assert_eq!(plugins, ["dialog", "global_shortcut", "single_instance"]);
    }
}
