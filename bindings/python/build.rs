//! With the `bundle-emulator` feature (on in pyproject.toml, so in every maturin build):
//! installs from source — the sdist, `pip install ./bindings/python` — get the emulator too.
//! When the package has no `zdkit/_bin/zdkit-emulator` yet (`make wheel` puts a zig-built
//! one there first and this does nothing), it builds `zdkit-emulator` from the workspace
//! with a nested `cargo build --release` in its own target directory and copies it there;
//! maturin then packs it with the Python files. A failed emulator build is a warning, not
//! an error: the client library still installs, and `zdkit-emulator` says what is missing.
//! `cargo build`/`clippy` of the workspace do not turn the feature on, so they never run it.

use std::env;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    if env::var_os("CARGO_FEATURE_BUNDLE_EMULATOR").is_none() {
        return;
    }
    let manifest_dir = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    // The workspace root: two levels up, in the repository and in the sdist alike.
    let root = manifest_dir.join("../..");
    // The Python package: beside this crate in the repository, at the root in the sdist.
    let Some(package) = [manifest_dir.join("python/zdkit"), root.join("python/zdkit")]
        .into_iter()
        .find(|dir| dir.join("__init__.py").is_file())
    else {
        println!(
            "cargo:warning=zdkit: the Python package is not where expected; no emulator bundled"
        );
        return;
    };
    let bundled = package.join("_bin").join("zdkit-emulator");
    println!("cargo:rerun-if-changed={}", bundled.display());
    println!("cargo:rerun-if-changed={}", root.join("emulator").display());
    if bundled.is_file() {
        return;
    }
    if let Err(why) = build_emulator(&root, &bundled) {
        println!(
            "cargo:warning=zdkit: the zdkit-emulator binary was not built ({why}); the library works, and the zdkit-emulator command will ask for ZDKIT_EMULATOR"
        );
    }
}

/// `cargo build --release -p zdkit-emulator` into `OUT_DIR/emulator`, then a copy to `dest`.
fn build_emulator(root: &Path, dest: &Path) -> Result<(), String> {
    let manifest = root.join("Cargo.toml");
    if !root.join("emulator/Cargo.toml").is_file() {
        return Err("this source tree has no emulator/".into());
    }
    let target_dir =
        PathBuf::from(env::var_os("OUT_DIR").ok_or("OUT_DIR is unset")?).join("emulator");
    let target = env::var("TARGET").map_err(|e| e.to_string())?;
    let host = env::var("HOST").map_err(|e| e.to_string())?;
    let cargo = env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--release",
            "-p",
            "zdkit-emulator",
            "--manifest-path",
        ])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir);
    if target != host {
        command.args(["--target", &target]);
    }
    // This build script's own settings are not the emulator's.
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_CFG_")
            || key == "CARGO_TARGET_DIR"
        {
            command.env_remove(key.as_ref());
        }
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build -p zdkit-emulator failed: {status}"));
    }
    let built = if target != host {
        target_dir.join(&target).join("release/zdkit-emulator")
    } else {
        target_dir.join("release/zdkit-emulator")
    };
    let bin_dir = dest.parent().ok_or("no _bin directory")?;
    fs::create_dir_all(bin_dir).map_err(|e| format!("{}: {e}", bin_dir.display()))?;
    fs::copy(&built, dest)
        .map_err(|e| format!("{} -> {}: {e}", built.display(), dest.display()))?;
    Ok(())
}
