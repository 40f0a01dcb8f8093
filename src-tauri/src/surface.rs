//! What the shipped app exposes to its WebView, asserted: one capability granting only
//! Tessera's commands, a CSP that loads nothing remote and runs no inline or evaluated
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
        assert_eq!(security["capabilities"], serde_json::json!(["main"]));
        assert_eq!(config["app"]["withGlobalTauri"], false);
        assert!(
            security
                .get("dangerousDisableAssetCspModification")
                .is_none(),
            "Tauri keeps adding its nonces and hashes to the CSP"
        );
    }

    #[test]
    fn one_capability_for_the_main_window_and_no_remote_urls() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/capabilities");
        let files: Vec<String> = std::fs::read_dir(dir)
            .expect("capabilities folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["main.json"], "one capability file");
        let capability: Value = serde_json::from_str(include_str!("../capabilities/main.json"))
            .expect("capability json");
        assert!(
            capability.get("remote").is_none(),
            "no remote URL may call commands"
        );
        assert_eq!(capability["windows"], serde_json::json!(["main"]));
        for permission in capability["permissions"].as_array().expect("permissions") {
            let permission = permission.as_str().expect("a permission name");
            assert!(
                permission.starts_with("allow-") && !permission.contains(':'),
                "{permission} is not one of Tessera's own commands"
            );
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
        let lib = include_str!("lib.rs");
        let plugins: Vec<&str> = lib
            .lines()
            .filter_map(|l| l.split_once("plugin(tauri_plugin_").map(|(_, rest)| rest))
            .collect();
        assert_eq!(plugins.len(), 2, "single instance, dialog: {plugins:?}");
    }
}
